import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { registerPolicyMetrics } from './metrics.js';
import type { PolicyEnforcer } from './enforcer.js';

test('denied packets per pod and per policy, read from the kernel counters at scrape time', async () => {
  let packets = 5;
  const fake = {
    status: { rules: 12, chains: 4, lastSyncMs: 7, transactions: 3 },
    denied: async () => [
      { c: { counter: 'deny-in/x/a', direction: 'ingress', namespace: 'x', pod: 'a', policies: ['x/p1', 'x/p2'] }, packets, bytes: 300 },
      { c: { counter: 'deny-in/x/b', direction: 'ingress', namespace: 'x', pod: 'b', policies: ['x/p1'] }, packets: 2, bytes: 100 },
    ],
  } as unknown as PolicyEnforcer;
  const reg = new Registry();
  registerPolicyMetrics(reg, fake);
  let text = await reg.metrics();
  assert.match(text, /^podnet_networkpolicy_denied_packets_total\{direction="ingress",namespace="x",pod="a",policies="x\/p1,x\/p2"\} 5$/m);
  assert.match(text, /^podnet_networkpolicy_policy_denied_packets_total\{direction="ingress",namespace="x",policy="p1"\} 7$/m);
  assert.match(text, /^podnet_networkpolicy_policy_denied_packets_total\{direction="ingress",namespace="x",policy="p2"\} 5$/m);
  assert.match(text, /^podnet_networkpolicy_rules 12$/m);
  packets = 9;
  text = await reg.metrics();
  assert.match(text, /pod="a",policies="x\/p1,x\/p2"\} 9$/m, 'values follow the kernel counters, not accumulate');
});
