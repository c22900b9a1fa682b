import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSpec, nodeHosts } from './spec.js';
import { nodeRoutes } from './topology.js';

test('nodes skip the master\'s address (seed 000: k8s-master 192.168.138.224)', () => {
  assert.deepEqual(nodeHosts(3), [221, 222, 223]);
  assert.deepEqual(nodeHosts(5), [221, 222, 223, 225, 226]);
  const s = labSpec({ nodes: 4 });
  assert.equal(s.master.ip, '192.168.138.224');
  assert.equal(s.master.apiPort, 6443);
  assert.deepEqual(s.nodes.map((n) => n.ip), ['192.168.138.221', '192.168.138.222', '192.168.138.223', '192.168.138.225']);
  assert.ok(!labSpec({ nodes: 20 }).nodes.some((n) => n.ip === s.master.ip));
  const seed = labSpec({ example: 'seed' });
  assert.deepEqual(seed.nodes.map((n) => `${n.name}=${n.ip}`), ['k8s-node1=192.168.138.221', 'k8s-node2=192.168.138.222']);
  assert.equal(seed.master.ip, '192.168.138.224');
});

test('a node routes everything off its /24 through the master', () => {
  assert.deepEqual(nodeRoutes('192.168.138.224'), [{ dst: 'default', via: '192.168.138.224', dev: 'eth0' }]);
});
