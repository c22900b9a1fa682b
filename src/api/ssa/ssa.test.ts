import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject, PatchMeta } from '../kinds/types.js';
import { ApplyConflictError, applyConfiguration, FieldSet, fieldSetOf, pathString, trackUpdate, type WriteIdentity } from './index.js';

const META: PatchMeta = {
  'spec.containers': { strategy: 'merge', mergeKey: 'name' },
  'spec.containers[].ports': { strategy: 'merge', mergeKey: 'containerPort', listMapKeys: ['containerPort', 'protocol'] },
  'metadata.finalizers': { strategy: 'merge' },
};
const id = (manager: string, t = '2026-01-01T00:00:00Z'): WriteIdentity => ({ manager, apiVersion: 'v1', subresource: '', scope: { meta: META, part: 'main' }, now: new Date(t) });
const obj = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject => ({ apiVersion: 'v1', kind: 'Thing', metadata: { name: 'x', ...meta }, spec });
const entries = (o: KObject) => o.metadata.managedFields as { manager: string; operation: string; time: string; fieldsV1: Record<string, unknown> }[];

test('fieldsV1: leaves, keyed list items with ".", sets by value; identity metadata and status are owned by no one', () => {
  const o = obj({ replicas: 2, containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }] }] }, { uid: 'u', labels: { app: 'w' }, finalizers: ['f1'] });
  (o as Record<string, unknown>).status = { ready: 1 };
  const s = fieldSetOf(o, { meta: META, part: 'main' });
  assert.deepEqual(s.toFieldsV1(), {
    'f:metadata': { 'f:finalizers': { 'v:"f1"': {} }, 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } } } },
      'f:replicas': {},
    },
  });
  assert.ok(FieldSet.fromFieldsV1(s.toFieldsV1()).equals(s), 'fieldsV1 round-trips');
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']), '.spec.containers[name="a"].image');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"f1"']), '.metadata.finalizers[="f1"]');
});

test('apply twice is a no-op; another manager changing the field conflicts; same value is shared; force takes it over', () => {
  const a1 = applyConfiguration(undefined, obj({ replicas: 2, image: 'i' }), id('kubectl'), false);
  assert.equal(entries(a1).length, 1);
  assert.equal(entries(a1)[0]!.operation, 'Apply');
  const a2 = applyConfiguration(a1, obj({ replicas: 2, image: 'i' }), id('kubectl', '2026-01-01T00:05:00Z'), false);
  assert.deepEqual(a2, a1, 'unchanged object, unchanged time');

  assert.throws(() => applyConfiguration(a1, obj({ replicas: 3 }), id('other'), false), (e: unknown) => {
    assert.ok(e instanceof ApplyConflictError);
    assert.equal(e.httpCode, 409);
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    assert.deepEqual(e.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }]);
    return true;
  });
  const shared = applyConfiguration(a1, obj({ replicas: 2 }), id('other'), false);
  assert.equal(entries(shared).length, 2, 'same value: co-owned, no conflict');

  const forced = applyConfiguration(a1, obj({ replicas: 3 }), id('other'), true);
  assert.equal((forced.spec as { replicas: number }).replicas, 3);
  const byMgr = Object.fromEntries(entries(forced).map((e) => [e.manager, e.fieldsV1]));
  assert.deepEqual(byMgr.kubectl, { 'f:spec': { 'f:image': {} } }, 'the loser keeps only what was not taken');
  assert.deepEqual(byMgr.other, { 'f:spec': { 'f:replicas': {} } });
});

test('a field no longer applied is removed unless another manager owns it', () => {
  const a1 = applyConfiguration(undefined, obj({ replicas: 2, image: 'i', mode: 'm' }), id('a'), false);
  const b = applyConfiguration(a1, obj({ mode: 'm' }), id('b'), false);
  const a2 = applyConfiguration(b, obj({ replicas: 2 }), id('a'), false);
  assert.deepEqual(a2.spec, { replicas: 2, mode: 'm' }, 'image dropped (no owner), mode kept (b owns it)');
});

test('associative lists merge by key; conflicts name the item; update entries record changed fields', () => {
  const a1 = applyConfiguration(undefined, obj({ containers: [{ name: 'a', image: 'i1' }] }), id('a'), false);
  const b = applyConfiguration(a1, obj({ containers: [{ name: 'b', image: 'i2' }] }), id('b'), false);
  assert.deepEqual((b.spec as { containers: unknown[] }).containers, [{ name: 'b', image: 'i2' }, { name: 'a', image: 'i1' }]);
  assert.throws(() => applyConfiguration(b, obj({ containers: [{ name: 'a', image: 'zz' }] }), id('b'), false),
    /conflict with "a": \.spec\.containers\[name="a"\]\.image/);

  const edited = structuredClone(b);
  (edited.spec as { containers: { image: string }[] }).containers[1]!.image = 'edited';
  trackUpdate(b, edited, id('kubectl-edit'));
  const upd = entries(edited).find((e) => e.manager === 'kubectl-edit')!;
  assert.equal(upd.operation, 'Update');
  assert.deepEqual(upd.fieldsV1, { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { 'f:image': {} } } } });
  assert.throws(() => applyConfiguration(edited, obj({ containers: [{ name: 'a', image: 'i1' }] }), id('a'), false),
    /Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: \.spec\.containers\[name="a"\]\.image/);
});

test('several conflicts are listed per manager, as upstream words them', () => {
  const a1 = applyConfiguration(undefined, obj({ x: 1, y: 2 }), id('m1'), false);
  assert.throws(() => applyConfiguration(a1, obj({ x: 5, y: 6 }), id('m2'), false), (e: unknown) => {
    assert.equal((e as Error).message, 'Apply failed with 2 conflicts: conflicts with "m1":\n- .spec.x\n- .spec.y');
    return true;
  });
});

test('kubectl apply --server-side after client-side apply takes over what the last-applied configuration set', () => {
  const last = JSON.stringify(obj({ replicas: 2 }));
  const live = obj({ replicas: 2, extra: 1 }, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': last } });
  trackUpdate(undefined, live, id('kubectl-client-side-apply'));
  const up = applyConfiguration(live, obj({ replicas: 3 }), id('kubectl'), false);
  assert.equal((up.spec as { replicas: number }).replicas, 3);
  assert.throws(() => applyConfiguration(live, obj({ replicas: 3, extra: 2 }), id('kubectl'), false), /conflict with "kubectl-client-side-apply" using v1: \.spec\.extra/);
  assert.throws(() => applyConfiguration(live, obj({ replicas: 3 }), id('other'), false), /\.spec\.replicas/);
});

test('an atomic map is owned and replaced as a whole', () => {
  const meta: PatchMeta = { ...META, 'spec.selector': { strategy: 'replace', atomic: true } };
  const aid = (m: string): WriteIdentity => ({ ...id(m), scope: { meta, part: 'main' } });
  const a1 = applyConfiguration(undefined, obj({ selector: { a: '1', b: '2' } }), aid('m1'), false);
  assert.deepEqual(entries(a1)[0]!.fieldsV1, { 'f:spec': { 'f:selector': {} } });
  assert.throws(() => applyConfiguration(a1, obj({ selector: { a: '1' } }), aid('m2'), false), /conflict with "m1": \.spec\.selector$/);
  const forced = applyConfiguration(a1, obj({ selector: { c: '3' } }), aid('m2'), true);
  assert.deepEqual((forced.spec as { selector: unknown }).selector, { c: '3' }, 'replaced, not merged');
});
