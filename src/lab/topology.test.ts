import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSpec } from './spec.js';
import { topologyPlan } from './up.js';
import { topologyBatches } from './topology.js';

test('a 2-node lab is one ip batch for the underlay (bridge, a veth per host into its netns) and one per host', () => {
  const { underlay, hosts } = topologyBatches(topologyPlan(labSpec({ name: 't', nodes: 2 })));
  assert.deepEqual(underlay.slice(0, 3), ['link set lo up', 'link add underlay type bridge', 'link set underlay up']);
  assert.ok(underlay.includes('link add vn1 type veth peer name eth0 netns pn-t-node1'));
  assert.ok(underlay.includes('link set vn1 master underlay up'));
  assert.equal(underlay.filter((l) => l.includes('type veth')).length, 4); // master, 2 nodes, ext
  const n1 = hosts.get('pn-t-node1')!;
  assert.equal(n1[0], 'link set lo up');
  assert.ok(n1.indexOf('addr add 192.168.138.221/24 dev eth0') < n1.indexOf('route replace default via 192.168.138.224 dev eth0'));
  assert.deepEqual(hosts.get('pn-t-ext')!.slice(-1), ['route replace 192.168.138.240/28 nexthop via 192.168.138.221 nexthop via 192.168.138.222']);
});

test('racks: the rack bridges, each router on the core and its rack bridge, rack subnets routed from master and client', () => {
  const { underlay, hosts } = topologyBatches(topologyPlan(labSpec({ name: 't', nodes: 2, network: 'calico', racks: 2 })));
  assert.ok(underlay.includes('link add rack1 type bridge'));
  assert.ok(underlay.includes('link set vt1r master rack1 up'));
  const tor = hosts.get('pn-t-tor1')!;
  assert.ok(tor.includes('addr add 10.0.1.1/24 dev eth1'));
  assert.ok(hosts.get('pn-t-master')!.includes('route replace 10.0.1.0/24 via 192.168.138.201'));
  assert.ok(!hosts.get('pn-t-ext')!.some((l) => l.includes('nexthop')));
  assert.ok(hosts.get('pn-t-node1')!.includes('route replace default via 10.0.1.1 dev eth0'));
});
