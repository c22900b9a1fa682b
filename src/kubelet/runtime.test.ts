/** The pod lifecycle state machine over a fake Sandbox and PodNetwork: no root, no kernel. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../util/log.js';
import { PodRuntime, type PodEvent, type PodNetAttachment, type PodNetwork } from './runtime.js';
import type { ContainerLite, PodLite } from './types.js';
import type { ContainerExit, ContainerLaunch, ContainerProc, PauseHandle, Sandbox } from './sandbox/index.js';

interface FakePause { netnsName: string; alive: boolean }
interface FakeContainer { launch: ContainerLaunch; proc: ContainerProc; alive: boolean; exit?: ContainerExit; stoppedWithGraceMs?: number }

/** In-memory Sandbox: pauses and container attempts are records the test drives (exit, vanish, probe answers). */
class FakeSandbox implements Sandbox {
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

// ───────────────────────────── the tests ─────────────────────────────

const log = createLogger('runtime-test', 'silent');
const NODE_IP = '192.168.200.1';

class FakeNetwork implements PodNetwork {
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

function pod(uid: string, spec: Partial<PodLite['spec']> & { containers: PodLite['spec']['containers'] }, annotations?: Record<string, string>): PodLite {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${uid}`, namespace: 'team-a', uid, ...(annotations ? { annotations } : {}) }, spec: { nodeName: 'n1', ...spec } };
}
const shell = (name: string, extra: Partial<ContainerLite> = {}): ContainerLite => ({ name, image: 'podnet/shell', command: ['sleep', '1000'], ...extra });

interface Rig { rt: PodRuntime; sb: FakeSandbox; net: FakeNetwork; events: PodEvent[]; stateDir: string; mk: () => PodRuntime }

async function withRig(fn: (r: Rig) => Promise<void>, o: { network?: boolean } = {}): Promise<void> {
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

type Status = { phase: string; podIP?: string; conditions: { type: string; status: string }[]; containerStatuses: { name: string; state: Record<string, { reason?: string; exitCode?: number; message?: string }>; lastState: Record<string, { exitCode?: number }>; ready: boolean; restartCount: number }[] };
function status(rt: PodRuntime, uid: string): Status {
  rt.forgetStatus(uid);
  const st = rt.statusIfChanged(uid);
  assert.ok(st, 'a status');
  return st as unknown as Status;
}
const stateOf = (s: Status, c = 'c'): string => {
  const cs = s.containerStatuses.find((x) => x.name === c)!;
  const [kind, v] = Object.entries(cs.state)[0]!;
  return v.reason ? `${kind}:${v.reason}` : kind;
};
const cond = (s: Status, type: string): string | undefined => s.conditions.find((c) => c.type === type)?.status;
const reasons = (events: PodEvent[]): string[] => events.map((e) => e.reason);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a new pod: sandbox (pause + CNI), /etc files, containers running with their environment; Pending before, Running after', async () => {
  await withRig(async ({ rt, sb, net, events, stateDir }) => {
    const p = pod('a', {
      containers: [shell('c', { env: [{ name: 'ME', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'GREETING', value: 'hi $(POD_NAME)' }], ports: [{ containerPort: 80, hostPort: 8080 }] })],
    }, { 'podnet.io/ip': '10.244.1.50' });
    assert.equal(rt.statusIfChanged('a'), undefined, 'nothing known before the first sync');
    await rt.sync(p);
    const rec = rt.record('a')!;
    assert.match(rec.netnsName, /^cni-[0-9a-f-]{36}$/);
    assert.deepEqual(sb.alivePauses(), [rec.pausePid]);
    assert.deepEqual(net.calls, [`ADD ${rec.sandboxId.slice(0, 8)} /run/netns/${rec.netnsName} ports=8080:80/tcp args=IP=10.244.1.50`]);
    assert.deepEqual(rec.podIPs, ['10.244.1.2']);
    assert.match(readFileSync(join(stateDir, 'pods', 'a', 'etc', 'hosts'), 'utf8'), /10\.244\.1\.2\s+p-a/);
    assert.match(readFileSync(join(stateDir, 'pods', 'a', 'etc', 'resolv.conf'), 'utf8'), /nameserver 10\.96\.0\.10/);
    const { c } = sb.latest('c');
    assert.equal(c.launch.netnsPath, `/run/netns/${rec.netnsName}`);
    assert.equal(c.launch.hostname, 'p-a');
    assert.deepEqual(c.launch.argv, ['/bin/busybox', 'sleep', '1000']);
    assert.equal(c.launch.env.ME, '10.244.1.2');
    assert.equal(c.launch.env.GREETING, 'hi p-a');
    const s = status(rt, 'a');
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.244.1.2');
    assert.equal(stateOf(s), 'running');
    assert.equal(cond(s, 'Ready'), 'True');
    assert.equal(cond(s, 'PodReadyToStartContainers'), 'True');
    assert.deepEqual(reasons(events), ['Pulled', 'Started']);
    // a second sync changes nothing
    await rt.sync(p);
    assert.equal(sb.containers.size, 1);
    assert.equal(rt.statusIfChanged('a'), undefined);
  });
});

test('restartPolicy Always: a crash waits out an exponential back-off (CrashLoopBackOff), then restarts with the last state kept', async () => {
  await withRig(async ({ rt, sb, events }) => {
    const p = pod('b', { containers: [shell('c')] });
    await rt.sync(p);
    const first = sb.latest('c').runDir;
    sb.exit(first, 3);
    await rt.sync(p);
    let s = status(rt, 'b');
    assert.equal(stateOf(s), 'waiting:CrashLoopBackOff');
    assert.equal(s.containerStatuses[0]!.restartCount, 0);
    assert.equal(s.phase, 'Running', 'a crash-looping container under Always keeps the pod Running');
    assert.ok(events.some((e) => e.reason === 'BackOff'));
    await rt.sync(p);
    assert.equal(sb.containers.size, 1, 'no restart before the back-off');
    await sleep(130);
    await rt.sync(p);
    assert.equal(sb.containers.size, 2);
    s = status(rt, 'b');
    assert.equal(stateOf(s), 'running');
    assert.equal(s.containerStatuses[0]!.restartCount, 1);
    assert.equal(s.containerStatuses[0]!.lastState.terminated?.exitCode, 3);
    assert.notEqual(sb.latest('c').runDir, first, 'each attempt has its own run dir');
    // the second crash waits twice as long: 200 ms
    const t0 = Date.now();
    sb.exit(sb.latest('c').runDir, 4);
    await rt.sync(p);
    assert.ok(rt.record('b')!.containers.c!.restartAt! - t0 >= 200);
    await sleep(100);
    await rt.sync(p);
    assert.equal(sb.containers.size, 2, 'still backing off after 100 ms');
    await sleep(130);
    await rt.sync(p);
    assert.equal(sb.containers.size, 3);
    assert.equal(rt.record('b')!.containers.c!.restartCount, 2);
  });
});

test('restartPolicy Never and OnFailure: terminal phases, and no restart where the policy says so', async () => {
  await withRig(async ({ rt, sb }) => {
    const ok = pod('ok', { restartPolicy: 'Never', containers: [shell('c')] });
    const bad = pod('bad', { restartPolicy: 'Never', containers: [shell('c')] });
    const retry = pod('retry', { restartPolicy: 'OnFailure', containers: [shell('c')] });
    const done = pod('done', { restartPolicy: 'OnFailure', containers: [shell('c')] });
    for (const p of [ok, bad, retry, done]) await rt.sync(p);
    const dirOf = (uid: string): string => [...sb.containers.keys()].find((d) => d.includes(`/pods/${uid}/`))!;
    sb.exit(dirOf('ok'), 0); sb.exit(dirOf('bad'), 2); sb.exit(dirOf('retry'), 1); sb.exit(dirOf('done'), 0);
    for (const p of [ok, bad, retry, done]) await rt.sync(p);
    assert.equal(status(rt, 'ok').phase, 'Succeeded');
    assert.equal(stateOf(status(rt, 'ok')), 'terminated:Completed');
    assert.equal(status(rt, 'bad').phase, 'Failed');
    assert.equal(stateOf(status(rt, 'bad')), 'terminated:Error');
    assert.equal(cond(status(rt, 'bad'), 'Ready'), 'False');
    assert.equal(stateOf(status(rt, 'retry')), 'waiting:CrashLoopBackOff');
    assert.equal(status(rt, 'retry').phase, 'Running');
    assert.equal(status(rt, 'done').phase, 'Succeeded');
    await sleep(130);
    for (const p of [ok, bad, retry, done]) await rt.sync(p);
    assert.equal(sb.containers.size, 5, 'only the OnFailure pod that failed restarted');
    // a finished pod whose sandbox died is not given a new one
    const before = sb.pauses.size;
    await sb.stopPause({ pid: rt.record('ok')!.pausePid, startTime: 0, netnsName: '' });
    await rt.sync(ok);
    assert.equal(sb.pauses.size, before);
    assert.equal(status(rt, 'ok').phase, 'Succeeded');
  });
});

test('an image not built in waits as ErrImagePull (one event), the pod stays Pending', async () => {
  await withRig(async ({ rt, sb, events }) => {
    const p = pod('img', { containers: [{ name: 'c', image: 'nginx:1.25' }] });
    await rt.sync(p);
    await rt.sync(p);
    assert.equal(sb.containers.size, 0);
    const s = status(rt, 'img');
    assert.equal(stateOf(s), 'waiting:ErrImagePull');
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(reasons(events), ['Failed']);
    assert.equal((rt.logTarget('team-a', 'p-img', 'c', false) as { code: number }).code, 400);
  });
});

test('a container that vanished without an exit record reads as killed (137); a set-up failure (128) says so', async () => {
  await withRig(async ({ rt, sb }) => {
    const p = pod('v', { restartPolicy: 'Never', containers: [shell('c'), shell('d')] });
    await rt.sync(p);
    sb.vanish(sb.latest('c').runDir);
    const d = sb.latest('d');
    mkdirSync(join(d.c.launch.logPath, '..'), { recursive: true });
    writeFileSync(d.c.launch.logPath, '');
    sb.exit(d.runDir, 128);
    await rt.sync(p);
    const s = status(rt, 'v');
    const c = s.containerStatuses.find((x) => x.name === 'c')!.state.terminated!;
    assert.equal(c.exitCode, 137);
    assert.equal((s.containerStatuses.find((x) => x.name === 'c')!.state.terminated as { signal?: number }).signal, 9);
    assert.match(s.containerStatuses.find((x) => x.name === 'd')!.state.terminated!.message ?? '', /set-up failed/);
    assert.equal(s.phase, 'Failed');
  });
});

test('a dead sandbox is replaced: CNI DEL, old pause gone, containers stopped and restarted in the new netns, restart counts kept', async () => {
  await withRig(async ({ rt, sb, net }) => {
    const p = pod('s', { containers: [shell('c')] });
    await rt.sync(p);
    const old = rt.record('s')!;
    const oldNetns = old.netnsName, oldPause = old.pausePid, oldSandbox = old.sandboxId;
    const firstAttempt = sb.latest('c');
    await sb.stopPause({ pid: oldPause, startTime: 0, netnsName: '' }); // the pause died
    assert.equal(status(rt, 's').conditions.find((c) => c.type === 'PodReadyToStartContainers')!.status, 'False');
    await rt.sync(p);
    const now = rt.record('s')!;
    assert.notEqual(now.netnsName, oldNetns);
    assert.notEqual(now.pausePid, oldPause);
    assert.deepEqual(net.calls.map((c) => c.split(' ').slice(0, 2).join(' ')), [`ADD ${oldSandbox.slice(0, 8)}`, `DEL ${oldSandbox.slice(0, 8)}`, `ADD ${now.sandboxId.slice(0, 8)}`]);
    assert.equal(firstAttempt.c.stoppedWithGraceMs, 0, 'containers of the dead sandbox are killed at once');
    assert.equal(stateOf(status(rt, 's')), 'waiting:CrashLoopBackOff');
    await sleep(130);
    await rt.sync(p);
    assert.equal(sb.latest('c').c.launch.netnsPath, `/run/netns/${now.netnsName}`);
    assert.equal(rt.record('s')!.containers.c!.restartCount, 1);
    assert.equal(rt.record('s')!.startTime, old.startTime, 'the pod keeps its start time');
  });
});

test('a failed CNI ADD rolls the sandbox back (DEL, pause stopped), warns, and the pod stays Pending until it works', async () => {
  await withRig(async ({ rt, sb, net, events }) => {
    const p = pod('n', { containers: [shell('c')] });
    net.fail = new Error('no addresses left');
    await rt.sync(p);
    assert.deepEqual(sb.alivePauses(), []);
    assert.equal(net.calls.filter((c) => c.startsWith('DEL')).length, 1);
    assert.equal(sb.containers.size, 0);
    assert.equal(events.find((e) => e.reason === 'FailedCreatePodSandBox')?.type, 'Warning');
    assert.equal(status(rt, 'n').phase, 'Pending');
    net.fail = undefined;
    await rt.sync(p);
    assert.equal(sb.alivePauses().length, 1);
    assert.equal(status(rt, 'n').phase, 'Running');
  });
});

test('liveness: failureThreshold failures kill the container with the grace period, then it restarts', async () => {
  await withRig(async ({ rt, sb, events }) => {
    const p = pod('l', { terminationGracePeriodSeconds: 2, containers: [shell('c', { ports: [{ name: 'admin', containerPort: 9000 }], livenessProbe: { tcpSocket: { port: 'admin' }, periodSeconds: 0, failureThreshold: 2 } })] });
    await rt.sync(p);
    assert.equal(sb.probes.at(-1), `tcp /run/netns/${rt.record('l')!.netnsName} 10.244.1.2:9000`);
    sb.answers.tcp = false;
    await rt.sync(p);
    assert.equal(sb.latest('c').c.alive, true, 'one failure is not enough');
    await rt.sync(p);
    const killed = sb.latest('c').c;
    assert.equal(killed.alive, false);
    assert.equal(killed.stoppedWithGraceMs, 2000);
    assert.equal(rt.record('l')!.containers.c!.terminated?.exitCode, 143);
    await rt.sync(p);
    const s = status(rt, 'l');
    assert.equal(stateOf(s), 'waiting:CrashLoopBackOff');
    assert.deepEqual(reasons(events).slice(-3), ['Unhealthy', 'Killing', 'BackOff']);
    assert.match(rt.record('l')!.containers.c!.terminated!.message ?? '', /failed liveness probe/);
    sb.answers.tcp = true;
    await sleep(130);
    await rt.sync(p);
    assert.equal(stateOf(status(rt, 'l')), 'running');
  });
});

test('readiness: the container is ready only after the probe succeeds, and unready after failureThreshold failures', async () => {
  await withRig(async ({ rt, sb, events }) => {
    const p = pod('r', { containers: [shell('c', { readinessProbe: { httpGet: { port: 8080, path: '/healthz' }, periodSeconds: 0, failureThreshold: 2 } }), shell('x', { readinessProbe: { exec: { command: ['true'] }, periodSeconds: 0 } })] });
    sb.answers.http = false;
    await rt.sync(p);
    let s = status(rt, 'r');
    assert.equal(s.containerStatuses[0]!.ready, false);
    assert.equal(s.containerStatuses[1]!.ready, true);
    assert.equal(cond(s, 'Ready'), 'False');
    assert.equal(cond(s, 'ContainersReady'), 'False');
    assert.ok(sb.probes.includes(`exec ${sb.latest('x').c.proc.initPid} true`));
    sb.answers.http = true;
    await rt.sync(p);
    s = status(rt, 'r');
    assert.equal(cond(s, 'Ready'), 'True');
    assert.ok(sb.probes.includes(`http /run/netns/${rt.record('r')!.netnsName} http://10.244.1.2:8080/healthz`));
    sb.answers.http = false;
    await rt.sync(p);
    assert.equal(status(rt, 'r').containerStatuses[0]!.ready, true, 'one failure is not enough');
    await rt.sync(p);
    assert.equal(status(rt, 'r').containerStatuses[0]!.ready, false);
    assert.equal(events.filter((e) => e.reason === 'Unhealthy').length, 1);
  });
});

