import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph, type NodeKernel } from './graph.js';
import { asTrace, mapHops, type Trace, type TraceHop } from './hops.js';

const link = (name: string, kind: string): NodeKernel['links'][number] => ({ name, ifindex: 1, kind, mtu: 1500, state: 'UP', mac: '', addresses: [] });
const k = (peer: string, veth: string): NodeKernel => ({
  network: 'flannel', links: [link('eth0', 'veth'), link('cni0', 'bridge'), link('flannel.1', 'vxlan'), link(veth, 'veth')],
  bridges: [{ name: 'cni0', ports: [{ name: veth, state: 'forwarding' }] }],
  tunnels: [{ name: 'flannel.1', kind: 'vxlan', vni: 1, port: 8472, fdb: [{ mac: 'x', dst: peer }], neighbours: [] }], caliInterfaces: [],
});
const graph = buildGraph({
  nodes: [{ name: 'node1', internalIP: '192.168.1.1', podCIDRs: [] }, { name: 'node2', internalIP: '192.168.1.2', podCIDRs: [] }],
  pods: [{ namespace: 'default', name: 'a', node: 'node1', ip: '10.244.0.2' }, { namespace: 'default', name: 'b', node: 'node2', ip: '10.244.1.2' }],
  services: [], endpoints: [],
  kernel: new Map([['node1', k('192.168.1.2', 'vethA')], ['node2', k('192.168.1.1', 'vethB')]]),
  attachments: new Map([['default/a', { netns: 'cni-1111', peer: 'vethA' }], ['default/b', { peer: 'vethB' }]]),
});

const hop = (index: number, node: string, netns: string, step: TraceHop['step'], device?: string): TraceHop => ({ index, node, netns, step, detail: `${step} ${device ?? ''}`, ...(device ? { device } : {}) });
const trace = (hops: TraceHop[]): Trace => ({
  apiVersion: 'podnet.io/v1', kind: 'Trace', protocol: 'tcp',
  source: { kind: 'pod', name: 'a', namespace: 'default', node: 'node1', ip: '10.244.0.2' },
  destination: { kind: 'pod', name: 'b', namespace: 'default', node: 'node2', ip: '10.244.1.2', port: 8080 },
  verdict: 'delivered', hops,
});

test('a pod→pod VXLAN trace lights the pods, veths, bridges, both tunnels and the underlay in order', () => {
  const t = trace([
    hop(0, 'node1', 'cni-1111', 'route', 'eth0'), hop(1, 'node1', 'pn-lab-node1', 'veth', 'vethA'), hop(2, 'node1', 'pn-lab-node1', 'bridge', 'cni0'),
    hop(3, 'node1', 'pn-lab-node1', 'route', 'flannel.1'), hop(4, 'node1', 'pn-lab-node1', 'tunnel', 'flannel.1'), hop(5, 'underlay', 'pn-lab-underlay', 'underlay', 'underlay'),
    hop(6, 'node2', 'pn-lab-node2', 'tunnel', 'flannel.1'), hop(7, 'node2', 'pn-lab-node2', 'bridge', 'cni0'), hop(8, 'node2', 'pn-lab-node2', 'veth', 'vethB'),
    hop(9, 'node2', 'cni-2222', 'deliver', 'eth0'),
  ]);
  const h = mapHops(t, graph);
  assert.deepEqual(h.map((x) => x.elements[0]), ['pod:default/a', 'dev:node1/vethA', 'dev:node1/cni0', 'dev:node1/flannel.1', 'dev:node1/flannel.1', 'underlay',
    'dev:node2/flannel.1', 'dev:node2/cni0', 'dev:node2/vethB', 'pod:default/b']);
  assert.ok(h[1]!.elements.includes('pair:default/a'), 'the veth pair edge');
  assert.ok(h[2]!.elements.includes('port:node1/vethA'), 'the bridge port edge');
  assert.ok(h[6]!.elements.includes('vxlan:dev:node1/flannel.1~dev:node2/flannel.1'), 'the VXLAN peering once the packet is decapsulated');
  assert.ok(h[9]!.elements.includes('pair:default/b'));
});

