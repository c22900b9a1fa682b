/**
 * The pod runtime: for each pod bound to this node, one sandbox (pause + netns + CNI) and one
 * process per container, with state persisted per pod under the state dir so a restarted agent
 * adopts what is running. `sync(pod)` converges one pod; `tick()` notices exits, restarts with
 * back-off and runs readiness probes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../util/log.js';
import { PodnetError } from '../util/errors.js';
import {
  containerExitCode, execInContainer, installShim, probeHttp, probeTcp, procAlive, startContainerProcess, startPause, startHostNetworkPause,
  stopContainerProcess, stopPause, sandboxNetnsIntact, type ContainerProc,
} from '../net/sandbox.js';
import { podResolvConf, renderHosts, renderResolvConf } from './render.js';
import { resolveImage } from './images/index.js';
import { backoffMs, computePodStatus, exitReason, shouldRestart, type ContainerState, type ContainerView, type K8sCondition, type PodView } from './status.js';
import type { ContainerLite, PodLite, ProbeLite } from './types.js';

/** What the kubelet needs from the CNI runtime (src/cni/runtime CniRuntime satisfies it). */
export interface PodNetwork {
  setUp(p: PodNetAttachment): Promise<{ ips: string[]; result: unknown }>;
  tearDown(p: PodNetAttachment): Promise<void>;
  status(): Promise<void>;
  /** CNI GC (spec 1.1): drop cached attachments that are not in `valid`. */
  gc?(valid: { containerId: string; ifName: string }[]): Promise<unknown>;
}
export interface PodNetAttachment {
  containerId: string; netnsPath: string; ifName: string; podName: string; podNamespace: string; podUid: string;
  portMappings?: { hostPort: number; containerPort: number; protocol?: 'tcp' | 'udp' | 'sctp'; hostIP?: string }[];
  capabilityArgs?: Record<string, unknown>;
  /** Extra CNI_ARGS (e.g. IP= for a pod that asks for a fixed address with the podnet.io/ip annotation). */
  cniArgs?: [string, string][];
}

/** Pod annotation asking host-local for a fixed address (passed as CNI_ARGS IP=…, as upstream's static IP requests). */
export const POD_IP_ANNOTATION = 'podnet.io/ip';

export class RuntimeError extends PodnetError {
  constructor(message: string, options?: { cause?: unknown }) { super('EKUBELETRUNTIME', message, options); }
}

export interface RuntimeOptions {
  stateDir: string;
  nodeName: string;
  nodeIP: string;
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's resolv.conf file (dnsPolicy Default); default `<stateDir>/resolv.conf`, else empty. */
  nodeResolvConf?: string;
  network?: PodNetwork;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  log: Logger;
  /** Service link variables for a pod (namespace, enableServiceLinks) — from the services informer. */
  serviceEnv?: (namespace: string, enableServiceLinks: boolean) => Record<string, string>;
  /** Told about what happens to pods (the kubelet turns these into core/v1 Events). */
  onEvent?: (e: PodEvent) => void;
}

export interface PodEvent { namespace: string; name: string; uid: string; type: 'Normal' | 'Warning'; reason: string; message: string; container?: string }

interface ContainerRec {
  name: string;
  attempt: number;
  restartCount: number;
  containerID?: string;
  proc?: ContainerProc;
  startedAt?: string;
  /** Terminated state of the current attempt (when it exited). */
  terminated?: Extract<ContainerState, { kind: 'terminated' }>;
  lastTerminated?: Extract<ContainerState, { kind: 'terminated' }>;
  waiting?: { reason: string; message?: string };
  restartAt?: number;
  ready: boolean;
  probe?: { successes: number; failures: number; nextAt: number };
  liveness?: { failures: number; nextAt: number };
}

interface PodRec {
  uid: string;
  namespace: string;
  name: string;
  sandboxId: string;
  netnsName: string;
  /** hostNetwork pod: the pause process stays in the node's netns; no netns mount, no CNI. */
  hostNetwork?: boolean;
  pausePid: number;
  pauseStart: number;
  podIPs: string[];
  networkAttached: boolean;
  startTime: string;
  containers: Record<string, ContainerRec>;
}

const now = (): string => new Date().toISOString();

export class PodRuntime {
  private readonly pods = new Map<string, PodRec>();      // by uid
  private readonly specs = new Map<string, PodLite>();    // latest pod object by uid
  private readonly locks = new Map<string, Promise<void>>();
  private readonly lastStatus = new Map<string, string>();
  private readonly shim: string;
  readonly logDir: string;
  private readonly podDir: string;

