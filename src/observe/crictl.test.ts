import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PodRec } from '../kubelet/podrecord.js';
import { procStartTime } from '../net/proc.js';
import { filterContainers, filterSandboxes, inspectContainer, inspectSandbox, renderPods, renderPs } from './crictl.js';
import { pickByPrefix, RuntimeState } from './runtimestate.js';
import { humanAgo } from './table.js';

const me = process.pid;
const myStart = procStartTime(me)!;
const SB1 = 'aa11'.repeat(16);
const SB2 = 'bb22'.repeat(16);
const C1 = 'c0ffee'.padEnd(64, '1');
const C2 = 'c0ffee'.padEnd(64, '2');

/** A kubelet dir with two pods: one live (this test process stands in for pause and container), one dead. */
function fixture(): { dir: string; recs: PodRec[] } {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-crictl-'));
  const live: PodRec = {
    uid: 'u-live', namespace: 'default', name: 'pod-1', sandboxId: SB1, netnsName: '', hostNetwork: true, pausePid: me, pauseStart: myStart,
    podIPs: ['10.244.0.9'], networkAttached: true, startTime: '2024-03-21T23:40:40.000Z',
    containers: { nginx: { name: 'nginx', attempt: 0, restartCount: 0, containerID: `podnet://${C1}`, image: 'podnet/echo', ready: true, startedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
      proc: { shimPid: me, shimStart: myStart, pid: me, pidStart: myStart, initPid: me, initStart: myStart } } },
  };
  const dead: PodRec = {
    uid: 'u-dead', namespace: 'kube-system', name: 'old', sandboxId: SB2, netnsName: 'cni-gone', pausePid: 999_999_9, pauseStart: 1,
    podIPs: [], networkAttached: false, startTime: '2024-03-21T23:40:40.000Z',
    containers: { app: { name: 'app', attempt: 2, restartCount: 2, containerID: `podnet://${C2}`, image: 'busybox', ready: false, startedAt: '2024-03-21T23:41:00.000Z',
      proc: { shimPid: 999_999_8, shimStart: 1, pid: 999_999_7, pidStart: 1, initPid: 999_999_6, initStart: 1 },
      terminated: { kind: 'terminated', exitCode: 137, reason: 'Error', startedAt: '2024-03-21T23:41:00.000Z', finishedAt: '2024-03-21T23:42:00.000Z' } } },
  };
  for (const r of [live, dead]) { mkdirSync(join(dir, 'pods', r.uid), { recursive: true }); writeFileSync(join(dir, 'pods', r.uid, 'state.json'), JSON.stringify(r)); }
  mkdirSync(join(dir, 'pods', 'u-half')); // a half-written pod dir: skipped
  return { dir, recs: [live, dead] };
}