test('kill: containers stopped with the grace period, CNI DEL, pause stopped, state and logs removed', async () => {
  await withRig(async ({ rt, sb, net, events, stateDir }) => {
    const p = pod('k', { containers: [shell('c')] });
    await rt.sync(p);
    const rec = rt.record('k')!;
    const logDir = join(stateDir, 'logs', `team-a_p-k_k`);
    assert.equal(existsSync(logDir), true);
    await rt.kill('k', 5);
    assert.equal(sb.latest('c').c.stoppedWithGraceMs, 5000);
    assert.deepEqual(sb.alivePauses(), []);
    assert.equal(net.calls.at(-1), `DEL ${rec.sandboxId.slice(0, 8)}`);
    assert.equal(existsSync(join(stateDir, 'pods', 'k')), false);
    assert.equal(existsSync(logDir), false);
    assert.equal(rt.record('k'), undefined);
    assert.equal(events.at(-1)?.reason, 'Killing');
  });
});

test('a restarted runtime adopts what runs (no new sandbox, no new container) and gc removes pods that are gone', async () => {
  await withRig(async ({ rt, sb, mk }) => {
    const keep = pod('keep', { containers: [shell('c')] });
    const gone = pod('gone', { containers: [shell('c')] });
    await rt.sync(keep);
    await rt.sync(gone);
    const pauses = sb.pauses.size, attempts = sb.containers.size;
    const rt2 = mk();
    assert.deepEqual(rt2.loadState().map((r) => r.uid).sort(), ['gone', 'keep']);
    await rt2.sync(keep);
    assert.equal(sb.pauses.size, pauses);
    assert.equal(sb.containers.size, attempts);
    assert.equal(stateOf(status(rt2, 'keep')), 'running');
    await rt2.gc(new Set(['keep']));
    assert.deepEqual(rt2.knownUids(), ['keep']);
    assert.deepEqual(sb.alivePauses(), [rt2.record('keep')!.pausePid]);
    assert.deepEqual(rt2.attachments(), [{ containerId: rt2.record('keep')!.sandboxId, ifName: 'eth0' }]);
  });
});

