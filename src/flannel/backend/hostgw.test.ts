import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostGwStale } from './hostgw.js';

test('host-gw converge: gateway routes to our network\'s subnets that no lease backs go; ours, other prefixes and direct routes stay', () => {
  const routes = [
    { dst: '10.244.2.0/24', gateway: '192.168.138.222' },  // backed by a lease
    { dst: '10.244.9.0/24', gateway: '192.168.138.229' },  // stale
    { dst: '10.244.1.0/24', gateway: '192.168.138.221' },  // our own subnet
    { dst: '10.244.0.0/16', gateway: '192.168.138.1' },    // not a node subnet (other length)
    { dst: '10.96.0.0/24', gateway: '192.168.138.1' },     // outside the network
    { dst: '192.168.138.0/24' },                           // the underlay, no gateway
    { dst: '10.244.7.0/24' },                              // no gateway: not ours to manage
    { dst: 'default', gateway: '192.168.138.1' },
  ];
  assert.deepEqual(hostGwStale({ Network: '10.244.0.0/16', SubnetLen: 24 }, ['10.244.2.0/24'], '10.244.1.0/24', routes), ['10.244.9.0/24']);
  assert.deepEqual(hostGwStale({ Network: '10.244.0.0/16', SubnetLen: 24 }, [], undefined, routes), ['10.244.2.0/24', '10.244.9.0/24', '10.244.1.0/24']);
});
