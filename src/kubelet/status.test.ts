import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, computePodStatus, podPhase, shouldRestart, type ContainerView, type PodView } from './status.js';
import type { PodSpecLite } from './types.js';

const spec = (restartPolicy?: PodSpecLite['restartPolicy']): PodSpecLite => ({ containers: [{ name: 'a', image: 'podnet/shell' }, { name: 'b', image: 'podnet/shell' }], restartPolicy });
const running = (name: string, ready = true): ContainerView => ({ name, image: 'i', restartCount: 0, ready, state: { kind: 'running', startedAt: 't' } });
const exited = (name: string, exitCode: number): ContainerView => ({ name, image: 'i', restartCount: 0, ready: false, state: { kind: 'terminated', exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: 't' } });
const view = (containers: ContainerView[], sandboxReady = true): PodView => ({ sandboxReady, podIPs: ['10.0.0.2'], hostIP: '192.168.0.1', startTime: 't', containers });

test('phase: Pending while a container waits or no sandbox', () => {
  assert.equal(podPhase(spec(), view([running('a'), { name: 'b', image: 'x', restartCount: 0, ready: false, state: { kind: 'waiting', reason: 'ErrImagePull' } }])), 'Pending');
  assert.equal(podPhase(spec(), view([{ name: 'a', image: 'x', restartCount: 0, ready: false, state: { kind: 'waiting', reason: 'ContainerCreating' } }], false)), 'Pending');
});

test('phase by restartPolicy when every container stopped', () => {
  assert.equal(podPhase(spec('Never'), view([exited('a', 0), exited('b', 0)])), 'Succeeded');
  assert.equal(podPhase(spec('Never'), view([exited('a', 0), exited('b', 2)])), 'Failed');
  assert.equal(podPhase(spec('OnFailure'), view([exited('a', 0), exited('b', 0)])), 'Succeeded');
  assert.equal(podPhase(spec('OnFailure'), view([exited('a', 0), exited('b', 1)])), 'Running');
  assert.equal(podPhase(spec('Always'), view([exited('a', 0), exited('b', 0)])), 'Running');
  assert.equal(podPhase(spec('Never'), view([running('a'), exited('b', 1)])), 'Running');
});

test('crash-looping container counts as stopped, not waiting', () => {
  const c: ContainerView = { name: 'a', image: 'i', restartCount: 3, ready: false, state: { kind: 'waiting', reason: 'CrashLoopBackOff' }, lastTerminated: { kind: 'terminated', exitCode: 1, reason: 'Error', finishedAt: 't' } };
  assert.equal(podPhase({ containers: [{ name: 'a', image: 'i' }] }, view([c])), 'Running');
});

test('status: Ready only when all containers ready; transition times kept', () => {
  const s1 = computePodStatus(spec(), view([running('a'), running('b', false)]), undefined, 'T1');
  const ready1 = (s1.conditions as { type: string; status: string; message?: string; lastTransitionTime: string }[]).find((c) => c.type === 'Ready')!;
  assert.equal(ready1.status, 'False');
  assert.equal(ready1.message, 'containers with unready status: [b]');
  assert.equal(s1.podIP, '10.0.0.2');
  assert.deepEqual(s1.podIPs, [{ ip: '10.0.0.2' }]);
  const s2 = computePodStatus(spec(), view([running('a'), running('b')]), s1.conditions as never, 'T2');
  const c2 = s2.conditions as { type: string; status: string; lastTransitionTime: string }[];
  assert.equal(c2.find((c) => c.type === 'Ready')!.status, 'True');
  assert.equal(c2.find((c) => c.type === 'Ready')!.lastTransitionTime, 'T2');
  assert.equal(c2.find((c) => c.type === 'PodScheduled')!.lastTransitionTime, 'T1');
  const cs = (s2.containerStatuses as { state: unknown; started: boolean }[])[0]!;
  assert.deepEqual(cs.state, { running: { startedAt: 't' } });
  assert.equal(cs.started, true);
  const done = computePodStatus(spec('Never'), view([exited('a', 0), exited('b', 0)]), undefined, 'T');
  assert.equal((done.conditions as { type: string; reason?: string }[]).find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
});

test('restart policy and back-off', () => {
  assert.equal(shouldRestart('Always', 0), true);
  assert.equal(shouldRestart('OnFailure', 0), false);
  assert.equal(shouldRestart('OnFailure', 1), true);
  assert.equal(shouldRestart('Never', 1), false);
  assert.deepEqual([0, 1, 2, 5, 10].map((n) => backoffMs(n, 10_000, 300_000)), [10_000, 20_000, 40_000, 300_000, 300_000]);
});
