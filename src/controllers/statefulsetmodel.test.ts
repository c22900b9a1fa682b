import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { STS_REVISION_LABEL, ordinalOf, planStatefulSet } from './statefulsetmodel.js';

const sts = (replicas: number, extra: Partial<NonNullable<StatefulSet['spec']>> = {}): StatefulSet => ({
  metadata: { name: 'db', namespace: 'default', generation: 2 },
  spec: { replicas, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { spec: { containers: [] } }, ...extra },
});
const pod = (i: number, o: { ready?: boolean; rev?: string; deleting?: boolean; phase?: string } = {}): Pod => ({
  metadata: { name: `db-${i}`, labels: { [STS_REVISION_LABEL]: o.rev ?? 'db-r1' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { containers: [] }, status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

test('ordinals from pod names', () => {
  assert.equal(ordinalOf('db', 'db-0'), 0);
  assert.equal(ordinalOf('db', 'db-12'), 12);
  assert.equal(ordinalOf('db', 'db-01'), undefined);
  assert.equal(ordinalOf('db', 'dbx-1'), undefined);
  assert.equal(ordinalOf('db', 'db-1-2'), undefined);
});

test('OrderedReady: one pod at a time, each after the previous is ready', () => {
  assert.deepEqual(planStatefulSet(sts(3), [], 'db-r1').create, [0]);
  assert.deepEqual(planStatefulSet(sts(3), [pod(0, { ready: false })], 'db-r1').create, []);
  assert.deepEqual(planStatefulSet(sts(3), [pod(0)], 'db-r1').create, [1]);
  assert.deepEqual(planStatefulSet(sts(3, { podManagementPolicy: 'Parallel' }), [], 'db-r1').create, [0, 1, 2]);
  // a failed pod is deleted to be recreated under the same name
  assert.deepEqual(planStatefulSet(sts(2), [pod(0, { phase: 'Failed' })], 'db-r1').delete, ['db-0']);
});

test('scale down removes the highest ordinal first, one at a time', () => {
  const p = planStatefulSet(sts(1), [pod(0), pod(1), pod(2)], 'db-r1');
  assert.deepEqual(p.delete, ['db-2']);
  assert.deepEqual(planStatefulSet(sts(1), [pod(0), pod(1), pod(2, { deleting: true })], 'db-r1').delete, []);
});

test('rolling update replaces the highest old-revision ordinal at or above the partition; status revisions', () => {
  const pods = [pod(0), pod(1), pod(2)];
  const p = planStatefulSet(sts(3), pods, 'db-r2');
  assert.deepEqual(p.delete, ['db-2']);
  assert.deepEqual(p.status, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 0, currentRevision: 'db-r1', updateRevision: 'db-r2', observedGeneration: 2, collisionCount: 0 });
  assert.deepEqual(planStatefulSet(sts(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 3 } } }), pods, 'db-r2').delete, []);
  assert.deepEqual(planStatefulSet(sts(3, { updateStrategy: { type: 'OnDelete' } }), pods, 'db-r2').delete, []);
  const done = planStatefulSet(sts(3), [pod(0, { rev: 'db-r2' }), pod(1, { rev: 'db-r2' }), pod(2, { rev: 'db-r2' })], 'db-r2');
  assert.deepEqual([done.delete, done.status.currentRevision, done.status.updatedReplicas], [[], 'db-r2', 3]);
});
