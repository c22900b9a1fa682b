import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from '../subnet/types.js';
import { vtepOf, vxlanStale } from './vxlan.js';

const lease = (subnet: string, ip: string, mac?: string): Lease => ({ subnet, attrs: { PublicIP: ip, BackendType: 'vxlan', BackendData: mac ? { VNI: 1, VtepMAC: mac } : null } });
const conf = { Network: '10.244.0.0/16', SubnetLen: 24 };

test('vtep of a lease: MAC from BackendData, public IP, the subnet\'s .0 as gateway', () => {
  assert.deepEqual(vtepOf(lease('10.244.2.0/24', '192.168.138.222', '6e:2f:00:00:00:02')), { mac: '6e:2f:00:00:00:02', ip: '192.168.138.222', gw: '10.244.2.0' });
  assert.equal(vtepOf(lease('10.244.2.0/24', '192.168.138.222')).mac, undefined);
});

test('vxlan converge: only what no lease explains goes; other routes and the all-zero FDB entry stay', () => {
  const leases = [lease('10.244.2.0/24', '192.168.138.222', '6e:2f:00:00:00:02'), lease('10.244.3.0/24', '192.168.138.223', '6e:2f:00:00:00:03')];
  const stale = vxlanStale(conf, leases, {
    routes: [{ dst: '10.244.2.0/24' }, { dst: '10.244.3.0/24' }, { dst: '10.244.9.0/24' }, { dst: '10.244.0.0/16' }, { dst: '10.96.0.0/12' }, { dst: 'default' }, { dst: '10.244.5.7' }],
    neigh: [{ dst: '10.244.2.0' }, { dst: '10.244.3.0' }, { dst: '10.244.9.0' }],
    fdb: [
      { mac: '6e:2f:00:00:00:02', dst: '192.168.138.222' },
      { mac: '6e:2f:00:00:00:03', dst: '192.168.138.99' },   // the node moved: old FDB entry
      { mac: '6e:2f:00:00:00:09', dst: '192.168.138.229' },
      { mac: '00:00:00:00:00:00', dst: '192.168.138.250' },
      { mac: '6e:2f:00:00:00:0a' },
    ],
  });
  assert.deepEqual(stale, {
    routes: ['10.244.9.0/24'],
    neigh: ['10.244.9.0'],
    fdb: [{ mac: '6e:2f:00:00:00:03', dst: '192.168.138.99' }, { mac: '6e:2f:00:00:00:09', dst: '192.168.138.229' }],
  });
  assert.deepEqual(vxlanStale(conf, [], { routes: [], neigh: [], fdb: [] }), { routes: [], neigh: [], fdb: [] });
});
