import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { containerLines, hostVethName, hostVethSysctls, vethNameForWorkload } from './plan.js';
import { loadCalicoConf, handleId } from './config.js';

test('host veth name: cali + first 11 hex of sha1("<ns>.<pod>") (as `echo -n ns.pod | sha1sum | cut -c-11`)', () => {
  const want = execFileSync('sh', ['-c', 'printf %s default.web-0 | sha1sum | cut -c1-11']).toString().trim();
  assert.equal(vethNameForWorkload('default', 'web-0'), `cali${want}`);
  assert.equal(vethNameForWorkload('default', 'web-0').length, 15, 'fits IFNAMSIZ');
  assert.match(hostVethName({}, 'abc'), /^cali[0-9a-f]{11}$/);
});

test('pod side: /32, on-link 169.254.1.1, default via it; host side: proxy ARP without delay', () => {
  assert.deepEqual(containerLines('eth0', '10.244.0.5'), [
    'addr add 10.244.0.5/32 dev eth0', 'link set dev eth0 up', 'route add 169.254.1.1 dev eth0 scope link', 'route add default via 169.254.1.1 dev eth0',
  ]);
  assert.equal(hostVethSysctls('caliX')['net.ipv4.conf.caliX.proxy_arp'], 1);
  assert.equal(hostVethSysctls('caliX')['net.ipv4.neigh.caliX.proxy_delay'], 0);
});

test('config: defaults, pod identity from CNI_ARGS, bad mtu is an invalid-config error', () => {
  const c = loadCalicoConf({ conf: { cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', nodename: 'n1' }, args: 'K8S_POD_NAMESPACE=default;K8S_POD_NAME=web', containerId: 'ABC' });
  assert.equal(c.mtu, 1500);
  assert.equal(c.ipamType, 'calico-ipam');
  assert.deepEqual([c.k8s.namespace, c.k8s.pod], ['default', 'web']);
  assert.equal(handleId(c, 'ABC'), 'k8s-pod-network.abc');
  assert.throws(() => loadCalicoConf({ conf: { cniVersion: '1.0.0', name: 'n', type: 'calico', mtu: 20 }, args: '', containerId: 'x' }), (e: Error & { cniCode?: number }) => e.cniCode === 7 && /mtu/.test(e.message));
});
