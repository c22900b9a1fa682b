import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvFile } from './inspectnode.js';
import { renderNodeInspection } from './inspectnodeview.js';

test('parseEnvFile reads flanneld\'s subnet.env', () => {
  assert.deepEqual(parseEnvFile('FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n'),
    { FLANNEL_NETWORK: '10.244.0.0/16', FLANNEL_SUBNET: '10.244.1.1/24', FLANNEL_MTU: '1450', FLANNEL_IPMASQ: 'true' });
});

test('renderNodeInspection aligns its tables and pairs FDB entries with neighbours', () => {
  const out = renderNodeInspection({
    node: 'node1', network: 'flannel', podCIDRs: ['10.244.1.0/24'], internalIP: '10.0.0.11',
    links: [{ name: 'flannel.1', ifindex: 3, kind: 'vxlan', mtu: 1450, state: 'UNKNOWN', mac: 'aa:aa:aa:aa:aa:01', addresses: ['10.244.1.0/32'] }],
    bridges: [{ name: 'cni0', ports: [{ name: 'veth1', state: 'forwarding' }] }],
    tunnels: [{ name: 'flannel.1', kind: 'vxlan', vni: 1, port: 8472, local: '10.0.0.11', dev: 'eth0', fdb: [{ mac: 'bb:bb:bb:bb:bb:02', dst: '10.0.0.12', flags: ['self'], state: 'permanent' }],
      neighbours: [{ dst: '10.244.2.0', lladdr: 'bb:bb:bb:bb:bb:02', state: ['PERMANENT'] }] }],
    caliInterfaces: [],
    routes: [{ dst: '10.244.2.0/24', gateway: '10.244.2.0', dev: 'flannel.1', flags: ['onlink'] }],
    lease: { subnetEnv: { FLANNEL_SUBNET: '10.244.1.1/24' }, annotations: { 'flannel.alpha.coreos.com/backend-type': 'vxlan' } },
    proxy: { mode: 'iptables', families: [{ family: 'nat KUBE-SVC-*', chains: 2, rules: 4 }] },
    networkPolicy: { table: false, chains: 0, sets: 0, maps: 0, counters: 0 },
  });
  assert.match(out, /^Node: {8}node1$/m);
  assert.match(out, /^ {2}flannel\.1 {3}vxlan {3}1 {5}8472 {3}10\.0\.0\.11 {3}eth0$/m);
  assert.match(out, /^ {2}bb:bb:bb:bb:bb:02 {3}10\.0\.0\.12 {6}10\.244\.2\.0 {8}permanent$/m);
  assert.match(out, /^ {2}10\.244\.2\.0\/24 {3}10\.244\.2\.0 {3}flannel\.1 {3}- {7}- {7}- {5}onlink$/m);
  assert.match(out, /^ {2}annotation backend-type: {2}vxlan$/m);
  assert.match(out, /^Proxy: iptables$/m);
  assert.match(out, /^NetworkPolicy \(nft inet podnet-policy\): no table$/m);
});