test('the runtime state read from a kubelet dir: states, pids, ids without the scheme', () => {
  const { dir } = fixture();
  try {
    const st = new RuntimeState(dir);
    assert.equal(st.sandboxes.length, 2);
    const live = st.sandbox('aa11');
    assert.equal(live.state, 'SANDBOX_READY');
    assert.equal(live.pid, me);
    assert.equal(st.sandbox(SB2).state, 'SANDBOX_NOTREADY');
    assert.equal(st.sandbox(SB2).pid, 0);
    const c1 = st.container('c0ffee1');
    assert.equal(c1.state, 'CONTAINER_RUNNING');
    assert.equal(c1.pid, me);
    assert.equal(c1.runDir, join(dir, 'pods', 'u-live', 'containers', 'nginx', '0'));
    const c2 = st.container(`podnet://${C2}`);
    assert.equal(c2.state, 'CONTAINER_EXITED');
    assert.equal(c2.pid, 0);
    assert.equal(c2.exitCode, 137);
    assert.throws(() => st.container('c0ffee'), (e: unknown) => (e as { code: string }).code === 'EAMBIGUOUS');
    assert.throws(() => st.container('dead'), (e: unknown) => (e as { code: string }).code === 'ENOTFOUND');
    assert.equal(st.sandboxOfPod('default', 'pod-1')?.id, SB1);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('ps: running containers in crictl\'s columns; -a adds exited ones', () => {
  const { dir } = fixture();
  try {
    const st = new RuntimeState(dir);
    const now = Date.now();
    const out = renderPs(filterContainers(st.containers, {}), now);
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0]!, /^CONTAINER +IMAGE +CREATED +STATE +NAME +ATTEMPT +POD ID +POD$/);
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^c0ffee1111111 +podnet\/echo +3 hours ago +Running +nginx +0 +aa11aa11aa11a +pod-1$/);
    assert.equal(filterContainers(st.containers, { all: true }).length, 2);
    assert.deepEqual(filterContainers(st.containers, { state: 'exited' }).map((c) => c.name), ['app']);
    assert.deepEqual(filterContainers(st.containers, { all: true, name: '^ngi' }).map((c) => c.name), ['nginx']);
    assert.deepEqual(filterContainers(st.containers, { all: true, pod: 'bb22' }).map((c) => c.name), ['app']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('pods: crictl\'s columns and Ready/NotReady', () => {
  const { dir } = fixture();
  try {
    const st = new RuntimeState(dir);
    const lines = renderPods(filterSandboxes(st.sandboxes, {}), Date.now()).trimEnd().split('\n');
    assert.match(lines[0]!, /^POD ID +CREATED +STATE +NAME +NAMESPACE +ATTEMPT +RUNTIME$/);
    assert.ok(lines.some((l) => /^aa11aa11aa11a +.+ ago +Ready +pod-1 +default +0 +\(default\)$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^bb22bb22bb22b +.+ ago +NotReady +old +kube-system +0 +\(default\)$/.test(l)), lines.join('\n'));
    assert.deepEqual(filterSandboxes(st.sandboxes, { namespace: 'kube' }).map((s) => s.name), ['old']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('inspect: .info.pid and .status as crictl prints them; inspectp: the pause pid and netns', () => {
  const { dir } = fixture();
  try {
    const st = new RuntimeState(dir);
    const j = inspectContainer(st.container('c0ffee1')) as { status: Record<string, unknown>; info: Record<string, unknown> };
    assert.equal(j.info.pid, me);
    assert.equal(j.info.sandboxID, SB1);
    assert.equal(j.status.state, 'CONTAINER_RUNNING');
    assert.deepEqual(j.status.metadata, { attempt: 0, name: 'nginx' });
    assert.equal((j.status.labels as Record<string, string>)['io.kubernetes.pod.name'], 'pod-1');
    const p = inspectSandbox(st.sandbox(SB1), st.containers) as { status: Record<string, unknown>; info: Record<string, unknown> };
    assert.equal(p.info.pid, me);
    assert.deepEqual(p.status.network, { additionalIps: [], ip: '10.244.0.9' });
    assert.deepEqual(p.info.containers, [{ id: C1, name: 'nginx', state: 'CONTAINER_RUNNING', pid: me }]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('prefix picking and crictl\'s durations', () => {
  assert.throws(() => pickByPrefix('container', [], ''), /required/);
  assert.equal(pickByPrefix('container', [{ id: 'ABC' }, { id: 'abd' }], 'abc').id, 'ABC');
  const now = 1_000_000_000_000;
  assert.equal(humanAgo(now, now), 'Less than a second ago');
  assert.equal(humanAgo(now - 5_000, now), '5 seconds ago');
  assert.equal(humanAgo(now - 90_000, now), 'About a minute ago');
  assert.equal(humanAgo(now - 10 * 60_000, now), '10 minutes ago');
  assert.equal(humanAgo(now - 3600_000, now), 'About an hour ago');
  assert.equal(humanAgo(now - 3 * 3600_000, now), '3 hours ago');
  assert.equal(humanAgo(now - 3 * 86400_000, now), '3 days ago');
});
