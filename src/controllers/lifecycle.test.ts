/** Pure parts of drain and cascading deletion: cordon in the scheduler, the unschedulable taint, PDB status. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { failureMessage, schedule } from './schedmodel.js';
import { desiredTaints, UNSCHEDULABLE_TAINT } from './nodetaints.js';
import { computePdbStatus, scaled } from './disruptionmodel.js';

const node = (name: string, extra: Partial<NonNullable<Node['spec']>> = {}): Node => ({
  metadata: { name, labels: {} }, spec: { ...extra },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod = (name: string, o: { labels?: Record<string, string>; ready?: boolean; phase?: string; deleting?: boolean; tolerations?: Pod['spec'] extends infer S ? S extends { tolerations?: infer T } ? T : never : never } = {}): Pod => ({
  metadata: { name, namespace: 'default', labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { containers: [{ name: 'c', image: 'i' }], tolerations: o.tolerations },
  status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

test('scheduler: a cordoned node gets no pods; the other node does; all cordoned → upstream message', () => {
  const r = schedule(pod('p'), [node('node1', { unschedulable: true }), node('node2')], new Map([['node2', 5]]));
  assert.equal(r.node, 'node2');
  const none = schedule(pod('p'), [node('node1', { unschedulable: true }), node('node2', { unschedulable: true })], new Map());
  assert.equal(none.node, undefined);
  assert.equal(failureMessage(none), '0/2 nodes are available: 2 node(s) were unschedulable.');
  // a pod tolerating the unschedulable taint (as DaemonSet pods do) still goes there
  const tol = schedule(pod('ds', { tolerations: [{ key: UNSCHEDULABLE_TAINT, operator: 'Exists', effect: 'NoSchedule' }] }), [node('node1', { unschedulable: true })], new Map());
  assert.equal(tol.node, 'node1');
});

test('scheduler: the unschedulable taint alone (set by the node lifecycle controller) also keeps pods away', () => {
  const tainted = node('node1', { taints: [{ key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' }] });
  assert.equal(schedule(pod('p'), [tainted], new Map()).node, undefined);
});

test('cordon adds node.kubernetes.io/unschedulable:NoSchedule once, uncordon removes only it', () => {
  const now = new Date('2026-05-06T07:08:09.500Z');
  const t = desiredTaints(node('n', { unschedulable: true, taints: [{ key: 'x', value: 'y', effect: 'NoExecute' }] }), now);
  assert.deepEqual(t, [{ key: 'x', value: 'y', effect: 'NoExecute' }, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule', timeAdded: '2026-05-06T07:08:09Z' }]);
  assert.equal(desiredTaints(node('n', { unschedulable: true, taints: t }), now), undefined);
  assert.deepEqual(desiredTaints(node('n', { unschedulable: false, taints: t }), now), [{ key: 'x', value: 'y', effect: 'NoExecute' }]);
  assert.equal(desiredTaints(node('n'), now), undefined);
});

test('PDB status: minAvailable as a number, a percentage, maxUnavailable; unready and terminating pods are not healthy', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  const pods = [pod('a'), pod('b'), pod('c', { ready: false }), pod('d', { deleting: true }), pod('other', { labels: { app: 'db' } }), pod('done', { phase: 'Succeeded' })];
  const sel = { matchLabels: { app: 'web' } };
  const s1 = computePdbStatus({ minAvailable: 2, selector: sel }, 3, pods, undefined, undefined, now);
  assert.deepEqual({ ...s1, conditions: undefined }, { observedGeneration: 3, disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 4, conditions: undefined });
  assert.deepEqual(s1.conditions.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);
  const s2 = computePdbStatus({ minAvailable: 1, selector: sel }, 1, pods, undefined, undefined, now);
  assert.equal(s2.disruptionsAllowed, 1);
  assert.equal(s2.conditions[0]!.reason, 'SufficientPods');
  // 50% of the controllers' 3 replicas, rounded up = 2
  assert.equal(computePdbStatus({ minAvailable: '50%', selector: sel }, 1, pods, 3, undefined, now).desiredHealthy, 2);
  const s3 = computePdbStatus({ maxUnavailable: 1, selector: sel }, 1, pods, 3, undefined, now);
  assert.deepEqual([s3.expectedPods, s3.desiredHealthy, s3.disruptionsAllowed], [3, 2, 0]);
  // no selector: covers nothing
  assert.equal(computePdbStatus({ minAvailable: 0 }, 1, pods, undefined, undefined, now).expectedPods, 0);
  assert.equal(scaled('25%', 5), 2);
});

test('PDB status: a pod in disruptedPods is not healthy until deleted, and the entry expires after 2 minutes', () => {
  const sel = { matchLabels: { app: 'web' } };
  const pods = [pod('a'), pod('b'), pod('c')];
  const now = new Date('2026-01-01T00:10:00Z');
  const fresh = computePdbStatus({ minAvailable: 1, selector: sel }, 1, pods, undefined, { disruptedPods: { a: '2026-01-01T00:09:30Z' } }, now);
  assert.deepEqual([fresh.currentHealthy, fresh.disruptionsAllowed, fresh.disruptedPods], [2, 1, { a: '2026-01-01T00:09:30Z' }]);
  const old = computePdbStatus({ minAvailable: 1, selector: sel }, 1, pods, undefined, { disruptedPods: { a: '2026-01-01T00:07:00Z' } }, now);
  assert.deepEqual([old.currentHealthy, old.disruptedPods], [3, undefined]);
  const gone = computePdbStatus({ minAvailable: 1, selector: sel }, 1, [pod('b'), pod('c')], undefined, { disruptedPods: { a: '2026-01-01T00:09:30Z' } }, now);
  assert.equal(gone.disruptedPods, undefined);
});
