/**
 * The pod runtime: for each pod bound to this node, one sandbox (pause + netns + CNI) and one
 * process per container, with a record per pod in the state dir so a restarted agent adopts what
 * is running. `sync(pod)` converges one pod: sandbox, containers (restarts with back-off), probes.
 * The kernel side is a Sandbox (./sandbox): the real one by default, a fake in unit tests.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../util/log.js';
import { rfc3339 } from '../util/time.js';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { kernelSandbox, SETUP_FAILED, type ExecSpec, type Sandbox } from './sandbox/index.js';
import { containerEnv, fieldValue, podHostname } from './podconfig.js';
import { PodVolumes, type VolumeApi } from './volumes/index.js';
import { POD_IFNAME, type PodNetwork } from './podnetwork.js';
import { PodStore, type ContainerRec, type PodRec } from './podrecord.js';
import { PodSandboxes, podNetnsPath } from './podsandbox.js';
import { podView } from './podview.js';
import { livenessDue, probeAction, readinessStep, runProbe } from './prober.js';
import { ImageStore, resolveImage } from './images/index.js';
import { backoffMs, computePodStatus, exitReason, shouldRestart, type K8sCondition, type PodView } from './status.js';
import type { ContainerLite, EphemeralContainerLite, PodLite, ProbeLite } from './types.js';

export type { PodNetwork, PodNetAttachment } from './podnetwork.js';
export type { PodRec, ContainerRec } from './podrecord.js';
export { RuntimeError } from './podsandbox.js';

export interface RuntimeOptions {
  stateDir: string;
  nodeName: string;
  nodeIP: string;
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's resolv.conf file (dnsPolicy Default); default `<stateDir>/resolv.conf`, else empty. */
  nodeResolvConf?: string;
  network?: PodNetwork;
  /** The container runtime; default the kernel one (kernelSandbox). */
  sandbox?: Sandbox;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  log: Logger;
  /** Service link variables for a pod (namespace, enableServiceLinks) — from the services informer. */
  serviceEnv?: (namespace: string, enableServiceLinks: boolean) => Record<string, string>;
  /** Built-in images (root filesystems); default the store under PODNET_IMAGES_DIR or /var/lib/podnet/images. */
  images?: ImageStore;
  /** Where configMap, secret and projected (token) volumes read from (the API); without, only emptyDir/hostPath/downwardAPI work. */
  volumeApi?: VolumeApi;
  /** Told about what happens to pods (the kubelet turns these into core/v1 Events). */
  onEvent?: (e: PodEvent) => void;
  /** Told when a pod's status moved during a sync (its record exists: ContainerCreating is visible). */
  onProgress?: (uid: string) => void;
}

export interface PodEvent { namespace: string; name: string; uid: string; type: 'Normal' | 'Warning'; reason: string; message: string; container?: string }

const now = (): string => rfc3339();

/** A running container as `attach` sees it. */
export interface AttachTarget { logPath: string; stdinFifo: string; stdin: boolean; tty: boolean; running: () => boolean }

/** securityContext.runAsUser/runAsGroup (container over pod) as `uid:gid`; undefined for root. */
export function runAsUser(pod: PodLite, c: ContainerLite): string | undefined {
  const uid = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
  const gid = c.securityContext?.runAsGroup ?? pod.spec.securityContext?.runAsGroup ?? uid;
  return uid === undefined || (uid === 0 && !gid) ? undefined : `${uid}:${gid ?? 0}`;
}

export class PodRuntime {
  private readonly pods = new Map<string, PodRec>();      // by uid
  private readonly specs = new Map<string, PodLite>();    // latest pod object by uid
  private readonly locks = new Map<string, Promise<void>>();
  private readonly lastStatus = new Map<string, string>();
  /** Pods whose deletion arrived while they were starting: the start stops at the next step. */
  private readonly cancelled = new Set<string>();
  private readonly store: PodStore;
  private readonly sb: Sandbox;
  private readonly sandboxes: PodSandboxes;
  private readonly images: ImageStore;
  private readonly volumes: PodVolumes;
  readonly logDir: string;

