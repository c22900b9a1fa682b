import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from '../subnet/types.js';
import { udpDeviceAddress, udpPeerRoutes } from './udp.js';

const lease = (subnet: string, ip: string, type = 'udp'): Lease => ({ subnet, attrs: { PublicIP: ip, BackendType: type, BackendData: null } });

test('flannel0 holds our subnet\'s .0 with the network\'s prefix (seed 000: 10.20.92.0/16 → route 10.20.0.0/16 dev flannel0)', () => {
  assert.equal(udpDeviceAddress({ Network: '10.20.0.0/16' }, lease('10.20.92.0/24', '192.168.138.222')), '10.20.92.0/16');
  assert.equal(udpDeviceAddress({ Network: '10.244.0.0/16' }, lease('10.244.1.0/24', '192.168.138.221')), '10.244.1.0/16');
});

test('peer routes: every other node\'s subnet to its public IP on the backend port, ours left out, sorted', () => {
  const ls = [lease('10.244.3.0/24', '192.168.138.223'), lease('10.244.1.0/24', '192.168.138.221'), lease('10.244.2.0/24', '192.168.138.222')];
  assert.deepEqual(udpPeerRoutes(ls, '10.244.1.0/24', 8285), [
    { subnet: '10.244.2.0/24', peerIP: '192.168.138.222', peerPort: 8285 },
    { subnet: '10.244.3.0/24', peerIP: '192.168.138.223', peerPort: 8285 },
  ]);
  assert.deepEqual(udpPeerRoutes([], undefined, 8285), []);
});
