import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CniError, ErrCode, type NetConf } from '../../types.js';
import { containerIPv4, portMappings } from './index.js';

const conf = (portMappingsValue: unknown): NetConf => ({ cniVersion: '1.0.0', name: 'net', type: 'portmap', runtimeConfig: { portMappings: portMappingsValue } });
const invalid = (what: RegExp) => (e: unknown): boolean => e instanceof CniError && e.cniCode === ErrCode.InvalidNetworkConfig && what.test(e.msg);

test('portMappings: none given → none; protocol defaults to tcp and is lower-cased; hostIP kept when set', () => {
  assert.deepEqual(portMappings({ cniVersion: '1.0.0', name: 'n', type: 'portmap' }), []);
  assert.deepEqual(portMappings(conf(null)), []);
  assert.deepEqual(portMappings(conf([
    { hostPort: 8080, containerPort: 80 },
    { hostPort: 5353, containerPort: 53, protocol: 'UDP', hostIP: '192.168.1.10' },
    { hostPort: 9000, containerPort: 9000, protocol: 'sctp', hostIP: '' },
  ])), [
    { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostPort: 5353, containerPort: 53, protocol: 'udp', hostIP: '192.168.1.10' },
    { hostPort: 9000, containerPort: 9000, protocol: 'sctp' },
  ]);
});

test('portMappings: bad entries are InvalidNetworkConfig (7) naming the index and field', () => {
  assert.throws(() => portMappings(conf({ hostPort: 1 })), invalid(/must be a list/));
  for (const hostPort of [0, 65536, 80.5, '80', undefined]) assert.throws(() => portMappings(conf([{ hostPort, containerPort: 80 }])), invalid(/portMappings\[0\]\.hostPort invalid/), String(hostPort));
  assert.throws(() => portMappings(conf([{ hostPort: 80, containerPort: 80 }, { hostPort: 81, containerPort: 0 }])), invalid(/portMappings\[1\]\.containerPort invalid/));
  assert.throws(() => portMappings(conf([{ hostPort: 80, containerPort: 80, protocol: 'icmp' }])), invalid(/portMappings\[0\]\.protocol invalid/));
  assert.throws(() => portMappings(conf([{ hostPort: 80, containerPort: 80, hostIP: '300.1.1.1' }])), invalid(/portMappings\[0\]\.hostIP invalid/));
  assert.doesNotThrow(() => portMappings(conf([{ hostPort: 65535, containerPort: 1 }])));
});

test('containerIPv4: the sandbox interface\'s IPv4 address first, else the first IPv4 one; none for IPv6 only', () => {
  const ifs = [{ name: 'cni0' }, { name: 'veth1' }, { name: 'eth0', sandbox: '/run/netns/p' }];
  assert.equal(containerIPv4({ cniVersion: '1.0.0', interfaces: ifs, ips: [{ address: '10.0.0.1/24', interface: 0 }, { address: 'fd00::5/64', interface: 2 }, { address: '10.244.3.7/24', interface: 2 }] }), '10.244.3.7');
  assert.equal(containerIPv4({ cniVersion: '1.0.0', ips: [{ address: 'fd00::5/64' }, { address: '10.244.3.8/24' }] }), '10.244.3.8');
  assert.equal(containerIPv4({ cniVersion: '1.0.0', ips: [{ address: 'fd00::5/64' }] }), undefined);
  assert.equal(containerIPv4({ cniVersion: '1.0.0' }), undefined);
});