test('the receiving tunnel end lights up even when the trace names only the sending one', () => {
  // podnet trace's shape: route + tunnel on node1, the underlay, then node2's rules and route to cni0
  const t = trace([
    hop(1, 'node1', 'cni-1111', 'route', 'eth0'), hop(2, 'node1', 'pn-lab-node1', 'bridge', 'cni0'), hop(3, 'node1', 'pn-lab-node1', 'route', 'flannel.1'),
    hop(4, 'node1', 'pn-lab-node1', 'tunnel', 'flannel.1'), hop(5, 'underlay', 'pn-lab-underlay', 'underlay', 'underlay'),
    hop(6, 'node2', 'pn-lab-node2', 'rule'), hop(7, 'node2', 'pn-lab-node2', 'route', 'cni0'), hop(8, 'node2', 'pn-lab-node2', 'bridge', 'cni0'),
    hop(9, 'node2', 'cni-2222', 'deliver'),
  ]);
  const h = mapHops(t, graph);
  assert.deepEqual(h[4]!.elements, ['underlay', 'dev:node1/eth0', 'encap:node1/flannel.1', 'uplink:node1'], 'out through node1\'s eth0');
  assert.deepEqual(h[5]!.elements, ['node:node2', 'dev:node2/flannel.1', 'vxlan:dev:node1/flannel.1~dev:node2/flannel.1', 'dev:node2/eth0', 'uplink:node2', 'encap:node2/flannel.1']);
  const lit = new Set(h.flatMap((x) => x.elements));
  for (const id of ['pod:default/a', 'dev:node1/flannel.1', 'underlay', 'dev:node2/flannel.1', 'dev:node2/cni0', 'pod:default/b']) assert.ok(lit.has(id), id);
  assert.equal(h.filter((x) => x.elements.includes('dev:node2/flannel.1')).length, 1, 'the receiving end once');
  // the veths no hop names: between the source pod and node1's bridge, between node2's bridge and the destination pod
  assert.deepEqual(h[1]!.elements, ['dev:node1/cni0', 'dev:node1/vethA', 'pair:default/a', 'port:node1/vethA']);
  assert.deepEqual(h[8]!.elements, ['pod:default/b', 'dev:node2/vethB', 'port:node2/vethB', 'pair:default/b']);
});

test('deliver lands in the destination pod, found by name or by address, even from the node\'s netns', () => {
  const t = trace([hop(1, 'node2', 'pn-lab-node2', 'bridge', 'cni0'), hop(2, 'node2', 'pn-lab-node2', 'deliver')]);
  assert.equal(mapHops(t, graph)[1]!.elements[0], 'pod:default/b');
  const byIP = { ...t, destination: { kind: 'ip', ip: '10.244.1.2', port: 80 } };
  assert.equal(mapHops(byIP, graph)[1]!.elements[0], 'pod:default/b');
  const toNode = { ...t, destination: { kind: 'node', name: 'node2', node: 'node2', ip: '192.168.1.2', port: 30080 } };
  assert.equal(mapHops(toNode, graph)[1]!.elements[0], 'node:node2');
});

test('hops without a drawn device fall back to their node; rule hops stay on the node', () => {
  const h = mapHops(trace([hop(0, 'node1', 'pn-lab-node1', 'rule'), hop(1, 'node1', 'pn-lab-node1', 'dnat', 'nosuchdev'), hop(2, 'node9', 'x', 'drop')]), graph);
  assert.deepEqual(h.map((x) => x.elements), [['node:node1'], ['node:node1'], []]);
});

test('eth0 in the node netns is the node\'s eth0, not a pod\'s', () => {
  const h = mapHops(trace([hop(0, 'node2', 'pn-lab-node2', 'route', 'eth0')]), graph);
  assert.deepEqual(h[0]!.elements, ['dev:node2/eth0']);
});

test('asTrace refuses what is not a Trace', () => {
  assert.throws(() => asTrace({ kind: 'Pod' }), /not a podnet Trace/);
  assert.throws(() => asTrace({ ...trace([]), hops: [{ node: 1 }] }), /bad trace hop/);
  assert.equal(asTrace(JSON.parse(JSON.stringify(trace([])))).verdict, 'delivered');
});