  constructor(readonly o: RuntimeOptions) {
    this.store = new PodStore(o.stateDir);
    this.logDir = this.store.logDir;
    this.sb = o.sandbox ?? kernelSandbox(o.stateDir);
    this.images = o.images ?? new ImageStore();
    this.volumes = new PodVolumes({
      ...(o.volumeApi ? { api: o.volumeApi } : {}), podDir: (uid) => this.store.dirOf(uid), log: o.log,
      fieldValue: (pod, path) => {
        const r = this.pods.get(pod.metadata.uid!);
        return fieldValue(pod, { name: pod.metadata.name!, namespace: pod.metadata.namespace ?? 'default', uid: pod.metadata.uid!, podIPs: r?.podIPs ?? [], nodeName: this.o.nodeName, nodeIP: this.o.nodeIP }, path);
      },
    });
    this.sandboxes = new PodSandboxes({
      ...o, sandbox: this.sb, store: this.store, warn: (r, reason, message) => this.event(r, 'Warning', reason, message),
    });
  }

  private event(r: { namespace: string; name: string; uid: string }, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    try { this.o.onEvent?.({ namespace: r.namespace, name: r.name, uid: r.uid, type, reason, message, ...(container ? { container } : {}) }); } catch { /* never fatal */ }
  }

  private backoff(restartCount: number): number { return backoffMs(restartCount, this.o.backoffBaseMs ?? 10_000, this.o.backoffCapMs ?? 300_000); }

  // ─── records ───
  /** Loads every pod record on disk (restart: adopt). */
  loadState(): PodRec[] {
    const out: PodRec[] = [];
    for (const uid of this.store.uids()) {
      const r = this.store.load(uid); // a half-written pod dir has none: removed by gc
      if (r) { this.pods.set(r.uid, r); out.push(r); }
    }
    return out;
  }
  knownUids(): string[] { return this.store.uids(); }
  record(uid: string): PodRec | undefined { return this.pods.get(uid); }
  findPod(namespace: string, name: string): { rec: PodRec; pod: PodLite } | undefined {
    for (const r of this.pods.values()) {
      if (r.namespace === namespace && r.name === name) { const pod = this.specs.get(r.uid); if (pod) return { rec: r, pod }; }
    }
    return undefined;
  }
  logPath(r: { namespace: string; name: string; uid: string }, container: string, attempt: number): string { return this.store.logPath(r, container, attempt); }

  /** Serializes work per pod. */
  private withLock(uid: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.locks.get(uid) ?? Promise.resolve();
    const next = prev.then(fn, fn).catch((e: unknown) => { this.o.log.error({ err: (e as Error).message, uid }, 'pod sync failed'); });
    this.locks.set(uid, next);
    void next.then(() => { if (this.locks.get(uid) === next) this.locks.delete(uid); });
    return next;
  }

