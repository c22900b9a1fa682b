/** The pod runtime's sandbox handling over a fake Sandbox and PodNetwork (no root): replacement, CNI rollback, kill, adoption, hostNetwork, API targets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_IP, pod, shell, sleep, stateOf, status, withRig } from './runtime.fakes.js';

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
    const t = rt.execTarget('team-a', 'p-t') as { initPid: number; env: Record<string, string>; rootfs: boolean };
    assert.equal(t.initPid, init);
    assert.equal(t.rootfs, true);
    assert.equal(t.env.PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
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

test('ephemeral containers: started once in the target\'s PID namespace (and its IPC), never restarted; ephemeralContainerStatuses', async () => {
  await withRig(async ({ rt, sb }) => {
    const p = pod('e', { containers: [shell('c')] });
    await rt.sync(p);
    const target = sb.latest('c').c.proc.initPid;
    const withDebug = { ...p, spec: { ...p.spec, ephemeralContainers: [{ name: 'debugger', image: 'podnet/shell', command: ['sleep', '100'], targetContainerName: 'c' }] } };
    await rt.sync(withDebug);
    const d = sb.latest('debugger');
    assert.equal(d.c.launch.pidOf, target);
    assert.equal(d.c.launch.ipcOf, target);
    assert.ok(d.c.launch.rootfs, 'its own image rootfs');
    const st = status(rt, 'e') as unknown as { ephemeralContainerStatuses: { name: string; state: Record<string, unknown>; imageID: string }[] };
    assert.equal(st.ephemeralContainerStatuses[0]!.name, 'debugger');
    assert.ok(st.ephemeralContainerStatuses[0]!.state.running);
    assert.match(st.ephemeralContainerStatuses[0]!.imageID, /^docker\.io\/podnet\/shell@sha256:/);
    // it exits: terminated, not restarted (the pod's restartPolicy Always does not apply)
    sb.exit(d.runDir, 0);
    await rt.sync(withDebug);
    await rt.sync(withDebug);
    assert.equal(sb.latest('debugger').runDir, d.runDir);
    const st2 = status(rt, 'e') as unknown as { ephemeralContainerStatuses: { state: Record<string, unknown> }[]; phase: string };
    assert.ok(st2.ephemeralContainerStatuses[0]!.state.terminated);
    assert.equal(st2.phase, 'Running', 'the pod itself still runs');
  });
});
