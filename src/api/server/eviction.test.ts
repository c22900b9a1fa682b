import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../kinds/types.js';
import { budgetsFor, canIgnoreBudget, decide, parseEviction } from './eviction.js';
import { gcFinalizers } from './registry.js';
import { kindByKind } from '../kinds/index.js';

const pod = (o: { phase?: string; ready?: boolean; deleting?: boolean; labels?: Record<string, string> } = {}): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const pdb = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, generation = 1): KObject => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default', generation },
  spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 2, ...spec }, status: { observedGeneration: 1, currentHealthy: 2, desiredHealthy: 2, ...status },
});

test('Eviction bodies: policy/v1 and v1beta1, the name must match the URL', () => {
  assert.deepEqual(parseEviction({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' }, deleteOptions: { gracePeriodSeconds: 5 } }, 'p'), { gracePeriodSeconds: 5 });
  assert.deepEqual(parseEviction({ apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'p' } }, 'p'), {});
  assert.throws(() => parseEviction({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'q' } }, 'p'), /name in URL does not match name in Eviction object/);
  assert.throws(() => parseEviction({ apiVersion: 'v1', kind: 'Pod' }, 'p'), /policy\/v1 Eviction/);
});

test('which budgets cover a pod; which pods ignore budgets', () => {
  const none: KObject = { ...pdb({}), spec: { minAvailable: 1 } };
  const all: KObject = { ...pdb({}), metadata: { name: 'all' }, spec: { selector: {} } };
  assert.deepEqual(budgetsFor(pod(), [pdb({}), none, all]).map((b) => b.metadata.name), ['web', 'all']);
  assert.equal(canIgnoreBudget(pod()), false);
  for (const p of [pod({ phase: 'Pending' }), pod({ phase: 'Succeeded' }), pod({ phase: 'Failed' }), pod({ deleting: true })]) assert.equal(canIgnoreBudget(p), true);
});

test('eviction decisions: spend, refuse with 429 naming the budget, stale budget, unhealthy pods', () => {
  assert.deepEqual(decide(pod(), pdb({ disruptionsAllowed: 1, currentHealthy: 3 })), { action: 'spend' });
  const r = decide(pod(), pdb({ disruptionsAllowed: 0 }));
  assert.equal(r.action, 'refuse');
  if (r.action === 'refuse') {
    const b = r.error.body();
    assert.equal(b.code, 429);
    assert.equal(b.reason, 'TooManyRequests');
    assert.equal(b.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(b.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }]);
  }
  const stale = decide(pod(), pdb({ disruptionsAllowed: 1 }, {}, 2));
  assert.equal(stale.action === 'refuse' && stale.error.body().details?.causes?.[0]?.message, 'The disruption budget web is still being processed by the server.');
  assert.deepEqual(decide(pod({ ready: false }), pdb({ disruptionsAllowed: 0 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' })), { action: 'delete' });
  assert.deepEqual(decide(pod({ ready: false }), pdb({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 })), { action: 'delete' });
});

test('propagation policies become garbage-collector finalizers on the kinds the collector owns', () => {
  const dep = kindByKind('apps', 'Deployment')!;
  const cm = kindByKind('', 'ConfigMap')!;
  assert.deepEqual(gcFinalizers(dep, ['x'], 'Foreground'), ['x', 'foregroundDeletion']);
  assert.deepEqual(gcFinalizers(dep, ['orphan'], 'Foreground'), ['foregroundDeletion']);
  assert.deepEqual(gcFinalizers(dep, undefined, 'Orphan'), ['orphan']);
  assert.deepEqual(gcFinalizers(dep, ['foregroundDeletion', 'x'], 'Background'), ['x']);
  assert.equal(gcFinalizers(dep, ['x'], undefined), undefined);
  assert.equal(gcFinalizers(cm, [], 'Foreground'), undefined);
  assert.throws(() => gcFinalizers(dep, [], 'Sideways'), /invalid propagationPolicy/);
});