test('hostNetwork pods: a pause in the node\'s namespace, the node IP, no CNI', async () => {
  await withRig(async ({ rt, sb, net }) => {
    const p = pod('h', { hostNetwork: true, containers: [shell('c')] });
    await rt.sync(p);
    const rec = rt.record('h')!;
    assert.equal(rec.hostNetwork, true);
    assert.deepEqual(rec.podIPs, [NODE_IP]);
    assert.deepEqual(net.calls, []);
    assert.equal(sb.latest('c').c.launch.netnsPath, `/proc/${rec.pausePid}/ns/net`);
    assert.equal(status(rt, 'h').phase, 'Running');
    assert.deepEqual(rt.attachments(), []);
  });
});

test('exec and log targets follow the container\'s state', async () => {
  await withRig(async ({ rt, sb }) => {
    const p = pod('t', { containers: [shell('c')] });
    await rt.sync(p);
    const init = sb.latest('c').c.proc.initPid;
    assert.deepEqual(rt.execTarget('team-a', 'p-t'), { initPid: init });
    assert.equal((rt.execTarget('team-a', 'nope') as { code: number }).code, 404);
    assert.equal((rt.execTarget('team-a', 'p-t', 'zz') as { code: number }).code, 404);
    const lt = rt.logTarget('team-a', 'p-t', 'c', false) as { path: string; running: () => boolean };
    assert.equal(lt.running(), true);
    assert.equal((rt.logTarget('team-a', 'p-t', 'c', true) as { code: number }).code, 400, 'no previous attempt yet');
    sb.exit(sb.latest('c').runDir, 1);
    assert.equal(lt.running(), false);
    await rt.sync(p);
    assert.equal((rt.execTarget('team-a', 'p-t') as { code: number }).code, 400);
  });
});