  // ─── containers ───
  private async startContainer(pod: PodLite, r: PodRec, c: ContainerLite, cr: ContainerRec, nsJoin: { pidOf?: number; ipcOf?: number } = {}): Promise<void> {
    const img = resolveImage(c.image, c.command, c.args, this.images);
    if (!img.ok) {
      if (img.reason === 'ErrImagePull' && cr.waiting?.reason === 'ErrImagePull') {
        // as upstream: the failed pull turns into a back-off before the next try
        cr.pullFailures = (cr.pullFailures ?? 0) + 1;
        cr.pullRetryAt = Date.now() + this.backoff(cr.pullFailures - 1);
        cr.waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}": ErrImagePull: ${img.message}` };
        this.event(r, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`, c.name);
        this.event(r, 'Warning', 'Failed', 'Error: ImagePullBackOff', c.name);
        return;
      }
      if (cr.waiting?.reason !== img.reason) {
        this.event(r, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${img.message}`, c.name);
        this.event(r, 'Warning', 'Failed', `Error: ${img.reason}`, c.name);
      }
      cr.waiting = { reason: img.reason, message: img.message };
      return;
    }
    cr.pullFailures = undefined;
    cr.pullRetryAt = undefined;
    let binds: { source: string; target: string; readOnly?: boolean }[];
    try {
      await this.volumes.setUp(pod);
      binds = [...img.image.mounts.map((m) => ({ ...m, readOnly: true })), ...this.volumes.binds(pod, c)];
    } catch (e) {
      // as upstream: the pod stays ContainerCreating with FailedMount events until the volume can be set up
      const message = (e as Error).message;
      if (cr.waiting?.message !== message) this.event(r, 'Warning', 'FailedMount', message);
      cr.waiting = { reason: 'ContainerCreating', message };
      return;
    }
    const attempt = cr.proc || cr.terminated ? cr.attempt + 1 : cr.attempt;
    const runDir = this.store.runDir(r.uid, c.name, attempt);
    rmSync(runDir, { recursive: true, force: true });
    const logPath = this.store.logPath(r, c.name, attempt);
    mkdirSync(join(logPath, '..'), { recursive: true });
    const etc = this.store.etcDir(r.uid);
    cr.attempt = attempt;
    cr.containerID = `podnet://${randomBytes(32).toString('hex')}`;
    cr.image = c.image;
    cr.imageID = img.image.imageID;
    cr.waiting = undefined;
    cr.terminated = undefined;
    cr.ready = false;
    cr.probe = undefined;
    cr.liveness = undefined;
    cr.startedAt = now();
    const env = { ...img.image.env, ...containerEnv(pod, c, { ...r, nodeName: this.o.nodeName, nodeIP: this.o.nodeIP }, this.o.serviceEnv) };
    if (!env.HOME) env.HOME = '/root';
    const user = runAsUser(pod, c);
    const rootfs = img.image.rootfs ? { lower: img.image.rootfs, upper: join(runDir, 'upper'), work: join(runDir, 'work'), merged: join(runDir, 'rootfs') } : undefined;
    cr.exec = { env, ...(user ? { user } : {}), rootfs: !!rootfs };
    const t0 = Date.now();
    cr.proc = await this.sb.startContainer({
      runDir, logPath, netnsPath: podNetnsPath(r), hostname: podHostname(pod),
      hostsFile: join(etc, 'hosts'), resolvFile: join(etc, 'resolv.conf'), hostnameFile: join(etc, 'hostname'),
      workingDir: c.workingDir || img.image.workingDir, argv: img.argv, env,
      ...(rootfs ? { rootfs } : {}), binds, ...(user ? { user } : {}), ...(c.stdin ? { stdin: true } : {}),
      ...(nsJoin.pidOf ? { pidOf: nsJoin.pidOf } : {}), ...(nsJoin.ipcOf ? { ipcOf: nsJoin.ipcOf } : {}),
    });
    this.o.log.debug({ pod: `${r.namespace}/${r.name}`, container: c.name, ms: Date.now() - t0 }, 'container process started');
    this.store.save(r);
    this.event(r, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c.name);
    this.event(r, 'Normal', 'Created', `Created container: ${c.name}`, c.name);
    this.event(r, 'Normal', 'Started', `Started container ${c.name}`, c.name);
    this.o.log.info({ pod: `${r.namespace}/${r.name}`, container: c.name, attempt, pid: cr.proc.initPid }, 'container started');
  }

  /** Notices that the current attempt ended (from the shim's exit record, or the processes being gone). */
  private reap(r: PodRec, cr: ContainerRec): void {
    if (!cr.proc || cr.terminated) return;
    const exit = this.sb.containerExit(this.store.runDir(r.uid, cr.name, cr.attempt));
    if (!exit && this.sb.containerAlive(cr.proc)) return;
    const code = exit?.code ?? 137; // shim and container gone without a record (killed together)
    const sig = code > 128 ? code - 128 : undefined;
    cr.terminated = { kind: 'terminated', exitCode: code, reason: exitReason(code), startedAt: cr.startedAt, finishedAt: exit?.finishedAt ?? now(), ...(sig ? { signal: sig } : {}) };
    if (code === SETUP_FAILED && existsSync(this.store.logPath(r, cr.name, cr.attempt))) cr.terminated.message = 'container set-up failed (hostname, /etc/hosts, /etc/resolv.conf or workingDir)';
    cr.ready = false;
    this.store.save(r);
  }

  private async ensureContainer(pod: PodLite, r: PodRec, c: ContainerLite): Promise<void> {
    let cr = r.containers[c.name];
    if (!cr) { cr = r.containers[c.name] = { name: c.name, attempt: 0, restartCount: 0, ready: false }; }
    this.reap(r, cr);
    if (!cr.proc) {
      if (cr.waiting?.reason === 'ImagePullBackOff' && Date.now() < (cr.pullRetryAt ?? 0)) return;
      const retry = ['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError'];
      if (cr.waiting && !retry.includes(cr.waiting.reason)) return;
      await this.startContainer(pod, r, c, cr);
      return;
    }
    if (!cr.terminated) return; // running
    if (!shouldRestart(pod.spec.restartPolicy, cr.terminated.exitCode)) return;
    const t = Date.now();
    if (cr.restartAt === undefined) {
      cr.restartAt = t + this.backoff(cr.restartCount);
      this.store.save(r);
      this.event(r, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${r.name}_${r.namespace}(${r.uid})`, c.name);
    }
    if (t < cr.restartAt) return;
    cr.lastTerminated = cr.terminated;
    cr.restartCount++;
    cr.restartAt = undefined;
    await this.startContainer(pod, r, c, cr);
  }

  /**
   * An ephemeral container (kubectl debug): started once in the pod's network namespace, the IPC
   * namespace of its target (else the first container) and, with targetContainerName, the
   * target's PID namespace; never restarted.
   */
  private async ensureEphemeral(pod: PodLite, r: PodRec, c: EphemeralContainerLite): Promise<void> {
    let cr = r.containers[c.name];
    if (!cr) { cr = r.containers[c.name] = { name: c.name, attempt: 0, restartCount: 0, ready: false, ephemeral: true }; }
    this.reap(r, cr);
    if (cr.proc) return;
    if (cr.waiting?.reason === 'ImagePullBackOff' && Date.now() < (cr.pullRetryAt ?? 0)) return;
    if (cr.waiting && !['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError'].includes(cr.waiting.reason)) return;
    const live = (name: string | undefined): number | undefined => {
      const t = name ? r.containers[name] : undefined;
      return t?.proc && !t.terminated && this.sb.initAlive(t.proc) ? t.proc.initPid : undefined;
    };
    const target = live(c.targetContainerName);
    if (c.targetContainerName && !target) { cr.waiting = { reason: 'ContainerCreating', message: `target container ${c.targetContainerName} is not running` }; return; }
    const ipcOf = target ?? live(pod.spec.containers[0]?.name);
    await this.startContainer(pod, r, c, cr, { ...(target ? { pidOf: target } : {}), ...(ipcOf ? { ipcOf } : {}) });
  }

  private stopContainer(r: PodRec, cr: ContainerRec, graceMs: number): Promise<void> {
    return cr.proc ? this.sb.stopContainer(cr.proc, this.store.runDir(r.uid, cr.name, cr.attempt), graceMs) : Promise.resolve();
  }

  // ─── probes ───
  private prober(r: PodRec, cr: ContainerRec, p: ProbeLite, c: ContainerLite): () => Promise<boolean> {
    return () => runProbe(this.sb, probeAction(p, c, r.podIPs[0]), (p.timeoutSeconds ?? 1) * 1000, { netnsPath: podNetnsPath(r), initPid: cr.proc?.initPid });
  }

  /** Liveness: after failureThreshold failures the container is killed (and restarted per policy). */
  private async liveness(pod: PodLite, r: PodRec, cr: ContainerRec, c: ContainerLite): Promise<void> {
    const p = c.livenessProbe;
    if (!p || !cr.proc || cr.terminated) return;
    if (!(await livenessDue(cr, p, Date.now(), this.prober(r, cr, p, c)))) return;
    this.o.log.info({ pod: `${r.namespace}/${r.name}`, container: c.name }, 'liveness probe failed; killing the container');
    this.event(r, 'Warning', 'Unhealthy', 'Liveness probe failed', c.name);
    this.event(r, 'Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`, c.name);
    await this.stopContainer(r, cr, (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
    this.reap(r, cr);
    const term = cr.terminated as ContainerRec['terminated'];
    if (term) term.message = 'Container failed liveness probe, will be restarted';
    cr.liveness = undefined;
  }

  private async readiness(r: PodRec, cr: ContainerRec, c: ContainerLite): Promise<void> {
    if (!cr.proc || cr.terminated) { cr.ready = false; return; }
    const p = c.readinessProbe;
    if (!p) { cr.ready = true; return; }
    if (await readinessStep(cr, p, Date.now(), this.prober(r, cr, p, c))) this.event(r, 'Warning', 'Unhealthy', 'Readiness probe failed', c.name);
  }

  // ─── status ───
  view(r: PodRec, pod: PodLite): PodView {
    return podView(r, pod, { sandboxReady: this.sandboxes.alive(r), hostIP: this.o.nodeIP, backoffMs: (n) => this.backoff(n), now: now() });
  }

  /** Current status for the pod, or undefined when it has not changed since the last call. */
  statusIfChanged(uid: string): Record<string, unknown> | undefined {
    const r = this.pods.get(uid);
    const pod = this.specs.get(uid);
    if (!r || !pod) return undefined;
    const st = computePodStatus(pod.spec, this.view(r, pod), pod.status?.conditions as K8sCondition[] | undefined, now());
    const eph = pod.spec.ephemeralContainers ?? [];
    if (eph.length) {
      // the same container states, computed for the ephemeral containers (never restarted)
      const ep: PodLite = { ...pod, spec: { ...pod.spec, containers: eph, restartPolicy: 'Never' } };
      st.ephemeralContainerStatuses = (computePodStatus(ep.spec, this.view(r, ep), [], now()).containerStatuses as Record<string, unknown>[])
        .map(({ started: _s, ...cs }) => cs);
    }
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
      if (!cur || cur.metadata.deletionTimestamp || this.cancelled.has(uid)) return;
      let r = this.pods.get(uid);
      const terminal = r && Object.keys(r.containers).length > 0 && this.isFinal(cur, r);
      if (!terminal && (!r || !this.sandboxes.alive(r))) {
        if (r && r.pausePid) await this.sandboxes.tearDown(r);
        // containers of a dead sandbox are dead or useless: stop them before a new sandbox
        if (r) for (const cr of Object.values(r.containers)) if (cr.proc && !cr.terminated) { await this.stopContainer(r, cr, 0); this.reap(r, cr); }
        r = await this.sandboxes.create(cur, r, (rec) => { this.pods.set(uid, rec); this.progress(uid); });
        this.progress(uid);
      }
      if (!r) return;
      for (const c of cur.spec.containers) {
        if (this.cancelled.has(uid)) return; // deleted while starting: kill() takes over
        await this.ensureContainer(cur, r, c);
        const cr = r.containers[c.name];
        if (cr) { await this.liveness(cur, r, cr, c); await this.readiness(r, cr, c); }
      }
      for (const ec of cur.spec.ephemeralContainers ?? []) await this.ensureEphemeral(cur, r, ec);
      // configMap/secret updates and token renewals reach running containers through their bind mounts
      if ((cur.spec.volumes ?? []).length && Object.values(r.containers).some((cr) => cr.proc && !cr.terminated)) {
        await this.volumes.setUp(cur).catch((e: unknown) => this.o.log.warn({ pod: `${r!.namespace}/${r!.name}`, err: (e as Error).message }, 'volume refresh failed'));
      }
    });
  }

  private progress(uid: string): void {
    try { this.o.onProgress?.(uid); } catch { /* never fatal */ }
  }

  private isFinal(pod: PodLite, r: PodRec): boolean {
    return pod.spec.containers.every((c) => {
      const cr = r.containers[c.name];
      return !!cr?.terminated && !shouldRestart(pod.spec.restartPolicy, cr.terminated.exitCode);
    });
  }

  /**
   * Stops every container (SIGTERM, SIGKILL after graceSeconds), tears the network down, kills the
   * pause process, removes the netns mount, the pod's state and its logs.
   */
  kill(uid: string, graceSeconds: number): Promise<void> {
    // a start in progress stops at its next step instead of starting containers to be killed
    this.cancelled.add(uid);
    if (this.cancelled.size > 10_000) this.cancelled.delete(this.cancelled.values().next().value as string);
    return this.withLock(uid, async () => {
      const r = this.pods.get(uid);
      if (r) {
        await Promise.all(Object.values(r.containers).map(async (cr) => {
          if (cr.proc && !cr.terminated && graceSeconds > 0) this.event(r, 'Normal', 'Killing', `Stopping container ${cr.name}`, cr.name);
          await this.stopContainer(r, cr, graceSeconds * 1000);
        }));
        await this.sandboxes.tearDown(r);
      }
      this.store.remove(uid, r);
      this.volumes.forget(uid);
      this.pods.delete(uid);
      this.specs.delete(uid);
      this.lastStatus.delete(uid);
    });
  }

  /** The container's init pid (and what exec runs with), if it runs. */
  execTarget(namespace: string, name: string, container?: string): ({ initPid: number } & Partial<ExecSpec>) | { error: string; code: number } {
    const f = this.findPod(namespace, name);
    if (!f) return { error: `pod ${namespace}/${name} not found on node ${this.o.nodeName}`, code: 404 };
    const cname = container || f.pod.spec.containers[0]?.name;
    const cr = cname ? f.rec.containers[cname] : undefined;
    if (!cr) return { error: `container ${cname} is not valid for pod ${name}`, code: 404 };
    if (!cr.proc?.initPid || cr.terminated || !this.sb.initAlive(cr.proc)) return { error: `container ${cname} is not running`, code: 400 };
    return { initPid: cr.proc.initPid, env: cr.exec?.env ?? {}, rootfs: cr.exec?.rootfs ?? false, ...(cr.exec?.user ? { user: cr.exec.user } : {}) };
  }

  /**
   * Starts a process in a running container (kubectl exec): the one function the kubelet server
   * calls. Its namespaces and root, environment, working directory and user; with `tty` a pseudo-terminal.
   */
  execProcess(namespace: string, name: string, container: string | undefined, argv: readonly string[], o: { tty?: boolean } = {}): ChildProcessWithoutNullStreams | { error: string; code: number } {
    const t = this.execTarget(namespace, name, container);
    if ('error' in t) return t;
    const spec: ExecSpec = { initPid: t.initPid, env: t.env ?? {}, rootfs: !!t.rootfs, ...(t.user ? { user: t.user } : {}) };
    if (!this.sb.execProcess) return { error: 'this runtime cannot exec', code: 500 };
    return this.sb.execProcess(spec, argv, o);
  }

  /**
   * What `attach` needs: the running attempt's log (its output), whether it still runs, and its
   * stdin FIFO (`<run dir>/stdin.fifo`, present when the runtime gave the container one).
   */
  attachTarget(namespace: string, name: string, container?: string): AttachTarget | { error: string; code: number } {
    const f = this.findPod(namespace, name);
    if (!f) return { error: `pod ${namespace}/${name} not found on node ${this.o.nodeName}`, code: 404 };
    const cname = container || f.pod.spec.containers[0]?.name;
    const spec = [...f.pod.spec.containers, ...(f.pod.spec.ephemeralContainers ?? [])].find((c) => c.name === cname);
    const cr = cname ? f.rec.containers[cname] : undefined;
    if (!cr || !cname || !spec) return { error: `container ${cname} is not valid for pod ${name}`, code: 404 };
    if (!cr.proc?.initPid || cr.terminated || !this.sb.initAlive(cr.proc)) return { error: `container ${cname} is not running`, code: 400 };
    const dir = this.store.runDir(f.rec.uid, cname, cr.attempt);
    const proc = cr.proc;
    return {
      logPath: this.store.logPath(f.rec, cname, cr.attempt),
      stdinFifo: join(dir, 'stdin.fifo'),
      stdin: spec.stdin === true, tty: spec.tty === true,
      running: () => this.sb.containerExit(dir) === undefined && !cr.terminated && this.sb.initAlive(proc),
    };
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
    const dir = this.store.runDir(f.rec.uid, cname, cr.attempt);
    return { path: this.store.logPath(f.rec, cname, attempt), running: () => !previous && this.sb.containerExit(dir) === undefined && !!cr.proc && !cr.terminated };
  }

  /** Attachments of every live sandbox (for CNI GC). */
  attachments(): { containerId: string; ifName: string }[] {
    return [...this.pods.values()].filter((r) => !r.hostNetwork).map((r) => ({ containerId: r.sandboxId, ifName: POD_IFNAME }));
  }

  /** True once the pod's deletion reached the runtime (its start is abandoned). */
  cancelledUid(uid: string): boolean { return this.cancelled.has(uid); }

  /** True while a sync/kill for the pod is queued or running. */
  busy(uid: string): boolean { return this.locks.has(uid); }

  /**
   * When the pod's next readiness probe is due (ms since the epoch) while one of its running
   * containers is not Ready yet; undefined when none waits for a probe. The kubelet syncs the pod
   * at that moment instead of on its next periodic tick.
   */
  nextReadinessProbeAt(uid: string): number | undefined {
    const r = this.pods.get(uid);
    let at: number | undefined;
    for (const cr of Object.values(r?.containers ?? {})) {
      if (!cr.proc || cr.terminated || cr.ready || !cr.probe) continue;
      if (at === undefined || cr.probe.nextAt < at) at = cr.probe.nextAt;
    }
    return at;
  }

  /** Uids of every pod this runtime tracks (in memory). */
  uids(): string[] { return [...this.pods.keys()]; }
  spec(uid: string): PodLite | undefined { return this.specs.get(uid); }

  /** Removes sandboxes/state of pods that no longer exist (after a restart); `alive` = uids the API has. */
  async gc(alive: Set<string>): Promise<void> {
    // all at once: each pod's kill is independent (its own lock), and most of it is waiting for processes to die
    await Promise.all(this.knownUids().filter((uid) => !alive.has(uid)).map(async (uid) => {
      if (!this.pods.has(uid)) { const r = this.store.load(uid); if (r) this.pods.set(uid, r); } // no state: just remove
      this.o.log.info({ uid }, 'removing sandbox of a pod that is gone');
      await this.kill(uid, 0);
    }));
  }
}
