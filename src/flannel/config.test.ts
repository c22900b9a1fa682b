import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlannelConfigError, isLeaseRoute, parseNetConf } from './config.js';
import { keySubnet, subnetKey, subnetsBetween } from './subnet/etcd.js';
import { renderSubnetEnv } from './subnetenv.js';

test('net-conf: defaults SubnetMin/Max skip the first and keep the last subnet', () => {
  const c = parseNetConf({ Network: ' 10.244.3.7/16 ', Backend: { Type: 'vxlan' } });
  assert.equal(c.Network, '10.244.0.0/16');
  assert.equal(c.SubnetLen, 24);
  assert.equal(c.SubnetMin, '10.244.1.0');
  assert.equal(c.SubnetMax, '10.244.255.0');
  const small = parseNetConf({ Network: '10.20.0.0/24', Backend: { Type: 'host-gw' } });
  assert.deepEqual([small.SubnetLen, small.SubnetMin, small.SubnetMax], [25, '10.20.0.128', '10.20.0.128']);
});

test('net-conf: address errors keep their messages', () => {
  const bad = (raw: unknown, re: RegExp) => assert.throws(() => parseNetConf(raw), (e: unknown) => e instanceof FlannelConfigError && re.test(e.message));
  bad({ Network: '10.244.0.0' }, /^net-conf: Network: "10\.244\.0\.0" is not an IPv4 CIDR$/);
  bad({ Network: 'fd00::/64' }, /is not an IPv4 CIDR/);
  bad({ Network: '10.244.0.0/33' }, /is not an IPv4 CIDR/);
  bad({ Network: '10.244.0.0/16', SubnetMin: '10.244.1' }, /^net-conf: SubnetMin "10\.244\.1" is not an IPv4 address$/);
  bad({ Network: '10.244.0.0/16', SubnetMin: '10.245.1.0' }, /^net-conf: SubnetMin 10\.245\.1\.0 is outside Network 10\.244\.0\.0\/16$/);
  bad({ Network: '10.244.0.0/16', SubnetMax: '10.244.1.128' }, /^net-conf: SubnetMax 10\.244\.1\.128 is not aligned to SubnetLen 24$/);
});

test('lease routes: a /SubnetLen inside Network', () => {
  const conf = { Network: '10.244.0.0/16', SubnetLen: 24 };
  assert.ok(isLeaseRoute(conf, '10.244.7.0/24'));
  assert.ok(!isLeaseRoute(conf, '10.244.7.0/25'));
  assert.ok(!isLeaseRoute(conf, '10.245.7.0/24'));
  assert.ok(!isLeaseRoute(conf, 'default'));
  assert.ok(!isLeaseRoute(conf, '10.244.7.1'));
});

test('etcd keys and subnet enumeration', () => {
  assert.equal(subnetKey('10.20.92.0/24'), '10.20.92.0-24');
  assert.equal(keySubnet('/coreos.com/network/subnets/10.20.92.0-24'), '10.20.92.0/24');
  assert.equal(keySubnet('/coreos.com/network/config'), undefined);
  assert.equal(keySubnet('/coreos.com/network/subnets/10.20.92-24'), undefined);
  assert.deepEqual(subnetsBetween('10.20.1.0', '10.20.3.0', 24), ['10.20.1.0/24', '10.20.2.0/24', '10.20.3.0/24']);
  assert.deepEqual(subnetsBetween('10.20.3.0', '10.20.1.0', 24), []);
  assert.deepEqual(subnetsBetween('255.255.255.0', '255.255.255.0', 24), ['255.255.255.0/24']);
});

test('subnet.env: FLANNEL_SUBNET is the first host address with the length', () => {
  assert.match(renderSubnetEnv({ network: '10.244.0.0/16', subnet: '10.244.3.0/24', mtu: 1450, ipMasq: true }), /^FLANNEL_SUBNET=10\.244\.3\.1\/24$/m);
});
