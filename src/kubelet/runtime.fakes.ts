/**
 * Fakes of the pod runtime's edges for its unit tests (never used by the daemon): an in-memory
 * Sandbox whose pauses and container attempts the test drives, a PodNetwork handing out
 * addresses, and a rig that builds a PodRuntime over them in a temporary state dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../util/log.js';
import { PodRuntime, type PodEvent, type PodNetAttachment, type PodNetwork } from './runtime.js';
import type { ContainerExit, ContainerLaunch, ContainerProc, PauseHandle, Sandbox } from './sandbox/index.js';
import type { ContainerLite, PodLite } from './types.js';

interface FakePause { netnsName: string; alive: boolean }
interface FakeContainer { launch: ContainerLaunch; proc: ContainerProc; alive: boolean; exit?: ContainerExit; stoppedWithGraceMs?: number }

/** In-memory Sandbox: pauses and container attempts are records the test drives (exit, vanish, probe answers). */
export class FakeSandbox implements Sandbox {
  private nextPid = 1000;
  readonly pauses = new Map<number, FakePause>();
  /** Every attempt started, by run dir. */
  readonly containers = new Map<string, FakeContainer>();
  /** What the probes answer. */
  answers = { tcp: true, http: true, exec: true };
  /** Probes run, as `kind target`. */
  readonly probes: string[] = [];
  /** Refuse new pauses (e.g. a broken kernel). */
  failPause?: Error;

  private pause(netnsName: string): PauseHandle {
    if (this.failPause) throw this.failPause;
    const pid = this.nextPid++;
    this.pauses.set(pid, { netnsName, alive: true });
    return { pid, startTime: pid * 10 };
  }

  async startPause(netnsName: string): Promise<PauseHandle> { return this.pause(netnsName); }
  async startHostNetworkPause(): Promise<PauseHandle> { return this.pause(''); }
  async stopPause(p: { pid: number; startTime: number; netnsName: string }): Promise<void> {
    const f = this.pauses.get(p.pid);
    if (f) f.alive = false;
  }
  pauseAlive(p: { pid: number; startTime: number; netnsName?: string }): boolean {
    const f = this.pauses.get(p.pid);
    return !!f && f.alive && p.startTime === p.pid * 10 && (!p.netnsName || p.netnsName === f.netnsName);
  }

  async startContainer(c: ContainerLaunch): Promise<ContainerProc> {
    if (this.containers.has(c.runDir)) throw new Error(`${c.runDir} reused`);
    const shimPid = this.nextPid++, pid = this.nextPid++, initPid = this.nextPid++;
    const proc = { shimPid, shimStart: 1, pid, pidStart: 1, initPid, initStart: 1 };
    this.containers.set(c.runDir, { launch: c, proc, alive: true });
    return proc;
  }
  containerExit(runDir: string): ContainerExit | undefined { return this.containers.get(runDir)?.exit; }
  private byProc(p: ContainerProc): FakeContainer | undefined { return [...this.containers.values()].find((c) => c.proc.shimPid === p.shimPid); }
  containerAlive(p: ContainerProc): boolean { return !!this.byProc(p)?.alive; }
  initAlive(p: ContainerProc): boolean { return !!this.byProc(p)?.alive; }
  async stopContainer(p: ContainerProc, runDir: string, graceMs: number): Promise<void> {
    const c = this.containers.get(runDir);
    if (!c || !c.alive) return;
    c.stoppedWithGraceMs = graceMs;
    this.exit(runDir, graceMs > 0 ? 143 : 137);
  }
  async probeTcp(netnsPath: string, host: string, port: number): Promise<boolean> { this.probes.push(`tcp ${netnsPath} ${host}:${port}`); return this.answers.tcp; }
  async probeHttp(netnsPath: string, url: string): Promise<boolean> { this.probes.push(`http ${netnsPath} ${url}`); return this.answers.http; }
  async probeExec(initPid: number, command: readonly string[]): Promise<boolean> { this.probes.push(`exec ${initPid} ${command.join(' ')}`); return this.answers.exec; }