  constructor(readonly o: RuntimeOptions) {
    this.podDir = join(o.stateDir, 'pods');
    this.logDir = join(o.stateDir, 'logs');
    mkdirSync(this.podDir, { recursive: true });
    mkdirSync(this.logDir, { recursive: true });
    this.shim = installShim(join(o.stateDir, 'bin'));
  }

  private event(r: { namespace: string; name: string; uid: string }, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    try { this.o.onEvent?.({ namespace: r.namespace, name: r.name, uid: r.uid, type, reason, message, ...(container ? { container } : {}) }); } catch { /* never fatal */ }
  }

  // ─── persistence ───
  private dirOf(uid: string): string { return join(this.podDir, uid); }
  private save(r: PodRec): void {
    const d = this.dirOf(r.uid);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'state.json.tmp'), JSON.stringify(r, null, 1));
    renameSync(join(d, 'state.json.tmp'), join(d, 'state.json'));
  }
  /** Loads every pod record on disk (restart: adopt). */
  loadState(): PodRec[] {
    const out: PodRec[] = [];
    for (const uid of existsSync(this.podDir) ? readdirSync(this.podDir) : []) {
      try {
        const r = JSON.parse(readFileSync(join(this.dirOf(uid), 'state.json'), 'utf8')) as PodRec;
        this.pods.set(r.uid, r);
        out.push(r);
      } catch { /* half-written pod dir: removed by gc */ }
    }
    return out;
  }
  knownUids(): string[] { return existsSync(this.podDir) ? readdirSync(this.podDir) : []; }
  record(uid: string): PodRec | undefined { return this.pods.get(uid); }
  findPod(namespace: string, name: string): { rec: PodRec; pod: PodLite } | undefined {
    for (const r of this.pods.values()) {
      if (r.namespace === namespace && r.name === name) { const pod = this.specs.get(r.uid); if (pod) return { rec: r, pod }; }
    }
    return undefined;
  }
  logPath(r: { namespace: string; name: string; uid: string }, container: string, attempt: number): string {
    return join(this.logDir, `${r.namespace}_${r.name}_${r.uid}`, container, `${attempt}.log`);
  }
  private runDir(uid: string, container: string, attempt: number): string { return join(this.dirOf(uid), 'containers', container, String(attempt)); }

  /** Serializes work per pod. */
  private withLock(uid: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.locks.get(uid) ?? Promise.resolve();
    const next = prev.then(fn, fn).catch((e: unknown) => { this.o.log.error({ err: (e as Error).message, uid }, 'pod sync failed'); });
    this.locks.set(uid, next);
    void next.then(() => { if (this.locks.get(uid) === next) this.locks.delete(uid); });
    return next;
  }

  // ─── sandbox ───
  private nodeResolv(): string {
    const p = this.o.nodeResolvConf ?? join(this.o.stateDir, 'resolv.conf');
    try { return readFileSync(p, 'utf8'); } catch { return ''; }
  }

  private writeEtc(r: PodRec, pod: PodLite): void {
    const d = join(this.dirOf(r.uid), 'etc');
    mkdirSync(d, { recursive: true });
    const resolv = renderResolvConf(podResolvConf({
      dnsPolicy: pod.spec.dnsPolicy, dnsConfig: pod.spec.dnsConfig, hostNetwork: pod.spec.hostNetwork,
      namespace: r.namespace, clusterDNS: this.o.clusterDNS, clusterDomain: this.o.clusterDomain, nodeResolvConf: this.nodeResolv(),
    }));
    const hosts = renderHosts({
      podIPs: r.podIPs, hostname: this.hostname(pod), subdomain: pod.spec.subdomain, namespace: r.namespace,
      clusterDomain: this.o.clusterDomain, hostAliases: pod.spec.hostAliases,
    });
    writeFileSync(join(d, 'resolv.conf'), resolv);
    writeFileSync(join(d, 'hosts'), hosts);
  }
  private hostname(pod: PodLite): string { return (pod.spec.hostname || pod.metadata.name || 'pod').slice(0, 63); }

  private attachment(r: PodRec, pod?: PodLite): PodNetAttachment {
    const a: PodNetAttachment = {
      containerId: r.sandboxId, netnsPath: this.netnsPath(r), ifName: 'eth0',
      podName: r.name, podNamespace: r.namespace, podUid: r.uid,
    };
    if (pod) {
      const pm = pod.spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => ({
        hostPort: p.hostPort!, containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp' | 'sctp', ...(p.hostIP ? { hostIP: p.hostIP } : {}),
      })));
      if (pm.length) a.portMappings = pm;
      const ip = (pod.metadata as { annotations?: Record<string, string> }).annotations?.[POD_IP_ANNOTATION];
      if (ip) a.cniArgs = [['IP', ip]];
    }
    return a;
  }

  private async createSandbox(pod: PodLite): Promise<PodRec> {
    const uid = pod.metadata.uid!;
    const r: PodRec = {
      uid, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name!,
      sandboxId: randomBytes(32).toString('hex'), netnsName: `cni-${randomUUID()}`,
      pausePid: 0, pauseStart: 0, podIPs: [], networkAttached: false, startTime: this.pods.get(uid)?.startTime ?? now(), containers: {},
    };
    const prev = this.pods.get(uid);
    if (prev) r.containers = prev.containers; // keep restart counts across sandbox re-creation
    this.save(r); // so a crash half way is cleaned up by gc
    this.pods.set(uid, r);
    if (pod.spec.hostNetwork) {
      r.hostNetwork = true;
      r.netnsName = '';
      const hp = await startHostNetworkPause();
      r.pausePid = hp.pid; r.pauseStart = hp.startTime; r.podIPs = [this.o.nodeIP];
      this.writeEtc(r, pod);
      this.save(r);
      return r;
    }
    const p = await startPause(r.netnsName);
    r.pausePid = p.pid; r.pauseStart = p.startTime;
    this.save(r);
    if (this.o.network) {
      try {
        const res = await this.o.network.setUp(this.attachment(r, pod));
        r.networkAttached = true;
        r.podIPs = res.ips.map((ip) => ip.split('/')[0]!);
      } catch (e) {
        await this.o.network.tearDown(this.attachment(r)).catch(() => undefined);
        await stopPause({ pid: r.pausePid, startTime: r.pauseStart, netnsName: r.netnsName });
        r.pausePid = 0;
        this.save(r);
        this.event(r, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: network set-up failed: ${(e as Error).message}`);
        throw new RuntimeError(`network set-up for pod ${r.namespace}/${r.name} failed: ${(e as Error).message}`, { cause: e });
      }
    }
    this.writeEtc(r, pod);
    this.save(r);
    this.o.log.info({ pod: `${r.namespace}/${r.name}`, netns: r.netnsName, pause: r.pausePid, ips: r.podIPs }, 'sandbox ready');
    return r;
  }

  private netnsPath(r: PodRec): string { return r.hostNetwork ? `/proc/${r.pausePid}/ns/net` : `/run/netns/${r.netnsName}`; }

  private sandboxAlive(r: PodRec): boolean {
    if (r.hostNetwork) return r.pausePid > 0 && procAlive(r.pausePid, r.pauseStart);
    return r.pausePid > 0 && procAlive(r.pausePid, r.pauseStart) && sandboxNetnsIntact({ pid: r.pausePid, netnsName: r.netnsName })
      && (!this.o.network || r.networkAttached);
  }

  // ─── containers ───
  private containerEnv(pod: PodLite, r: PodRec, c: ContainerLite): Record<string, string> {
    const field = (path: string): string => {
      switch (path) {
        case 'metadata.name': return r.name;
        case 'metadata.namespace': return r.namespace;
        case 'metadata.uid': return r.uid;
        case 'spec.nodeName': return this.o.nodeName;
        case 'spec.serviceAccountName': return String((pod.spec as unknown as Record<string, unknown>).serviceAccountName ?? 'default');
        case 'status.podIP': return r.podIPs[0] ?? '';
        case 'status.podIPs': return r.podIPs.join(',');
        case 'status.hostIP': case 'status.hostIPs': return this.o.nodeIP;
        default: {
          const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
          return m ? ((pod.metadata[m[1] as 'labels' | 'annotations'] as Record<string, string> | undefined)?.[m[2]!] ?? '') : '';
        }
      }
    };
    const links = (pod.spec as unknown as { enableServiceLinks?: boolean }).enableServiceLinks ?? true;
    const env: Record<string, string> = {
      ...(this.o.serviceEnv?.(r.namespace, links) ?? {}),
      HOSTNAME: this.hostname(pod), POD_NAME: r.name, POD_NAMESPACE: r.namespace, POD_IP: r.podIPs[0] ?? '', NODE_NAME: this.o.nodeName,
    };
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m);
      else if (e.valueFrom?.fieldRef) env[e.name] = field(e.valueFrom.fieldRef.fieldPath);
      else env[e.name] = '';
    }
    return env;
  }

  private async startContainer(pod: PodLite, r: PodRec, c: ContainerLite, cr: ContainerRec): Promise<void> {
    const img = resolveImage(c.image, c.command, c.args);
    if (!img.ok) {
      if (cr.waiting?.reason !== img.reason) this.event(r, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${img.message}`, c.name);
      cr.waiting = { reason: img.reason, message: img.message };
      return;
    }
    const attempt = cr.proc || cr.terminated ? cr.attempt + 1 : cr.attempt;
    const runDir = this.runDir(r.uid, c.name, attempt);
    rmSync(runDir, { recursive: true, force: true });
    const logPath = this.logPath(r, c.name, attempt);
    mkdirSync(join(logPath, '..'), { recursive: true });
    const etc = join(this.dirOf(r.uid), 'etc');
    cr.attempt = attempt;
    cr.containerID = `podnet://${randomBytes(32).toString('hex')}`;
    cr.waiting = undefined;
    cr.terminated = undefined;
    cr.ready = false;
    cr.probe = undefined;
    cr.liveness = undefined;
    cr.startedAt = now();
    cr.proc = await startContainerProcess({
      shimPath: this.shim, runDir, logPath, netnsPath: this.netnsPath(r), hostname: this.hostname(pod),
      hostsFile: join(etc, 'hosts'), resolvFile: join(etc, 'resolv.conf'), workingDir: c.workingDir, argv: img.argv,
      env: this.containerEnv(pod, r, c),
    });
    this.save(r);
    this.event(r, 'Normal', 'Pulled', `Container image "${c.image}" is built into podnet`, c.name);
    this.event(r, 'Normal', 'Started', `Started container ${c.name}`, c.name);
    this.o.log.info({ pod: `${r.namespace}/${r.name}`, container: c.name, attempt, pid: cr.proc.initPid }, 'container started');
  }

  /** Notices that the current attempt ended (from the shim's exit file, or the processes being gone). */
  private reap(r: PodRec, cr: ContainerRec): void {
    if (!cr.proc || cr.terminated) return;
    const dir = this.runDir(r.uid, cr.name, cr.attempt);
    let code = containerExitCode(dir);
    if (code === undefined) {
      if (procAlive(cr.proc.shimPid, cr.proc.shimStart) || (cr.proc.pid && procAlive(cr.proc.pid, cr.proc.pidStart))) return;
      code = 137; // shim and container gone without a record (killed together)
    }
    const sig = code > 128 ? code - 128 : undefined;
    let finishedAt = now();
    try { finishedAt = statSync(join(dir, 'exit')).mtime.toISOString(); } catch { /* no exit file */ }
    cr.terminated = { kind: 'terminated', exitCode: code, reason: exitReason(code), startedAt: cr.startedAt, finishedAt, ...(sig ? { signal: sig } : {}) };
    if (code === 128 && existsSync(this.logPath(r, cr.name, cr.attempt))) cr.terminated.message = 'container set-up failed (hostname, /etc/hosts, /etc/resolv.conf or workingDir)';
    cr.ready = false;
    this.save(r);
  }

  private async ensureContainer(pod: PodLite, r: PodRec, c: ContainerLite): Promise<void> {
    let cr = r.containers[c.name];
    if (!cr) { cr = r.containers[c.name] = { name: c.name, attempt: 0, restartCount: 0, ready: false }; }
    this.reap(r, cr);
    if (!cr.proc) {
      if (cr.waiting && cr.waiting.reason !== 'ContainerCreating' && cr.waiting.reason !== 'ErrImagePull' && cr.waiting.reason !== 'InvalidImageName') return;
      await this.startContainer(pod, r, c, cr);
      return;
    }
    if (!cr.terminated) return; // running
    if (!shouldRestart(pod.spec.restartPolicy, cr.terminated.exitCode)) return;
    const t = Date.now();
    if (cr.restartAt === undefined) {
      const wait = backoffMs(cr.restartCount, this.o.backoffBaseMs ?? 10_000, this.o.backoffCapMs ?? 300_000);
      cr.restartAt = t + wait;
      this.save(r);
      this.event(r, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${r.name}_${r.namespace}(${r.uid})`, c.name);
    }
    if (t < cr.restartAt) return;
    cr.lastTerminated = cr.terminated;
    cr.restartCount++;
    cr.restartAt = undefined;
    await this.startContainer(pod, r, c, cr);
  }

  // ─── probes ───
  private async runProbe(r: PodRec, cr: ContainerRec, p: ProbeLite, c: ContainerLite): Promise<boolean> {
    const timeoutMs = (p.timeoutSeconds ?? 1) * 1000;
    const port = (v: number | string): number => {
      if (typeof v === 'number') return v;
      const named = c.ports?.find((x) => x.name === v);
      return named ? named.containerPort : Number(v);
    };
    const netns = this.netnsPath(r);
    const host = r.podIPs[0] ?? '127.0.0.1';
    if (p.tcpSocket) return probeTcp(netns, p.tcpSocket.host || host, port(p.tcpSocket.port), timeoutMs);
    if (p.httpGet) {
      const h = p.httpGet.host || host;
      const url = `${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${h.includes(':') ? `[${h}]` : h}:${port(p.httpGet.port)}${p.httpGet.path ?? '/'}`;
      return probeHttp(netns, url, Object.fromEntries((p.httpGet.httpHeaders ?? []).map((x) => [x.name, x.value])), timeoutMs);
    }
    if (p.exec?.command?.length && cr.proc?.initPid) return (await execInContainer(cr.proc.initPid, p.exec.command, timeoutMs)).code === 0;
    return false;
  }

  /** Liveness: after failureThreshold failures the container is killed (and restarted per policy). */
  private async liveness(pod: PodLite, r: PodRec, cr: ContainerRec, c: ContainerLite): Promise<void> {
    const p = c.livenessProbe;
    if (!p || !cr.proc || cr.terminated) return;
    const t = Date.now();
    if (!cr.liveness) cr.liveness = { failures: 0, nextAt: Date.parse(cr.startedAt ?? now()) + (p.initialDelaySeconds ?? 0) * 1000 };
    if (t < cr.liveness.nextAt) return;
    cr.liveness.nextAt = t + (p.periodSeconds ?? 10) * 1000;
    const ok = await this.runProbe(r, cr, p, c).catch(() => false);
    if (ok) { cr.liveness.failures = 0; return; }
    if (++cr.liveness.failures < (p.failureThreshold ?? 3)) return;
    this.o.log.info({ pod: `${r.namespace}/${r.name}`, container: c.name }, 'liveness probe failed; killing the container');
    this.event(r, 'Warning', 'Unhealthy', 'Liveness probe failed', c.name);
    this.event(r, 'Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`, c.name);
    await stopContainerProcess(cr.proc, this.runDir(r.uid, cr.name, cr.attempt), (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
    this.reap(r, cr);
    const term = cr.terminated as ContainerRec['terminated'];
    if (term) term.message = 'Container failed liveness probe, will be restarted';
    cr.liveness = undefined;
  }

  private async probe(r: PodRec, cr: ContainerRec, c: ContainerLite): Promise<void> {
    const running = cr.proc && !cr.terminated;
    if (!running) { cr.ready = false; return; }
    const p = c.readinessProbe;
    if (!p) { cr.ready = true; return; }
    const t = Date.now();
    if (!cr.probe) cr.probe = { successes: 0, failures: 0, nextAt: Date.parse(cr.startedAt ?? now()) + (p.initialDelaySeconds ?? 0) * 1000 };
    if (t < cr.probe.nextAt) return;
    cr.probe.nextAt = t + (p.periodSeconds ?? 10) * 1000;
    const ok = await this.runProbe(r, cr, p, c).catch(() => false);
    if (ok) { cr.probe.successes++; cr.probe.failures = 0; if (cr.probe.successes >= (p.successThreshold ?? 1)) cr.ready = true; }
    else {
      cr.probe.failures++; cr.probe.successes = 0;
      if (cr.probe.failures >= (p.failureThreshold ?? 3)) { if (cr.ready) this.event(r, 'Warning', 'Unhealthy', 'Readiness probe failed', c.name); cr.ready = false; }
    }
  }

  // ─── status ───
  view(r: PodRec, pod: PodLite): PodView {
    const containers: ContainerView[] = pod.spec.containers.map((c) => {
      const cr = r.containers[c.name];
      let state: ContainerState;
      if (!cr) state = { kind: 'waiting', reason: 'ContainerCreating' };
      else if (cr.waiting) state = { kind: 'waiting', ...cr.waiting };
      else if (cr.terminated && cr.restartAt !== undefined && shouldRestart(pod.spec.restartPolicy, cr.terminated.exitCode)) {
        const secs = Math.round(backoffMs(cr.restartCount, this.o.backoffBaseMs ?? 10_000, this.o.backoffCapMs ?? 300_000) / 1000);
        return {
          name: c.name, image: c.image, containerID: cr.containerID, restartCount: cr.restartCount, ready: false, lastTerminated: cr.terminated,
          state: { kind: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${secs}s restarting failed container=${c.name} pod=${r.name}_${r.namespace}(${r.uid})` },
        };
      } else if (cr.terminated) state = cr.terminated;
      else if (cr.proc) state = { kind: 'running', startedAt: cr.startedAt ?? now() };
      else state = { kind: 'waiting', reason: 'ContainerCreating' };
      return { name: c.name, image: c.image, containerID: cr?.containerID, restartCount: cr?.restartCount ?? 0, state, lastTerminated: cr?.lastTerminated, ready: !!cr?.ready };
    });
    return { sandboxReady: this.sandboxAlive(r), podIPs: r.podIPs, hostIP: this.o.nodeIP, startTime: r.startTime, containers };
  }

  /** Current status for the pod, or undefined when it has not changed since the last call. */
  statusIfChanged(uid: string): Record<string, unknown> | undefined {
    const r = this.pods.get(uid);
    const pod = this.specs.get(uid);
    if (!r || !pod) return undefined;
    const st = computePodStatus(pod.spec, this.view(r, pod), pod.status?.conditions as K8sCondition[] | undefined, now());
    const key = JSON.stringify({ ...st, conditions: (st.conditions as K8sCondition[]).map((c) => ({ ...c, lastTransitionTime: '' })) });
    if (this.lastStatus.get(uid) === key) return undefined;
    this.lastStatus.set(uid, key);
    return st;
  }
  forgetStatus(uid: string): void { this.lastStatus.delete(uid); }

  // ─── top level ───
  /** Converges one pod (not being deleted). */
  sync(pod: PodLite): Promise<void> {
    const uid = pod.metadata.uid!;
    this.specs.set(uid, pod);
    return this.withLock(uid, async () => {
      const cur = this.specs.get(uid);
      if (!cur || cur.metadata.deletionTimestamp) return;
      let r = this.pods.get(uid);
      const terminal = r && Object.keys(r.containers).length > 0 && this.isFinal(cur, r);
      if (!terminal && (!r || !this.sandboxAlive(r))) {
        if (r && r.pausePid) await this.teardownSandbox(r);
        // containers of a dead sandbox are dead or useless: stop them before a new sandbox
        if (r) for (const cr of Object.values(r.containers)) if (cr.proc && !cr.terminated) { await stopContainerProcess(cr.proc, this.runDir(uid, cr.name, cr.attempt), 0); this.reap(r, cr); }
        r = await this.createSandbox(cur);
      }
      if (!r) return;
      for (const c of cur.spec.containers) {
        await this.ensureContainer(cur, r, c);
        const cr = r.containers[c.name];
        if (cr) { await this.liveness(cur, r, cr, c); await this.probe(r, cr, c); }
      }
    });
  }

  private isFinal(pod: PodLite, r: PodRec): boolean {
    return pod.spec.containers.every((c) => {
      const cr = r.containers[c.name];
      return !!cr?.terminated && !shouldRestart(pod.spec.restartPolicy, cr.terminated.exitCode);
    });
  }

  private async teardownSandbox(r: PodRec): Promise<void> {
    if (r.hostNetwork) {
      await stopPause({ pid: r.pausePid, startTime: r.pauseStart, netnsName: '' });
      r.pausePid = 0; r.podIPs = [];
      return;
    }
    if (this.o.network) await this.o.network.tearDown(this.attachment(r)).catch((e: unknown) => this.o.log.warn({ err: (e as Error).message }, 'CNI DEL failed'));
    await stopPause({ pid: r.pausePid, startTime: r.pauseStart, netnsName: r.netnsName });
    r.pausePid = 0; r.networkAttached = false; r.podIPs = [];
  }

  /**
   * Stops every container (SIGTERM, SIGKILL after graceSeconds), tears the network down, kills the
   * pause process, removes the netns mount, the pod's state and its logs.
   */
  kill(uid: string, graceSeconds: number): Promise<void> {
    return this.withLock(uid, async () => {
      const r = this.pods.get(uid);
      if (r) {
        await Promise.all(Object.values(r.containers).map(async (cr) => {
          if (cr.proc && !cr.terminated && graceSeconds > 0) this.event(r, 'Normal', 'Killing', `Stopping container ${cr.name}`, cr.name);
          if (cr.proc) await stopContainerProcess(cr.proc, this.runDir(uid, cr.name, cr.attempt), graceSeconds * 1000);
        }));
        await this.teardownSandbox(r);
        rmSync(join(this.logDir, `${r.namespace}_${r.name}_${r.uid}`), { recursive: true, force: true });
      }
      rmSync(this.dirOf(uid), { recursive: true, force: true });
      this.pods.delete(uid);
      this.specs.delete(uid);
      this.lastStatus.delete(uid);
    });
  }

  /** The container's init pid for exec, if it runs. */
  execTarget(namespace: string, name: string, container?: string): { initPid: number } | { error: string; code: number } {
    const f = this.findPod(namespace, name);
    if (!f) return { error: `pod ${namespace}/${name} not found on node ${this.o.nodeName}`, code: 404 };
    const cname = container || f.pod.spec.containers[0]?.name;
    const cr = cname ? f.rec.containers[cname] : undefined;
    if (!cr) return { error: `container ${cname} is not valid for pod ${name}`, code: 404 };
    if (!cr.proc?.initPid || cr.terminated || !procAlive(cr.proc.initPid, cr.proc.initStart)) return { error: `container ${cname} is not running`, code: 400 };
    return { initPid: cr.proc.initPid };
  }

  /** Log file + whether the attempt still runs, for the logs endpoint. */
  logTarget(namespace: string, name: string, container: string | undefined, previous: boolean): { path: string; running: () => boolean } | { error: string; code: number } {
    const f = this.findPod(namespace, name);
    if (!f) return { error: `pod ${namespace}/${name} not found on node ${this.o.nodeName}`, code: 404 };
    const cname = container || f.pod.spec.containers[0]?.name;
    const cr = cname ? f.rec.containers[cname] : undefined;
    if (!cr || !cname) return { error: `container ${cname} is not valid for pod ${name}`, code: 404 };
    if (cr.waiting && !cr.proc) return { error: `container "${cname}" in pod "${name}" is waiting to start: ${cr.waiting.reason}`, code: 400 };
    const attempt = previous ? cr.attempt - 1 : cr.attempt;
    if (previous && (cr.restartCount === 0 || attempt < 0)) return { error: `previous terminated container "${cname}" in pod "${name}" not found`, code: 400 };
    const dir = this.runDir(f.rec.uid, cname, cr.attempt);
    return { path: this.logPath(f.rec, cname, attempt), running: () => !previous && containerExitCode(dir) === undefined && !!cr.proc && !cr.terminated };
  }

  /** Attachments of every live sandbox (for CNI GC). */
  attachments(): { containerId: string; ifName: string }[] {
    return [...this.pods.values()].filter((r) => !r.hostNetwork).map((r) => ({ containerId: r.sandboxId, ifName: 'eth0' }));
  }

  /** True while a sync/kill for the pod is queued or running. */
  busy(uid: string): boolean { return this.locks.has(uid); }

  /** Uids of every pod this runtime tracks (in memory). */
  uids(): string[] { return [...this.pods.keys()]; }
  spec(uid: string): PodLite | undefined { return this.specs.get(uid); }

  /** Removes sandboxes/state of pods that no longer exist (after a restart); `alive` = uids the API has. */
  async gc(alive: Set<string>): Promise<void> {
    for (const uid of this.knownUids()) {
      if (alive.has(uid)) continue;
      if (!this.pods.has(uid)) {
        try { this.pods.set(uid, JSON.parse(readFileSync(join(this.dirOf(uid), 'state.json'), 'utf8')) as PodRec); } catch { /* no state: just remove */ }
      }
      this.o.log.info({ uid }, 'removing sandbox of a pod that is gone');
      await this.kill(uid, 0);
    }
  }
}
