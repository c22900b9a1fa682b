import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { buildServiceMap } from '../tracker.js';
import { RoundRobin } from './balancer.js';
import { portalRules } from './rules.js';

test('portal rules have seed 002\'s shape', () => {
  // seed 002: default/ssh-service1, ClusterIP 10.254.132.107:2222, NodePort 30239, proxy port 36463, node 10.0.0.5
  const sp = buildServiceMap([{ metadata: { namespace: 'default', name: 'ssh-service1' }, spec: { type: 'LoadBalancer', clusterIP: '10.254.132.107', ports: [{ port: 2222, nodePort: 30239 }] } } as Service]).get('default/ssh-service1')!;
  const r = portalRules(sp, 36463, '10.0.0.5');
  assert.deepEqual(r.nat, [
    '-A KUBE-PORTALS-CONTAINER -d 10.254.132.107/32 -p tcp -m comment --comment "default/ssh-service1:" -m tcp --dport 2222 -j REDIRECT --to-ports 36463',
    '-A KUBE-PORTALS-HOST -d 10.254.132.107/32 -p tcp -m comment --comment "default/ssh-service1:" -m tcp --dport 2222 -j DNAT --to-destination 10.0.0.5:36463',
    '-A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment "default/ssh-service1:" -m tcp --dport 30239 -j REDIRECT --to-ports 36463',
    '-A KUBE-NODEPORT-HOST -p tcp -m comment --comment "default/ssh-service1:" -m tcp --dport 30239 -j DNAT --to-destination 10.0.0.5:36463',
  ]);
  assert.equal(portalRules(sp, 0, '10.0.0.5').filter.length, 2, 'no endpoints → REJECT for VIP and node port');
});

test('round robin rotates; ClientIP affinity sticks per client and skips failed endpoints', () => {
  const eps = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((ip) => ({ ip, port: 80, ready: true, serving: true, terminating: false, local: false }));
  const rr = new RoundRobin();
  rr.update(eps, 0);
  assert.deepEqual([1, 2, 3, 4].map(() => rr.pick('c')), ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.1:80']);
  rr.update(eps, 60_000);
  const first = rr.pick('a');
  assert.ok([1, 2, 3, 4, 5].every(() => rr.pick('a') === first));
  assert.notEqual(rr.pick('a', new Set([first!])), first);
  rr.update([], 60_000);
  assert.equal(rr.pick('a'), undefined);
});
