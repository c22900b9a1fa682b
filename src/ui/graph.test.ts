import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph, type GraphInput, type NodeKernel } from './graph.js';

const link = (name: string, kind: string, extra: Partial<NodeKernel['links'][number]> = {}): NodeKernel['links'][number] =>
  ({ name, ifindex: 1, kind, mtu: 1500, state: 'UP', mac: '', addresses: [], ...extra });

function kernel(node: string, peerIP: string, veths: string[]): NodeKernel {
  return {
    network: 'flannel',
    links: [link('lo', 'loopback'), link('eth0', 'veth', { addresses: ['192.168.138.1/24'] }), link('cni0', 'bridge', { addresses: [`10.244.${node === 'n1' ? 0 : 1}.1/24`] }),
      link('flannel.1', 'vxlan'), ...veths.map((v) => link(v, 'veth', { master: 'cni0' }))],
    bridges: [{ name: 'cni0', ports: veths.map((v) => ({ name: v, state: 'forwarding' })) }],
    tunnels: [{ name: 'flannel.1', kind: 'vxlan', vni: 1, port: 8472, fdb: [{ mac: 'aa:bb:cc:dd:ee:ff', dst: peerIP }], neighbours: [] }],
    caliInterfaces: [],
  };
}

const input = (): GraphInput => ({
  nodes: [{ name: 'n1', internalIP: '192.168.138.221', podCIDRs: ['10.244.0.0/24'] }, { name: 'n2', internalIP: '192.168.138.222', podCIDRs: ['10.244.1.0/24'] }],
  pods: [{ namespace: 'default', name: 'a', node: 'n1', ip: '10.244.0.2', phase: 'Running' }, { namespace: 'default', name: 'b', node: 'n2', ip: '10.244.1.2', phase: 'Running' },
    { namespace: 'kube-system', name: 'pending', phase: 'Pending' }],
  services: [{ namespace: 'default', name: 'web', type: 'ClusterIP', clusterIP: '10.96.0.20', ports: ['80/TCP'] }],
  endpoints: [{ namespace: 'default', service: 'web', ip: '10.244.0.2', pod: 'a', node: 'n1', ready: true }, { namespace: 'default', service: 'web', ip: '10.244.1.2', ready: false }],
  kernel: new Map([['n1', kernel('n1', '192.168.138.222', ['veth1'])], ['n2', kernel('n2', '192.168.138.221', ['veth2'])]]),
  attachments: new Map([['default/a', { netns: 'cni-a', peer: 'veth1', bridge: 'cni0' }], ['default/b', { netns: 'cni-b', peer: 'veth2', bridge: 'cni0' }]]),
});

test('nodes hold their devices and pods; veths are bridge ports and pod peers', () => {
  const g = buildGraph(input());
  const ids = g.nodes.map((n) => n.data.id);
  for (const id of ['node:n1', 'node:n2', 'underlay', 'dev:n1/eth0', 'dev:n1/cni0', 'dev:n1/veth1', 'dev:n1/flannel.1', 'dev:n2/flannel.1', 'pod:default/a', 'pod:default/b', 'pod:kube-system/pending', 'svc:default/web']) assert.ok(ids.includes(id), id);
  assert.ok(!ids.includes('dev:n1/lo'), 'lo is not drawn');
  const node = (id: string) => g.nodes.find((n) => n.data.id === id)!.data;
  assert.equal(node('pod:default/a').parent, 'node:n1');
  assert.equal(node('pod:default/a').netns, 'cni-a');
  assert.equal(node('pod:kube-system/pending').parent, undefined, 'an unscheduled pod floats');
  assert.equal(node('dev:n1/flannel.1').kind, 'tunnel');
  assert.equal(node('dev:n1/cni0').kind, 'bridge');
  assert.equal(node('dev:n1/cni0').ip, '10.244.0.1');
  const edge = (id: string) => g.edges.find((e) => e.data.id === id)?.data;
  assert.deepEqual([edge('pair:default/a')?.source, edge('pair:default/a')?.target], ['pod:default/a', 'dev:n1/veth1']);
  assert.deepEqual([edge('port:n1/veth1')?.source, edge('port:n1/veth1')?.target], ['dev:n1/veth1', 'dev:n1/cni0']);
  assert.equal(edge('encap:n1/flannel.1')?.label, 'VNI 1 :8472');
  assert.equal(edge('uplink:n2')?.target, 'underlay');
  // one VXLAN peering per pair of nodes, whichever FDB names it
  assert.deepEqual(g.edges.filter((e) => e.data.kind === 'vxlan-peer').map((e) => e.data.id), ['vxlan:dev:n1/flannel.1~dev:n2/flannel.1']);
  // endpoints by targetRef, or by pod IP when the slice has no targetRef
  assert.equal(edge('ep:default/web/10.244.0.2')?.target, 'pod:default/a');
  assert.equal(edge('ep:default/web/10.244.1.2')?.target, 'pod:default/b');
  assert.equal(edge('ep:default/web/10.244.1.2')?.label, 'not ready');
});

test('every edge joins two drawn elements; the output is sorted and stable', () => {
  const g = buildGraph(input());
  const ids = new Set(g.nodes.map((n) => n.data.id));
  for (const e of g.edges) assert.ok(ids.has(e.data.source) && ids.has(e.data.target), e.data.id);
  assert.deepEqual(buildGraph(input()), g);
  const sorted = [...g.nodes.map((n) => n.data.id)].sort();
  assert.deepEqual(g.nodes.map((n) => n.data.id), sorted);
});

test('without kernel views: nodes, eth0 uplinks, pods and services only', () => {
  const g = buildGraph({ ...input(), kernel: new Map(), attachments: new Map() });
  assert.deepEqual(g.nodes.filter((n) => n.data.kind !== 'pod' && n.data.kind !== 'service').map((n) => n.data.id), ['dev:n1/eth0', 'dev:n2/eth0', 'node:n1', 'node:n2', 'underlay']);
  assert.equal(g.edges.filter((e) => e.data.kind === 'pair').length, 0);
});

test('calico: cali interfaces and one BGP session edge per pair of nodes', () => {
  const cal = (ip: string): NodeKernel => ({
    network: 'calico', links: [link('eth0', 'veth'), link('calia1b2c3d4e5f', 'veth')], bridges: [], tunnels: [], caliInterfaces: ['calia1b2c3d4e5f'],
    bgp: { running: true, peers: [{ peerAddress: ip, peerType: 'node-to-node mesh', state: 'up', since: '', info: 'Established' }] },
  });
  const g = buildGraph({ ...input(), kernel: new Map([['n1', cal('192.168.138.222')], ['n2', cal('192.168.138.221')]]), attachments: new Map([['default/a', { peer: 'calia1b2c3d4e5f' }]]) });
  assert.equal(g.nodes.find((n) => n.data.id === 'dev:n1/calia1b2c3d4e5f')?.data.kind, 'cali');
  const bgp = g.edges.filter((e) => e.data.kind === 'bgp');
  assert.equal(bgp.length, 1);
  assert.equal(bgp[0]!.data.label, 'BGP Established');
  assert.equal(g.edges.find((e) => e.data.id === 'pair:default/a')?.data.target, 'dev:n1/calia1b2c3d4e5f');
});
