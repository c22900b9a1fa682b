/** The pod lifecycle state machine over a fake Sandbox and PodNetwork (no root, no kernel): container states, restarts, phases, probes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cond, pod, reasons, shell, sleep, stateOf, status, withRig } from './runtime.fakes.js';

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
    assert.deepEqual(c.launch.argv, ['sleep', '1000']);
    assert.match(c.launch.rootfs?.lower ?? '', /\/layers\/[0-9a-f]{64}\/rootfs$/);
    assert.equal(c.launch.env.PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    assert.equal(c.launch.env.ME, '10.244.1.2');
    assert.equal(c.launch.env.GREETING, 'hi p-a');
    const s = status(rt, 'a');
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.244.1.2');
    assert.equal(stateOf(s), 'running');
    assert.equal(cond(s, 'Ready'), 'True');
    assert.equal(cond(s, 'PodReadyToStartContainers'), 'True');
    assert.deepEqual(reasons(events), ['Pulled', 'Created', 'Started']);
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

test('an image not built in: ErrImagePull, then ImagePullBackOff (upstream events), the pod stays Pending', async () => {
  await withRig(async ({ rt, sb, events }) => {
    const p = pod('img', { containers: [{ name: 'c', image: 'nginx:1.25' }] });
    await rt.sync(p);
    assert.equal(stateOf(status(rt, 'img')), 'waiting:ErrImagePull');
    await rt.sync(p);
    assert.equal(sb.containers.size, 0);
    const s = status(rt, 'img');
    assert.equal(stateOf(s), 'waiting:ImagePullBackOff');
    assert.match(JSON.stringify(s), /Back-off pulling image \\"nginx:1.25\\"/);
    assert.equal(s.phase, 'Pending');
    await rt.sync(p); // still backing off: no new attempt, no new event
    assert.deepEqual(reasons(events), ['Failed', 'Failed', 'BackOff', 'Failed']);
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

test('nextReadinessProbeAt: due time of the probe of a running container not Ready yet; none once Ready or without a probe', async () => {
  await withRig(async ({ rt, sb }) => {
    const p = pod('w', { containers: [shell('c', { readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } })] });
    const q = pod('n', { containers: [shell('c')] });
    sb.answers.tcp = false;
    const before = Date.now();
    await rt.sync(p);
    await rt.sync(q);
    const at = rt.nextReadinessProbeAt('w');
    assert.ok(at !== undefined && at >= before + 1000 && at <= Date.now() + 1000, `next probe one period after the first (${at})`);
    assert.equal(rt.nextReadinessProbeAt('n'), undefined);
    sb.answers.tcp = true;
    await sleep(1000);
    await rt.sync(p);
    assert.equal(cond(status(rt, 'w'), 'Ready'), 'True');
    assert.equal(rt.nextReadinessProbeAt('w'), undefined);
  });
});
