import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsCache, cacheTtl } from './cache.js';

test('positive answers are cached for their smallest TTL, counted down on hits', () => {
  let now = 1_000_000;
  const c = new DnsCache({ maxEntries: 10, maxTtl: 3600, maxNegativeTtl: 60, now: () => now });
  const k = DnsCache.key('Example.COM.', 'A');
  c.put(k, { rcode: 'NOERROR', answers: [{ name: 'example.com', type: 'A', ttl: 30, data: '10.9.0.1' }, { name: 'example.com', type: 'A', ttl: 20, data: '10.9.0.2' }], authority: [], additionals: [] });
  now += 5000;
  const hit = c.get(DnsCache.key('example.com', 'A'))!;
  assert.deepEqual(hit.answers.map((a) => (a as { ttl: number }).ttl), [25, 15]);
  now += 16000;
  assert.equal(c.get(k), undefined);
});

test('negative answers are cached for min(SOA ttl, SOA minimum), capped', () => {
  const soa = { name: 'example.com', type: 'SOA' as const, ttl: 300, data: { mname: 'a', rname: 'b', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 45 } };
  assert.equal(cacheTtl({ rcode: 'NXDOMAIN', answers: [], authority: [soa], additionals: [] }, 3600, 1800), 45);
  assert.equal(cacheTtl({ rcode: 'NXDOMAIN', answers: [], authority: [soa], additionals: [] }, 3600, 10), 10);
  assert.equal(cacheTtl({ rcode: 'NXDOMAIN', answers: [], authority: [], additionals: [] }, 3600, 1800), 0);
  assert.equal(cacheTtl({ rcode: 'SERVFAIL', answers: [], authority: [], additionals: [] }, 3600, 1800), 0);
});

test('the cache is bounded in entries', () => {
  const c = new DnsCache({ maxEntries: 3, maxTtl: 60, maxNegativeTtl: 60 });
  for (let i = 0; i < 10; i++) c.put(DnsCache.key(`n${i}.example`, 'A'), { rcode: 'NOERROR', answers: [{ name: `n${i}.example`, type: 'A', ttl: 30, data: '10.9.0.1' }], authority: [], additionals: [] });
  assert.equal(c.size(), 3);
});
