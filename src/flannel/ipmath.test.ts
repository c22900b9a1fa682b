import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, intToIp, ipToInt, keySubnet, nthIp, parseCidr, subnetKey, subnetsBetween } from './ipmath.js';

test('ipmath: addresses and CIDRs', () => {
  assert.equal(ipToInt('10.244.3.1'), 10 * 2 ** 24 + 244 * 2 ** 16 + 3 * 256 + 1);
  assert.equal(intToIp(ipToInt('255.255.255.255')), '255.255.255.255');
  for (const bad of ['10.244.3', '10.244.3.256', '1.2.3.4.5', 'a.b.c.d']) assert.throws(() => ipToInt(bad), /not an IPv4 address/, bad);
  assert.deepEqual(parseCidr('10.244.3.7/24'), { base: ipToInt('10.244.3.0'), len: 24 });
  assert.throws(() => parseCidr('10.244.3.0/33'), /not an IPv4 CIDR/);
  assert.ok(cidrContains('10.244.0.0/16', '10.244.255.255'));
  assert.ok(!cidrContains('10.244.0.0/16', '10.245.0.0'));
  assert.equal(nthIp('10.244.3.0/24', 0), '10.244.3.0');
  assert.equal(nthIp('10.244.3.0/24', 1), '10.244.3.1');
});

test('ipmath: flannel\'s etcd key form of a subnet, both ways', () => {
  assert.equal(subnetKey('10.20.92.0/24'), '10.20.92.0-24');
  assert.equal(keySubnet('/coreos.com/network/subnets/10.20.92.0-24'), '10.20.92.0/24');
  assert.equal(keySubnet('/coreos.com/network/config'), undefined);
});

test('ipmath: the subnets between min and max, in order', () => {
  assert.deepEqual(subnetsBetween('10.244.1.0', '10.244.4.0', 24), ['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24', '10.244.4.0/24']);
  assert.deepEqual(subnetsBetween('10.5.0.128', '10.5.0.128', 25), ['10.5.0.128/25']);
  assert.equal(subnetsBetween('10.244.1.0', '10.244.255.0', 24).length, 255);
  assert.deepEqual(subnetsBetween('10.244.2.0', '10.244.1.0', 24), []);
});
