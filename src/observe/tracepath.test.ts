import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchedRoute } from './tracepath.js';
import type { RouteInfo } from '../net/route.js';

test('matchedRoute: the longest prefix holding the address on the device the lookup chose', () => {
  const routes: RouteInfo[] = [
    { dst: 'default', gateway: '192.168.138.224', dev: 'eth0', flags: [] },
    { dst: '10.244.0.0/24', dev: 'cni0', protocol: 'kernel', scope: 'link', flags: [] },
    { dst: '10.244.1.0/24', gateway: '10.244.1.0', dev: 'flannel.1', flags: ['onlink'] },
    { dst: '10.244.2.0/26', gateway: '192.168.138.222', dev: 'eth0', protocol: 'bird', flags: [] },
    { dst: '10.244.3.7', dev: 'cali1234', scope: 'link', flags: [] },
  ];
  assert.equal(matchedRoute(routes, '10.244.1.2', 'flannel.1')?.dst, '10.244.1.0/24');
  assert.equal(matchedRoute(routes, '10.244.2.5', 'eth0')?.protocol, 'bird');
  assert.equal(matchedRoute(routes, '10.250.0.1', 'eth0')?.dst, 'default');
  assert.equal(matchedRoute(routes, '10.244.3.7', 'cali1234')?.dst, '10.244.3.7');
  assert.equal(matchedRoute(routes, '10.244.3.8', 'cali1234'), undefined);
});
