import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregatorRegistry } from 'prom-client';
import { FastPathCounts } from './fastcounts.js';
import { createDnsMetrics } from './metrics.js';

test('fast-path counts come out under the DnsMetrics names and sum with a prom-client registry', async () => {
  const c = new FastPathCounts();
  for (let i = 0; i < 5; i++) c.answered(1, 0);      // A, NOERROR
  c.answered(28, 3);                                 // AAAA, NXDOMAIN
  c.answered(257, 0);                                // CAA (a rare type number)
  c.observe(6, 0.0003);
  c.observe(1, 0.003);
  c.observe(0, 5);                                   // nothing answered: nothing counted
  c.dropped = 2;
  const m = createDnsMetrics({ processMetrics: false });
  m.requests.inc({ proto: 'udp', type: 'A' }, 10);
  m.responses.inc({ rcode: 'NOERROR' }, 10);
  m.duration.observe({ proto: 'udp' }, 0.002);
  const text = await AggregatorRegistry.aggregate([await m.dnsRegistry.getMetricsAsJSON(), c.toJSON()] as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
  assert.match(text, /^podnet_dns_requests_total\{proto="udp",type="A"\} 15$/m);
  assert.match(text, /^podnet_dns_requests_total\{proto="udp",type="AAAA"\} 1$/m);
  assert.match(text, /^podnet_dns_requests_total\{proto="udp",type="CAA"\} 1$/m);
  assert.match(text, /^podnet_dns_responses_total\{rcode="NOERROR"\} 16$/m);
  assert.match(text, /^podnet_dns_responses_total\{rcode="NXDOMAIN"\} 1$/m);
  assert.match(text, /^podnet_dns_dropped_total 2$/m);
  // Cumulative buckets: 6 at ≤0.5 ms, the one at 2 ms (ours) and 3 ms land by 5 ms.
  assert.match(text, /^podnet_dns_request_duration_seconds_bucket\{le="0.0001",proto="udp"\} 0$/m);
  assert.match(text, /^podnet_dns_request_duration_seconds_bucket\{le="0.0005",proto="udp"\} 6$/m);
  assert.match(text, /^podnet_dns_request_duration_seconds_bucket\{le="0.005",proto="udp"\} 8$/m);
  assert.match(text, /^podnet_dns_request_duration_seconds_bucket\{le="\+Inf",proto="udp"\} 8$/m);
  assert.match(text, /^podnet_dns_request_duration_seconds_count\{proto="udp"\} 8$/m);
});
