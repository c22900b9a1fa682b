/**
 * A read-only view of one node's container runtime, from what the kubelet's runtime keeps on disk
 * (src/kubelet/podrecord.ts: `<kubeletDir>/pods/<uid>/state.json`, per-attempt run dirs with the
 * shim's pid/exit files) and the kernel's /proc: sandboxes (pause processes and their netns) and
 * containers, in the CRI's terms (ids, states, pids). Never writes anything.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerRec, PodRec } from '../kubelet/podrecord.js';
import { pauseAlive } from '../kubelet/sandbox/pause.js';
import { shimExit } from '../kubelet/sandbox/shim.js';
import { containerAlive } from '../kubelet/sandbox/container.js';
import { bootTimeMs, startDateMs } from '../net/boottime.js';
import { procAlive } from '../net/proc.js';
import { agentPaths, type NodePaths } from '../node/paths.js';
import { nodeDir } from '../lab/paths.js';
import { PodnetError } from '../util/errors.js';

export class ObserveError extends PodnetError {}

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface SandboxView {
  id: string;
  name: string;
  namespace: string;
  uid: string;
  state: SandboxState;
  createdAt: string;
  /** The pause process (0 when none). */
  pid: number;
  netnsName: string;
  /** /run/netns/<name>, or /proc/<pid>/ns/net for a hostNetwork pod. */
  netnsPath: string;
  hostNetwork: boolean;
  ips: string[];
  rec: PodRec;
}

export interface ContainerView {
  /** The runtime's id without its `podnet://` scheme. */
  id: string;
  name: string;
  image: string;
  attempt: number;
  state: ContainerState;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  reason?: string;
  /** The container's PID 1 as the host sees it (0 unless running), like containerd's info.pid. */
  pid: number;
  shimPid: number;
  runDir: string;
  logPath: string;
  sandbox: SandboxView;
}

/** Where a node's runtime state lives: an agent's --state-dir. */
export function nodeStatePaths(stateDir: string): NodePaths { return agentPaths(stateDir); }

/** A lab node's agent state dir (`lab up` passes it as --state-dir). */
export function labNodeStateDir(lab: string, node: string): string { return join(nodeDir(lab, node), 'state'); }

/** Every readable pod record under a kubelet dir (half-written ones are skipped). */
export function readPodRecords(kubeletDir: string): PodRec[] {
  const dir = join(kubeletDir, 'pods');
  if (!existsSync(dir)) return [];
  const out: PodRec[] = [];
  for (const uid of readdirSync(dir).sort()) {
    try { out.push(JSON.parse(readFileSync(join(dir, uid, 'state.json'), 'utf8')) as PodRec); } catch { /* being written or gone */ }
  }
  return out;
}

const stripScheme = (id: string): string => id.replace(/^[a-z]+:\/\//, '');

/** The runtime's sandboxes and containers of one node, from its kubelet dir. */
export class RuntimeState {
  readonly sandboxes: SandboxView[];
  readonly containers: ContainerView[];

  constructor(readonly kubeletDir: string, recs: PodRec[] = readPodRecords(kubeletDir)) {
    const boot = bootTimeMs();
    this.sandboxes = recs.filter((r) => r.sandboxId).map((r) => this.sandboxOf(r, boot));
    this.containers = this.sandboxes.flatMap((s) => Object.values(s.rec.containers).filter((c) => c.containerID).map((c) => this.containerOf(s, c)));
  }

  private sandboxOf(r: PodRec, boot: number | undefined): SandboxView {
    const ready = !!r.pausePid && pauseAlive({ pid: r.pausePid, startTime: r.pauseStart, ...(r.hostNetwork ? {} : { netnsName: r.netnsName }) });
    const created = r.pauseStart && boot !== undefined ? new Date(startDateMs(r.pauseStart, boot)).toISOString() : r.startTime;
    return {
      id: r.sandboxId, name: r.name, namespace: r.namespace, uid: r.uid, state: ready ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
      createdAt: created, pid: ready ? r.pausePid : 0, netnsName: r.netnsName ?? '',
      netnsPath: r.hostNetwork ? `/proc/${r.pausePid}/ns/net` : `/run/netns/${r.netnsName}`, hostNetwork: !!r.hostNetwork, ips: r.podIPs ?? [], rec: r,
    };
  }

  private containerOf(s: SandboxView, c: ContainerRec): ContainerView {
    const runDir = join(this.kubeletDir, 'pods', s.uid, 'containers', c.name, String(c.attempt));
    const logPath = join(this.kubeletDir, 'logs', `${s.namespace}_${s.name}_${s.uid}`, c.name, `${c.attempt}.log`);
    const exit = shimExit(runDir);
    const running = !!c.proc && !c.terminated && exit === undefined && containerAlive(c.proc) && procAlive(c.proc.initPid, c.proc.initStart);
    let state: ContainerState;
    if (running) state = 'CONTAINER_RUNNING';
    else if (c.terminated || exit) state = 'CONTAINER_EXITED';
    else if (!c.proc) state = 'CONTAINER_CREATED';
    else state = 'CONTAINER_UNKNOWN';
    const exitCode = c.terminated?.exitCode ?? exit?.code;
    const finishedAt = c.terminated?.finishedAt ?? exit?.finishedAt;
    return {
      id: stripScheme(c.containerID!), name: c.name, image: c.image ?? '', attempt: c.attempt, state,
      createdAt: c.startedAt ?? s.createdAt, ...(c.startedAt ? { startedAt: c.startedAt } : {}),
      ...(state === 'CONTAINER_EXITED' && finishedAt ? { finishedAt } : {}),
      ...(state === 'CONTAINER_EXITED' && exitCode !== undefined ? { exitCode } : {}),
      ...(c.terminated?.reason ? { reason: c.terminated.reason } : {}),
      pid: running ? c.proc!.initPid : 0, shimPid: c.proc?.shimPid ?? 0, runDir, logPath, sandbox: s,
    };
  }

  /** The one container whose id starts with `prefix` (crictl's rule); ENOTFOUND / EAMBIGUOUS otherwise. */
  container(prefix: string): ContainerView { return pickByPrefix('container', this.containers, prefix); }
  /** The one sandbox whose id starts with `prefix`. */
  sandbox(prefix: string): SandboxView { return pickByPrefix('pod sandbox', this.sandboxes, prefix); }
  /** The sandbox of a pod by namespace/name (the newest record wins). */
  sandboxOfPod(namespace: string, name: string, uid?: string): SandboxView | undefined {
    return this.sandboxes.filter((s) => s.namespace === namespace && s.name === name && (!uid || s.uid === uid))
      .sort((a, b) => (a.state === b.state ? b.createdAt.localeCompare(a.createdAt) : a.state === 'SANDBOX_READY' ? -1 : 1))[0];
  }
}

/** The one item whose id starts with `prefix` (case-insensitive; a `podnet://` scheme is ignored). */
export function pickByPrefix<T extends { id: string }>(what: string, items: readonly T[], prefix: string): T {
  const p = stripScheme(prefix.trim()).toLowerCase();
  if (!p) throw new ObserveError('EFLAG', `an ID of a ${what} is required`);
  const hits = items.filter((i) => i.id.toLowerCase().startsWith(p));
  if (hits.length === 0) throw new ObserveError('ENOTFOUND', `no ${what} with an ID starting with "${prefix}"`);
  if (hits.length > 1) throw new ObserveError('EAMBIGUOUS', `${hits.length} ${what}s have IDs starting with "${prefix}": ${hits.map((h) => h.id.slice(0, 13)).join(', ')}`);
  return hits[0]!;
}
