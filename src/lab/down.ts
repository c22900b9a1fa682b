/**
 * `podnet lab down`: removes every process, pod sandbox, namespace, mount and file of a lab — from
 * its state file when there is one, and by scanning (pidfiles, command lines mentioning the lab
 * dir, processes inside the lab's namespaces, /run/netns/pn-<lab>-*) when there is not, so it also
 * works after kill -9 of everything or a half-finished `up`. Idempotent.
 */
import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../util/log.js';
import { cleanupKubeletState } from '../kubelet/index.js';
import { agentPaths } from '../node/paths.js';
import { deleteNamedNetns, listNamedNetns, mountPoints, netnsPath, releaseNetnsDir } from '../net/netns.js';
import { unmountLazy } from '../net/mount.js';
import { labDir, nodeDir, LAB_ROOT, NETNS_DIR_MARKER } from './paths.js';
import { killNow, markedLabProcesses, processesInNetns, processesMentioning, readPidFile, recordAlive, type ProcRecord } from './procs.js';
import type { Progress } from './up.js';
import { readState } from './up.js';

export interface DownReport {
  processes: number; netns: string[]; sandboxes: string[];
  /** How long each phase took (ms): kill, sandboxes, stray, netns, files. */
  phasesMs: Record<string, number>;
}

function labNetns(name: string): string[] {
  const prefix = `pn-${name}-`;
  const fromState = readState(name)?.netns ?? [];
  return [...new Set([...fromState, ...listNamedNetns().filter((n) => n.startsWith(prefix))])].filter((n) => existsSync(netnsPath(n)));
}

function labMounts(dir: string): string[] {
  return mountPoints().filter((m) => m === dir || m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/**
 * When the last lab is gone: /run/podnet itself, and /run/netns (with iproute2's bind mount) if
 * a lab created it and no named namespace is left in it.
 */
async function releaseSharedDirs(): Promise<void> {
  const left = existsSync(LAB_ROOT) ? readdirSync(LAB_ROOT).filter((f) => join(LAB_ROOT, f) !== NETNS_DIR_MARKER) : [];
  if (left.length) return;
  if (existsSync(NETNS_DIR_MARKER) && await releaseNetnsDir()) rmSync(NETNS_DIR_MARKER, { force: true });
  if (!existsSync(NETNS_DIR_MARKER)) { try { rmdirSync(LAB_ROOT); } catch { /* not empty or gone */ } }
}

export async function labDown(name: string, progress?: Progress): Promise<DownReport> {
  const dir = labDir(name);
  const report: DownReport = { processes: 0, netns: [], sandboxes: [], phasesMs: {} };
  let t = performance.now();
  const phase = (name: string): void => { const now = performance.now(); report.phasesMs[name] = Math.round(now - t); t = now; };
  const say = (s: string): void => progress?.info(s);
  const netns = labNetns(name);

  // 1. Every process of the lab at once, SIGKILL, no grace: the daemons by pidfile (with their
  //    process groups), whatever mentions the lab dir (an agent restarted by hand, a container's
  //    init), whatever runs inside the lab's namespaces (BIRD, a hostNetwork pod), whatever carries
  //    the lab's mark in its environment (procs.ts LAB_DIR_ENV: a pause no record names, with
  //    everything in its netns). Nothing of the lab
  //    outlives this call, so nothing needs to shut down cleanly and no pod needs its grace period.
  const pidDir = join(dir, 'pids');
  const recs = (existsSync(pidDir) ? readdirSync(pidDir).map((f) => readPidFile(join(pidDir, f))) : []).filter(recordAlive) as ProcRecord[];
  const groups = recs.map((r) => r.pid);
  const others = [...new Set([...processesMentioning(`${dir}/`), ...processesInNetns(netns.map(netnsPath)), ...markedLabProcesses(dir)])].filter((p) => !groups.includes(p));
  if (recs.length) say(`stopping ${recs.map((r) => r.name).join(', ')}`);
  await killNow(others, groups);
  report.processes += recs.length + others.length;
  phase('kill');

  // 2. Pod sandboxes of every node, all nodes at once, in this process: containers and pause
  //    processes killed, the pods' netns names and mounts removed. No CNI DEL: everything it would
  //    undo lives in the node's netns or the lab dir, both removed below.
  const nodesDir = join(dir, 'nodes');
  const nodes = (existsSync(nodesDir) ? readdirSync(nodesDir) : []).filter((node) => existsSync(join(nodeDir(name, node), 'state', 'kubelet')));
  await Promise.all(nodes.map(async (node) => {
    try { await cleanupKubeletState({ stateDir: agentPaths(join(nodeDir(name, node), 'state')).kubeletDir, log: quiet }); } catch (e) { say(`node ${node}: sandbox cleanup reported: ${(e as Error).message}`); }
    report.sandboxes.push(node);
  }));
  phase('sandboxes');

  // 3. Anything still running for this lab (started while we were killing): by command line, then by namespace.
  const stray = [...new Set([...processesMentioning(`${dir}/`), ...processesInNetns(netns.map(netnsPath)), ...markedLabProcesses(dir)])];
  if (stray.length) { say(`stopping ${stray.length} leftover process(es)`); await killNow(stray); report.processes += stray.length; }
  phase('stray');

  // 4. Namespaces (links inside them go with them), all at once; mounts, files.
  await Promise.all(netns.map((n) => deleteNamedNetns(n)));
  report.netns.push(...netns);
  if (netns.length) say(`removed namespaces ${netns.join(', ')}`);
  phase('netns');
  for (const m of labMounts(dir)) await unmountLazy(m);
  rmSync(dir, { recursive: true, force: true });
  await releaseSharedDirs();
  phase('files');
  return report;
}

/** The sandbox cleanup's own log lines are not lab down's output. */
const quiet = createLogger('lab-down', 'warn');
