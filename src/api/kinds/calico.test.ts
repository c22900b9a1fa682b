import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from './types.js';
import { calicoKinds, parseAsNumber } from './calico.js';

// the (unregistered) kind definitions: libcalico-go's validation, used client-side
const K = (kind: string) => calicoKinds.find((k) => k.kind === kind)!;
const o = (kind: string, name: string, spec: Record<string, unknown>): KObject => ({ apiVersion: 'crd.projectcalico.org/v1', kind, metadata: { name }, spec } as KObject);
function errs(kind: string, obj: KObject): string[] {
  const k = K(kind);
  k.defaults(obj);
  return k.validate(obj).map((e) => `${e.field}: ${e.message}`);
}

test('IPPool: defaults blockSize 26, modes Never, nodeSelector all(); 422 names the field', () => {
  const p = o('IPPool', 'p', { cidr: '10.244.0.0/16' });
  assert.deepEqual(errs('IPPool', p), []);
  assert.deepEqual(p.spec, { cidr: '10.244.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: false, nodeSelector: 'all()' });
  assert.match(errs('IPPool', o('IPPool', 'p', { cidr: '10.244.0.1/16' })).join('\n'), /^spec.cidr: Invalid value: "10.244.0.1\/16": must be a network address/);
  assert.match(errs('IPPool', o('IPPool', 'p', { cidr: 'x' })).join('\n'), /^spec.cidr: Invalid value: "x"/);
  assert.match(errs('IPPool', o('IPPool', 'p', {})).join('\n'), /^spec.cidr: Required value/);
  assert.match(errs('IPPool', o('IPPool', 'p', { cidr: '10.0.0.0/8', blockSize: 19 })).join('\n'), /^spec.blockSize: Invalid value: 19: must be between 20 and 32/);
  assert.match(errs('IPPool', o('IPPool', 'p', { cidr: '10.0.0.0/24', blockSize: 20 })).join('\n'), /^spec.blockSize: .*pool's prefix/);
  assert.match(errs('IPPool', o('IPPool', 'p', { cidr: '10.0.0.0/8', vxlanMode: 'Sometimes' })).join('\n'), /^spec.vxlanMode: Unsupported value: "Sometimes"/);
  assert.match(errs('IPPool', o('IPPool', 'p', { cidr: '10.0.0.0/8', nodeSelector: 'rack ~ 1' })).join('\n'), /^spec.nodeSelector: Invalid value/);
  assert.deepEqual(errs('IPPool', o('IPPool', 'p', { cidr: '10.0.0.0/8', nodeSelector: 'rack == "r1" && has(x)' })), []);
});

test('IPAMBlock: allocations sized to the block, unallocated ordinals free', () => {
  const good = o('IPAMBlock', 'b', { cidr: '10.0.0.0/30', affinity: 'host:n1', allocations: [0, null, null, null], unallocated: [1, 2, 3], attributes: [{ handle_id: 'h' }] });
  assert.deepEqual(errs('IPAMBlock', good), []);
  assert.match(errs('IPAMBlock', o('IPAMBlock', 'b', { cidr: '10.0.0.0/30', allocations: [null], unallocated: [] })).join('\n'), /^spec.allocations: .*one entry per address/);
  assert.match(errs('IPAMBlock', o('IPAMBlock', 'b', { cidr: '10.0.0.0/30', allocations: [0, null, null, null], unallocated: [0], attributes: [{}] })).join('\n'), /spec.unallocated\[0\]: .*ordinal is allocated/);
  assert.match(errs('IPAMBlock', o('IPAMBlock', 'b', { cidr: '10.0.0.0/30', affinity: 'node1', allocations: [null, null, null, null], unallocated: [] })).join('\n'), /^spec.affinity: Invalid value: "node1"/);
});

test('BGPPeer and BGPConfiguration: AS numbers, peer address', () => {
  assert.equal(parseAsNumber(64512), 64512);
  assert.equal(parseAsNumber('1.10'), 65546);
  assert.equal(parseAsNumber(0), undefined);
  assert.match(errs('BGPPeer', o('BGPPeer', 'p', { peerIP: '1.2.3.4' })).join('\n'), /^spec.asNumber: Required value/);
  assert.match(errs('BGPPeer', o('BGPPeer', 'p', { peerIP: '1.2.3', asNumber: 1 })).join('\n'), /^spec.peerIP: Invalid value/);
  assert.match(errs('BGPConfiguration', o('BGPConfiguration', 'default', { asNumber: -3 })).join('\n'), /^spec.asNumber: Invalid value: -3/);
  assert.match(errs('BGPConfiguration', o('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: 'yes' })).join('\n'), /^spec.nodeToNodeMeshEnabled: Invalid value/);
});

test('tables: ippools, ipamblocks, blockaffinities', () => {
  const now = new Date();
  const p = o('IPPool', 'default-ipv4-ippool', { cidr: '10.244.0.0/16', natOutgoing: true });
  K('IPPool').defaults(p);
  assert.deepEqual(K('IPPool').table([p], now).rows[0]!.cells.slice(0, 6), ['default-ipv4-ippool', '10.244.0.0/16', 26, true, 'Never', 'Never']);
  const b = o('IPAMBlock', '10-244-0-0-30', { cidr: '10.244.0.0/30', affinity: 'host:n1', allocations: [0, 0, null, null], unallocated: [2, 3], attributes: [{}] });
  assert.deepEqual(K('IPAMBlock').table([b], now).rows[0]!.cells.slice(0, 5), ['10-244-0-0-30', '10.244.0.0/30', 'host:n1', 2, 2]);
  const a = o('BlockAffinity', 'n1-10-244-0-0-30', { node: 'n1', cidr: '10.244.0.0/30', state: 'confirmed' });
  assert.deepEqual(K('BlockAffinity').table([a], now).rows[0]!.cells.slice(0, 4), ['n1-10-244-0-0-30', 'n1', '10.244.0.0/30', 'confirmed']);
});
