import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheus, syncMetrics } from './metrics.js';

const text = `# HELP kubeproxy_sync_proxy_rules_duration_seconds SyncProxyRules latency in seconds
# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram
kubeproxy_sync_proxy_rules_duration_seconds_bucket{le="0.001"} 0
kubeproxy_sync_proxy_rules_duration_seconds_bucket{le="+Inf"} 4
kubeproxy_sync_proxy_rules_duration_seconds_sum 0.1
kubeproxy_sync_proxy_rules_duration_seconds_count 4
kubeproxy_sync_proxy_rules_last_timestamp_seconds 1764260000.5
podnet_networkpolicy_rules 12
podnet_networkpolicy_last_sync_seconds 0.0042
weird{a="x\\"y",b="z"} NaN
`;

test('Prometheus text: samples with labels; histogram lines; escaped quotes', () => {
  const s = parsePrometheus(text);
  assert.equal(s.find((x) => x.labels.le === '+Inf')?.value, 4);
  assert.ok(!s.some((x) => x.name === 'weird'), 'NaN samples are dropped');
  assert.deepEqual(parsePrometheus('m{a="x\\"y",b="z"} 1')[0]!.labels, { a: 'x"y', b: 'z' });
});

test('sync figures: last sync, count, mean duration, policy size and sync', () => {
  assert.deepEqual(syncMetrics(parsePrometheus(text)), { proxyLastSync: 1764260000.5, proxySyncs: 4, proxySyncMeanMs: 25, policyRules: 12, policyLastSyncMs: 4.2 });
  assert.deepEqual(syncMetrics([]), {});
});
