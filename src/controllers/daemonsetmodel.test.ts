import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { REVISION_LABEL, daemonTolerations, planDaemonSet, shouldRun, templateHash } from './daemonsetmodel.js';

const node = (name: string, o: { labels?: Record<string, string>; taints?: NonNullable<Node['spec']>['taints']; unschedulable?: boolean } = {}): Node => ({
  metadata: { name, labels: o.labels ?? {} }, spec: { taints: o.taints, unschedulable: o.unschedulable }, status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
const ds = (spec: Partial<NonNullable<DaemonSet['spec']>> = {}): DaemonSet => ({
  metadata: { name: 'agent', namespace: 'default', uid: 'u', generation: 1 },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'podnet/echo' }] } }, ...spec },
});
const pod = (name: string, nodeName: string, hash: string, ready = true): Pod => ({
  metadata: { name, namespace: 'default', labels: { app: 'agent', [REVISION_LABEL]: hash }, creationTimestamp: `2026-01-01T00:00:0${name.length % 10}Z` },
  spec: { nodeName, containers: [] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('daemon pods tolerate cordoned and not-ready nodes, but honour node selectors and other taints', () => {
  const t = ds().spec!.template;
  assert.equal(shouldRun(node('n', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), t), true);
  assert.equal(shouldRun(node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), t), false);
  assert.equal(shouldRun(node('n', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }), t), true);
  const sel = ds({ template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { role: 'edge' }, containers: [] } } }).spec!.template;
  assert.equal(shouldRun(node('n'), sel), false);
  assert.equal(shouldRun(node('n', { labels: { role: 'edge' } }), sel), true);
  assert.ok(daemonTolerations(t).some((x) => x.key === 'node.kubernetes.io/unschedulable' && x.operator === 'Exists'));
});

test('plan: create where missing, delete extras and misplaced pods, status counts', () => {
  const d = ds();
  const h = templateHash(d.spec!.template);
  const plan = planDaemonSet(d, [node('node1'), node('node2'), node('node3', { taints: [{ key: 'x', effect: 'NoExecute' }] })],
    [pod('a', 'node1', h), pod('bb', 'node1', h), pod('ccc', 'node3', h), pod('dddd', 'gone', h)], h);
  assert.deepEqual(plan.create, ['node2']);
  assert.deepEqual(plan.delete.sort(), ['bb', 'ccc', 'dddd']);
  assert.deepEqual(plan.status, { desiredNumberScheduled: 2, currentNumberScheduled: 1, numberMisscheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, observedGeneration: 1, numberUnavailable: 1 });
});

test('rolling update replaces old-revision pods at most maxUnavailable at a time; OnDelete leaves them', () => {
  const d = ds();
  const h = templateHash(d.spec!.template);
  const nodes = [node('node1'), node('node2'), node('node3')];
  const old = [pod('a', 'node1', 'old'), pod('b', 'node2', 'old'), pod('c', 'node3', 'old')];
  assert.equal(planDaemonSet(d, nodes, old, h).delete.length, 1);
  // one node already unavailable: nothing more is taken down
  assert.deepEqual(planDaemonSet(d, nodes, [old[0]!, old[1]!], h).delete, []);
  assert.deepEqual(planDaemonSet(ds({ updateStrategy: { type: 'OnDelete' } }), nodes, old, h).delete, []);
  assert.equal(planDaemonSet(d, nodes, old, h).status.updatedNumberScheduled, 0);
});
