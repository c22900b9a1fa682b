import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdKind, customKinds } from '../api/crd/kinds.js';
import type { KObject } from '../api/kinds/types.js';
import { calicoCrds, calicoCrdsYaml, CALICO_CRDS_MANIFEST } from './crds.js';
import { checkPools, type IPPool } from './ipam/allocator.js';

const ROOT = join(fileURLToPath(import.meta.url), '../../../..');
const defs = calicoCrds();
const kindOf = (kind: string) => {
  const d = structuredClone(defs.find((c) => (c.spec as { names: { kind: string } }).names.kind === kind)!);
  crdKind.defaults(d);
  return customKinds(d)[0]!;
};
const o = (kind: string, name: string, spec: Record<string, unknown>): KObject => ({ apiVersion: 'crd.projectcalico.org/v1', kind, metadata: { name }, spec } as KObject);
function errs(kind: string, obj: KObject): string[] {
  const k = kindOf(kind);
  k.defaults(obj);
  return k.validate(obj).map((e) => `${e.field}: ${e.message}`);
}

test('the six Calico definitions are valid, structural, cluster-scoped CustomResourceDefinitions', () => {
  assert.deepEqual(defs.map((d) => d.metadata.name), ['ippools', 'ipamblocks', 'blockaffinities', 'ipamhandles', 'bgpconfigurations', 'bgppeers'].map((p) => `${p}.crd.projectcalico.org`));
  for (const d of defs) {
    const c = structuredClone(d);
    crdKind.defaults(c);
    assert.deepEqual(crdKind.validate(c), [], `${c.metadata.name} is a valid definition`);
    assert.equal((c.spec as { scope: string }).scope, 'Cluster');
  }
});

test('manifests/calico-crds.yaml is the generated text of src/calico/crds.ts', () => {
  assert.equal(readFileSync(join(ROOT, CALICO_CRDS_MANIFEST), 'utf8'), calicoCrdsYaml());
});

test('what podnet writes is valid under the schemas (defaults applied, nothing pruned)', () => {
  const samples: KObject[] = [
    o('IPPool', 'default-ipv4-ippool', { cidr: '10.244.0.0/16', blockSize: 26, natOutgoing: true, vxlanMode: 'CrossSubnet' }),
    o('IPAMBlock', '10-244-0-0-30', { cidr: '10.244.0.0/30', affinity: 'host:node1', strictAffinity: false, allocations: [0, null, null, null], unallocated: [1, 2, 3], attributes: [{ handle_id: 'k8s-pod-network.abc', secondary: { namespace: 'default', pod: 'p', node: 'node1' } }], sequenceNumber: 0, deleted: false }),
    o('BlockAffinity', 'node1-10-244-0-0-30', { node: 'node1', cidr: '10.244.0.0/30', state: 'confirmed', deleted: 'false' }),
    o('IPAMHandle', 'k8s-pod-network.abc', { handleID: 'k8s-pod-network.abc', block: { '10-244-0-0-30': 1 }, deleted: false }),
    o('BGPConfiguration', 'default', { asNumber: 64512, nodeToNodeMeshEnabled: true, logSeverityScreen: 'Info', holdTime: 9, keepaliveTime: 1 }),
    o('BGPPeer', 'tor', { node: 'node1', peerIP: '192.168.138.1', asNumber: 65001 }),
  ];
  for (const s of samples) {
    const before = structuredClone(s.spec as Record<string, unknown>);
    assert.deepEqual(errs(s.kind!, s), [], `${s.kind} sample is valid`);
    for (const [k, v] of Object.entries(before)) assert.deepEqual((s.spec as Record<string, unknown>)[k], v, `${s.kind} spec.${k} kept`);
  }
  const p = o('IPPool', 'p', { cidr: '10.0.0.0/8' });
  errs('IPPool', p);
  assert.deepEqual(p.spec, { cidr: '10.0.0.0/8', ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: false, nodeSelector: 'all()' });
});