  // ─── driving it ───
  /** The attempt ends with `code`, recorded as the shim would. */
  exit(runDir: string, code: number): void {
    const c = this.containers.get(runDir);
    if (!c) throw new Error(`no attempt in ${runDir}`);
    c.alive = false;
    c.exit = { code, finishedAt: new Date().toISOString() };
  }
  /** The attempt's processes vanish without an exit record (shim killed too). */
  vanish(runDir: string): void { const c = this.containers.get(runDir); if (c) c.alive = false; }
  /** The latest attempt of a container (by its run dir's …/<container>/<attempt>). */
  latest(container: string): { runDir: string; c: FakeContainer } {
    const all = [...this.containers.entries()].filter(([d]) => d.split('/').at(-2) === container);
    const last = all.at(-1);
    if (!last) throw new Error(`no attempt of ${container}`);
    return { runDir: last[0], c: last[1] };
  }
  alivePauses(): number[] { return [...this.pauses.entries()].filter(([, p]) => p.alive).map(([pid]) => pid); }
}


const log = createLogger('runtime-test', 'silent');
export const NODE_IP = '192.168.200.1';

export class FakeNetwork implements PodNetwork {
  readonly calls: string[] = [];
  fail?: Error;
  private next = 2;
  async setUp(a: PodNetAttachment): Promise<{ ips: string[]; result: unknown }> {
    this.calls.push(`ADD ${a.containerId.slice(0, 8)} ${a.netnsPath}${a.portMappings ? ` ports=${a.portMappings.map((p) => `${p.hostPort}:${p.containerPort}/${p.protocol}`).join(',')}` : ''}${a.cniArgs ? ` args=${a.cniArgs.map((x) => x.join('=')).join(',')}` : ''}`);
    if (this.fail) throw this.fail;
    return { ips: [`10.244.1.${this.next++}/24`], result: {} };
  }
  async tearDown(a: PodNetAttachment): Promise<void> { this.calls.push(`DEL ${a.containerId.slice(0, 8)}`); }
  async status(): Promise<void> { /* ready */ }
}

export function pod(uid: string, spec: Partial<PodLite['spec']> & { containers: PodLite['spec']['containers'] }, annotations?: Record<string, string>): PodLite {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${uid}`, namespace: 'team-a', uid, ...(annotations ? { annotations } : {}) }, spec: { nodeName: 'n1', ...spec } };
}
export const shell = (name: string, extra: Partial<ContainerLite> = {}): ContainerLite => ({ name, image: 'podnet/shell', command: ['sleep', '1000'], ...extra });

export interface Rig { rt: PodRuntime; sb: FakeSandbox; net: FakeNetwork; events: PodEvent[]; stateDir: string; mk: () => PodRuntime }

export async function withRig(fn: (r: Rig) => Promise<void>, o: { network?: boolean } = {}): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'podnet-rt-'));
  const sb = new FakeSandbox();
  const net = new FakeNetwork();
  const events: PodEvent[] = [];
  const mk = (): PodRuntime => new PodRuntime({
    stateDir, nodeName: 'n1', nodeIP: NODE_IP, clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', log,
    sandbox: sb, ...(o.network === false ? {} : { network: net }), backoffBaseMs: 100, backoffCapMs: 1000, onEvent: (e) => events.push(e),
  });
  try { await fn({ rt: mk(), sb, net, events, stateDir, mk }); } finally { rmSync(stateDir, { recursive: true, force: true }); }
}

export type Status = { phase: string; podIP?: string; conditions: { type: string; status: string }[]; containerStatuses: { name: string; state: Record<string, { reason?: string; exitCode?: number; message?: string }>; lastState: Record<string, { exitCode?: number }>; ready: boolean; restartCount: number }[] };
export function status(rt: PodRuntime, uid: string): Status {
  rt.forgetStatus(uid);
  const st = rt.statusIfChanged(uid);
  if (!st) throw new Error(`no status for ${uid}`);
  return st as unknown as Status;
}
export const stateOf = (s: Status, c = 'c'): string => {
  const cs = s.containerStatuses.find((x) => x.name === c)!;
  const [kind, v] = Object.entries(cs.state)[0]!;
  return v.reason ? `${kind}:${v.reason}` : kind;
};
export const cond = (s: Status, type: string): string | undefined => s.conditions.find((c) => c.type === type)?.status;
export const reasons = (events: PodEvent[]): string[] => events.map((e) => e.reason);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
