import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../meta/types.js';
import { vtepMac, vxlanPlan } from './vxlan.js';
import type { IPAMBlock, IPPool } from './ipam/allocator.js';

const node = (name: string, cidr: string, tip: string): KObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, annotations: { 'projectcalico.org/IPv4Address': cidr, 'projectcalico.org/IPv4VXLANTunnelAddr': tip, 'projectcalico.org/VXLANTunnelMACAddr': vtepMac(name) } } });
const block = (cidr: string, n: string): IPAMBlock => ({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPAMBlock', metadata: { name: cidr }, spec: { cidr, affinity: `host:${n}`, allocations: [], unallocated: [], attributes: [] } });
const pool = (vxlanMode: string): IPPool => ({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.244.0.0/16', vxlanMode } });

test('vxlan plan: Always routes every remote block; CrossSubnet only other subnets', () => {
  const nodes = [node('n1', '10.0.1.11/24', '10.244.0.0'), node('n2', '10.0.2.11/24', '10.244.0.64'), node('n3', '10.0.1.12/24', '10.244.0.128')];
  const blocks = [block('10.244.0.0/26', 'n1'), block('10.244.0.64/26', 'n2'), block('10.244.0.128/26', 'n3')];
  assert.match(vtepMac('n1'), /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  assert.equal(parseInt(vtepMac('n1').slice(0, 2), 16) & 3, 2, 'locally administered unicast');
  const always = vxlanPlan('n1', nodes, blocks, [pool('Always')]);
  assert.deepEqual(always.routes, [{ dst: '10.244.0.128/26', via: '10.244.0.128' }, { dst: '10.244.0.64/26', via: '10.244.0.64' }]);
  assert.deepEqual(always.fdb.map((f) => f.dst).sort(), ['10.0.1.12', '10.0.2.11']);
  const cross = vxlanPlan('n1', nodes, blocks, [pool('CrossSubnet')]);
  assert.deepEqual(cross.routes, [{ dst: '10.244.0.64/26', via: '10.244.0.64' }]);
  assert.deepEqual(cross.neighs, [{ ip: '10.244.0.64', mac: vtepMac('n2') }]);
  assert.deepEqual(vxlanPlan('n1', nodes, blocks, [pool('Never')]).routes, []);
});
