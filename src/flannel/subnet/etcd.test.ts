import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseValue, parseAttrs, planLease } from './etcd.js';

const conf = { SubnetMin: '10.244.1.0', SubnetMax: '10.244.4.0', SubnetLen: 24 };
const P = '/coreos.com/network/subnets/';
const attrs = (ip: string): string => leaseValue({ PublicIP: ip, BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '6e:2f:00:00:00:01' } });

test('lease value: flannel\'s LeaseAttrs JSON, PublicIPv6 null when absent; parsed back', () => {
  const v = attrs('192.168.138.221');
  assert.equal(v, '{"PublicIP":"192.168.138.221","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"6e:2f:00:00:00:01"}}');
  assert.deepEqual(parseAttrs(v), { PublicIP: '192.168.138.221', PublicIPv6: null, BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '6e:2f:00:00:00:01' } });
  assert.equal(leaseValue({ PublicIP: '10.0.0.1', PublicIPv6: 'fd00::1', BackendType: 'host-gw', BackendData: null }), '{"PublicIP":"10.0.0.1","PublicIPv6":"fd00::1","BackendType":"host-gw","BackendData":null}');
  for (const junk of ['', 'not json', '{"PublicIP": 5, "BackendType": "vxlan"}', '{"PublicIP": "10.0.0.1"}']) assert.equal(parseAttrs(junk), undefined, junk);
});

test('lease choice: the free subnets between SubnetMin and SubnetMax, skipping taken keys', () => {
  assert.deepEqual(planLease({}, '192.168.138.221', conf), { free: ['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24', '10.244.4.0/24'] });
  const existing = { [`${P}10.244.2.0-24`]: attrs('192.168.138.222'), [`${P}10.244.4.0-24`]: 'garbage still takes the subnet', [`${P}junk`]: attrs('192.168.138.221') };
  assert.deepEqual(planLease(existing, '192.168.138.221', conf), { free: ['10.244.1.0/24', '10.244.3.0/24'] }, 'a key without a subnet is ignored');
  const full = Object.fromEntries(['1', '2', '3', '4'].map((n) => [`${P}10.244.${n}.0-24`, attrs(`192.168.138.${n}`)]));
  assert.deepEqual(planLease(full, '192.168.138.99', conf), { free: [] });
});

test('lease choice: a node takes back its own lease (same public IP), even when nothing is free', () => {
  const full = Object.fromEntries(['1', '2', '3', '4'].map((n) => [`${P}10.244.${n}.0-24`, attrs(`192.168.138.${n}`)]));
  assert.deepEqual(planLease(full, '192.168.138.3', conf), { mine: '10.244.3.0/24', free: [] });
});
