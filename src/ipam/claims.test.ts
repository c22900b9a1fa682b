import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { ServiceAllocators } from './service.js';
import { IPADDRESS_PREFIX, NODEPORT_PREFIX, StoreServiceAllocation, ipClaimKey, portClaimKey, type ClaimStore } from './claims.js';

/** A create-if-absent map with a yield before every answer, so calls of two "servers" interleave. */
class FakeStore implements ClaimStore {
  readonly kv = new Map<string, { value: Uint8Array; modRevision: number }>();
  rev = 0;
  creates = 0;
  private tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  async create(key: string, value: Uint8Array): Promise<number> {
    await this.tick();
    this.creates++;
    if (this.kv.has(key)) throw Object.assign(new Error(`key ${key} already exists`), { code: 'EEXIST' });
    this.kv.set(key, { value, modRevision: ++this.rev });
    return this.rev;
  }
  async delete(key: string, expectRevision?: number): Promise<number> {
    await this.tick();
    const e = this.kv.get(key);
    if (!e) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
    if (expectRevision !== undefined && e.modRevision !== expectRevision) throw Object.assign(new Error('moved'), { code: 'ECONFLICT' });
    this.kv.delete(key);
    return ++this.rev;
  }
  async list(prefix: string): Promise<{ items: { key: string; value: Uint8Array; modRevision: number }[]; revision: number; more: boolean }> {
    await this.tick();
    const items = [...this.kv.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, e]) => ({ key, ...e }));
    return { items, revision: this.rev, more: false };
  }
}

const svc = (name: string, spec: Record<string, unknown> = {}): Service => ({ metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { ports: [{ port: 80, protocol: 'TCP' }], ...spec } });

test('store allocation: two servers racing on one small range never hand out the same address or port', async () => {
  const store = new FakeStore();
  const a = new StoreServiceAllocation(new ServiceAllocators('10.96.0.0/26', '30000-30043'), store);
  const b = new StoreServiceAllocation(new ServiceAllocators('10.96.0.0/26', '30000-30043'), store);
  await a.restore([]); await b.restore([]);
  // 40 NodePort Services, half through each server, all at once, into 44 ports and 62 addresses
  const svcs = [...Array(40).keys()].map((i) => svc(`s${i}`, { type: 'NodePort' }));
  const results = await Promise.all(svcs.map((s, i) => (i % 2 ? a : b).update(undefined, s)));
  for (const r of results) assert.deepEqual(r.errors, []);
  await Promise.all(results.map((r) => r.commit()));
  const ips = svcs.map((s) => s.spec!.clusterIP!);
  const ports = svcs.map((s) => s.spec!.ports![0]!.nodePort!);
  assert.equal(new Set(ips).size, 40, `distinct ClusterIPs: ${ips.join(' ')}`);
  assert.equal(new Set(ports).size, 40, `distinct nodePorts: ${ports.join(' ')}`);
  // every one is a claim in the store, naming its Service
  for (const s of svcs) {
    const c = store.kv.get(ipClaimKey(s.spec!.clusterIP!));
    assert.ok(c, `claim for ${s.spec!.clusterIP}`);
    assert.equal(JSON.parse(new TextDecoder().decode(c.value)).spec.parentRef.name, s.metadata!.name);
    assert.ok(store.kv.has(portClaimKey(s.spec!.ports![0]!.nodePort!)));
  }
  assert.ok(a.stats.lost + b.stats.lost > 0, 'the servers did race for the same candidates');
  // fill the ports up through both; then the range is full on both servers
  for (const [i, x] of [a, b, a, b].entries()) assert.deepEqual((await x.update(undefined, svc(`fill${i}`, { type: 'NodePort' }))).errors, []);
  for (const x of [a, b]) assert.match((await x.update(undefined, svc('late', { type: 'NodePort' }))).errors[0]!.message, /range is full/);
  assert.equal([...store.kv.keys()].filter((k) => k.startsWith(NODEPORT_PREFIX)).length, 44);
});

test('store allocation: a requested address another server holds is refused with the field error; released ones are found after a resync', async () => {
  const store = new FakeStore();
  const a = new StoreServiceAllocation(new ServiceAllocators('10.96.0.0/24', '30000-30100'), store);
  const b = new StoreServiceAllocation(new ServiceAllocators('10.96.0.0/24', '30000-30100'), store);
  const s1 = svc('one', { clusterIP: '10.96.0.50', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30050 }] });
  const r1 = await a.update(undefined, s1);
  assert.deepEqual(r1.errors, []);
  await r1.commit();
  const s2 = svc('two', { clusterIP: '10.96.0.50' });
  const r2 = await b.update(undefined, s2);
  assert.equal(r2.errors[0]!.field, 'spec.clusterIPs');
  assert.match(r2.errors[0]!.message, /provided IP is already allocated/);
  const s3 = svc('three', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30050 }] });
  const r3 = await b.update(undefined, s3);
  assert.match(r3.errors[0]!.message, /provided port is already allocated/);
  assert.ok(!store.kv.has(ipClaimKey(s3.spec?.clusterIP ?? 'x')), 'the failed create left no claim behind');
  // a releases; b (whose cache still says taken) gets it after one resync
  await a.release(s1);
  assert.ok(!store.kv.has(ipClaimKey('10.96.0.50')) && !store.kv.has(portClaimKey(30050)));
  const s4 = svc('four', { clusterIP: '10.96.0.50', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30050 }] });
  const r4 = await b.update(undefined, s4);
  assert.deepEqual(r4.errors, []);
  // rollback (the object write failed) frees the claims again
  await r4.rollback();
  assert.ok(!store.kv.has(ipClaimKey('10.96.0.50')) && !store.kv.has(portClaimKey(30050)));
});

test('store allocation: restore claims what pre-existing Services hold and drops old orphans only', async () => {
  const store = new FakeStore();
  const old = new TextEncoder().encode(JSON.stringify({ metadata: { creationTimestamp: new Date(Date.now() - 3600_000).toISOString() }, spec: { parentRef: { name: 'gone' } } }));
  const fresh = new TextEncoder().encode(JSON.stringify({ metadata: { creationTimestamp: new Date().toISOString() }, spec: { parentRef: { name: 'in-flight' } } }));
  store.kv.set(ipClaimKey('10.96.0.77'), { value: old, modRevision: ++store.rev });
  store.kv.set(ipClaimKey('10.96.0.78'), { value: fresh, modRevision: ++store.rev });
  const a = new StoreServiceAllocation(new ServiceAllocators('10.96.0.0/24', '30000-30100'), store);
  const existing = svc('kept', { clusterIP: '10.96.0.9', type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30009 }] });
  assert.deepEqual(await a.restore([existing]), []);
  const keys = [...store.kv.keys()].sort();
  assert.deepEqual(keys, [ipClaimKey('10.96.0.78'), ipClaimKey('10.96.0.9'), portClaimKey(30009)].sort());
  assert.ok(a.local.ips.has('10.96.0.78') && a.local.ips.has('10.96.0.9') && a.local.ports.has(30009));
  assert.ok(keys.every((k) => k.startsWith(IPADDRESS_PREFIX) || k.startsWith(NODEPORT_PREFIX)));
});
