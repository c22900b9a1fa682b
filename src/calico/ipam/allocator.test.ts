import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemApi } from '../../controllers/testing/memapi.js';
import { R } from '../../client/index.js';
import { CalicoIpam, type IPAMBlock } from './allocator.js';
import { assign, blockName, newBlock, poolBlocks, releaseHandle } from './block.js';

test('block: assign in order, release to the back, names as Calico writes them', () => {
  assert.equal(blockName('10.244.0.64/26'), '10-244-0-64-26');
  assert.deepEqual([...poolBlocks('10.244.0.0/24', 26)], ['10.244.0.0/26', '10.244.0.64/26', '10.244.0.128/26', '10.244.0.192/26']);
  let b = newBlock('10.0.0.0/30', 'n1');
  const a1 = assign(b, 1, 'h1', { pod: 'a' }); b = a1.block;
  const a2 = assign(b, 1, 'h2', { pod: 'b' }); b = a2.block;
  assert.deepEqual([a1.ips, a2.ips], [['10.0.0.0'], ['10.0.0.1']]);
  const r = releaseHandle(b, 'h1'); b = r.block;
  assert.deepEqual(r.ips, ['10.0.0.0']);
  assert.deepEqual(b.unallocated, [2, 3, 0]);
  assert.deepEqual(b.allocations, [null, 0, null, null]);
  assert.deepEqual(b.attributes, [{ handle_id: 'h2', secondary: { pod: 'b' } }]);
});

test('allocator: concurrent ADDs get distinct addresses, a full block claims the next, empty extra blocks are released', async () => {
  const api = new MemApi();
  await api.create(R.ippools, { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.1.0.0/24', blockSize: 29, nodeSelector: 'all()' } });
  const ipam = new CalicoIpam(api);
  const got = await Promise.all([...Array(12).keys()].map((i) => ipam.autoAssign({ handle: `h${i}`, node: 'n1', secondary: { namespace: 'd', pod: `p${i}` } })));
  const ips = got.map((g) => g.ip);
  assert.equal(new Set(ips).size, 12, 'distinct');
  const blocks = (await api.list<IPAMBlock>(R.ipamblocks)).items.map((b) => b.spec.cidr).sort();
  assert.deepEqual(blocks, ['10.1.0.0/29', '10.1.0.8/29']);
  assert.equal((await api.list(R.blockaffinities)).items.length, 2);
  // another node gets its own block
  const other = await ipam.autoAssign({ handle: 'x', node: 'n2', secondary: {} });
  assert.equal(other.block, '10.1.0.16/29');
  for (let i = 0; i < 12; i++) await ipam.releaseByHandle(`h${i}`, 'n1');
  const left = (await api.list<IPAMBlock>(R.ipamblocks)).items.filter((b) => b.spec.affinity === 'host:n1');
  assert.equal(left.length, 1, 'the emptied second block is released, the node keeps one');
  assert.equal((await api.list(R.blockaffinities)).items.length, 2);
  assert.equal((await api.list(R.ipamhandles)).items.length, 1);
  assert.deepEqual(await ipam.releaseByHandle('h0', 'n1'), [], 'DEL is idempotent');
});

test('allocator: GC frees addresses of pods that are gone', async () => {
  const api = new MemApi();
  await api.create(R.ippools, { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.1.0.0/24', blockSize: 28 } });
  const ipam = new CalicoIpam(api);
  const a = await ipam.autoAssign({ handle: 'ha', node: 'n1', secondary: { namespace: 'd', pod: 'a', timestamp: new Date(0).toISOString() } });
  await ipam.autoAssign({ handle: 'hb', node: 'n1', secondary: { namespace: 'd', pod: 'b', timestamp: new Date(0).toISOString() } });
  const freed = await ipam.gcLeaks('n1', (_ns, name) => name === 'b');
  assert.deepEqual(freed, [a.ip]);
  await assert.rejects(api.get(R.ipamhandles, 'ha'));
});

test('allocator: no pool for the node is a clear error', async () => {
  const api = new MemApi();
  await api.create(R.ippools, { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.1.0.0/24', nodeSelector: 'rack == "r9"' } });
  await assert.rejects(new CalicoIpam(api).autoAssign({ handle: 'h', node: 'n1', secondary: {} }), /no IPPool selects node n1/);
});