test('the schemas refuse bad input with a 422 naming the field', () => {
  assert.deepEqual(errs('IPPool', o('IPPool', 'bad', { cidr: '10.99.0.0/16', blockSize: 12 })), ['spec.blockSize: Invalid value: 12: spec.blockSize in body should be greater than or equal to 20']);
  assert.match(errs('IPPool', o('IPPool', 'bad', { cidr: '10.0.0.0/8', vxlanMode: 'Sometimes' })).join('\n'), /^spec.vxlanMode: Unsupported value: "Sometimes"/);
  assert.match(errs('IPPool', o('IPPool', 'bad', {})).join('\n'), /^spec.cidr: Required value/);
  assert.match(errs('IPAMBlock', o('IPAMBlock', 'b', { cidr: '10.0.0.0/30', affinity: 'node1', allocations: [], unallocated: [1, 1], attributes: [] })).join('\n'), /spec.affinity: Invalid value: "node1": spec.affinity in body should match/);
  assert.match(errs('IPAMBlock', o('IPAMBlock', 'b', { cidr: '10.0.0.0/30', allocations: [], unallocated: [1, 1], attributes: [] })).join('\n'), /spec.unallocated\[1\]: Duplicate value: 1/);
  assert.match(errs('BlockAffinity', o('BlockAffinity', 'a', { cidr: '10.0.0.0/30', node: 'n', state: 'maybe' })).join('\n'), /spec.state: Unsupported value: "maybe"/);
  assert.match(errs('IPAMHandle', o('IPAMHandle', 'h', { handleID: 'h', block: { b: -1 } })).join('\n'), /spec.block.b: Invalid value: -1/);
  assert.match(errs('BGPConfiguration', o('BGPConfiguration', 'default', { asNumber: 0 })).join('\n'), /spec.asNumber: Invalid value: 0/);
  assert.match(errs('BGPPeer', o('BGPPeer', 'p', { peerIP: '1.2.3.4', asNumber: 'x' })).join('\n'), /spec.asNumber: Invalid value: "string": spec.asNumber in body must be of type integer/);
});

test('printer columns: kubectl get ippools / ipamblocks / blockaffinities rows', () => {
  const now = new Date();
  const row = (kind: string, spec: Record<string, unknown>): unknown[] => {
    const obj = o(kind, 'x', spec);
    obj.metadata.creationTimestamp = now.toISOString();
    const t = kindOf(kind).table!([obj], now);
    return [t.columnDefinitions.map((c) => c.name), t.rows[0]!.cells];
  };
  assert.deepEqual(row('IPPool', { cidr: '10.244.0.0/16', blockSize: 30, natOutgoing: true, ipipMode: 'Never', vxlanMode: 'Never', nodeSelector: 'all()' }),
    [['Name', 'CIDR', 'Block Size', 'NAT', 'IPIP Mode', 'VXLAN Mode', 'Disabled', 'Selector', 'Age'], ['x', '10.244.0.0/16', 30, true, 'Never', 'Never', null, 'all()', '0s']]);
  assert.deepEqual((row('IPAMBlock', { cidr: '10.244.0.0/30', affinity: 'host:node1' }) as unknown[][])[0], ['Name', 'CIDR', 'Affinity', 'Strict', 'Seq', 'Age']);
  assert.deepEqual(row('BlockAffinity', { node: 'node1', cidr: '10.244.0.0/30', state: 'confirmed' }), [['Name', 'Node', 'CIDR', 'State', 'Age'], ['x', 'node1', '10.244.0.0/30', 'confirmed', '0s']]);
});

test('calico-ipam refuses (and names) what a schema cannot check: CIDR syntax, blockSize for the family and prefix', () => {
  const pool = (name: string, spec: Record<string, unknown>): IPPool => ({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name }, spec } as unknown as IPPool);
  const r = checkPools([pool('ok', { cidr: '10.244.0.0/16', blockSize: 26 }), pool('host', { cidr: '10.244.0.1/16' }), pool('small', { cidr: '10.0.0.0/24', blockSize: 20 }), pool('v4big', { cidr: '10.0.0.0/8', blockSize: 100 })]);
  assert.deepEqual(r.valid.map((p) => p.metadata.name), ['ok']);
  assert.match(r.rejected[0]!, /^IPPool "host" is invalid: spec.cidr: Invalid value: "10.244.0.1\/16": must be a network address/);
  assert.match(r.rejected[1]!, /^IPPool "small" is invalid: spec.blockSize: .*pool's prefix/);
  assert.match(r.rejected[2]!, /^IPPool "v4big" is invalid: spec.blockSize: Invalid value: 100: must be between 20 and 32/);
});
