import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { KObject } from '../meta/types.js';
import { IndexedClusterView } from './view.js';
import { DnsServer } from './server.js';
import { UdpThreadPool } from './udpthreads.js';
import { createDnsMetrics } from './metrics.js';

const svc = (name: string, ip: string): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] } });

/** Sends raw bytes and waits for the reply carrying the same ID (undefined on timeout). */
function raw(port: number, msg: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(undefined); }, timeoutMs);
    s.on('message', (m) => { if (m.length >= 2 && m.readUInt16BE(0) === msg.readUInt16BE(0)) { clearTimeout(t); s.close(); resolve(m); } });
    s.send(msg, port, '127.0.0.1');
  });
}
const query = (name: string, id: number, type = 'A', edns = false): Buffer => dnsPacket.encode({
  id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }],
  ...(edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer] } : {}),
});
async function udpQuery(port: number, name: string, id: number, type = 'A', edns = false): Promise<dnsPacket.DecodedPacket | undefined> {
  const r = await raw(port, query(name, id, type, edns));
  return r ? dnsPacket.decode(r) : undefined;
}
const addrs = (p: dnsPacket.DecodedPacket | undefined): string[] => (p?.answers ?? []).map((a) => (a as { data: string }).data);
const rcode = (p: dnsPacket.DecodedPacket | undefined): string | undefined => (p as { rcode?: string } | undefined)?.rcode;

test('batched UDP threads answer from the table, pass the rest to the main thread, follow changes, and count in /metrics', { timeout: 60_000 }, async () => {
  const view = new IndexedClusterView();
  view.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  view.upsertService(svc('kubernetes', '10.96.0.1'));
  const metrics = createDnsMetrics();
  const server = new DnsServer({ zone: { zone: 'cluster.local', ttl: 5, dnsServiceIPs: ['10.96.0.10'] }, view, upstreams: [], metrics });
  const pool = new UdpThreadPool(server);
  try {
    const bound = pool.start([{ host: '127.0.0.1', port: 0 }], 2);
    await server.listen(bound, { udp: false });
    const port = bound[0]!.port;
    assert.ok(port > 0);
    assert.equal(server.addresses()[0]!.port, port, 'TCP on the same port');

    // Wait for the table to reach the threads, then many queries at once (both threads read some).
    for (const end = Date.now() + 5000; Date.now() < end;) if (addrs(await udpQuery(port, 'kubernetes.default.svc.cluster.local', 9999)).length) break;
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => udpQuery(port, 'kubernetes.default.svc.cluster.local', i, 'A', i % 2 === 0)));
    for (const [i, a] of answers.entries()) {
      assert.equal(a?.id, i);
      assert.deepEqual(addrs(a), ['10.96.0.1']);
      assert.equal(a?.flag_rd, true);
      assert.equal((a?.additionals ?? []).some((r) => r.type === 'OPT'), i % 2 === 0, 'EDNS in, EDNS out');
    }
    // The asker's spelling comes back (0x20), the answer is the same.
    const mixed = await udpQuery(port, 'KuberNetes.Default.svc.cluster.local', 7);
    assert.equal(mixed?.questions?.[0]?.name, 'KuberNetes.Default.svc.cluster.local');
    assert.deepEqual(addrs(mixed), ['10.96.0.1']);
    // Not in the table: the main thread's full path answers.
    assert.equal(rcode(await udpQuery(port, 'nope.default.svc.cluster.local', 1)), 'NXDOMAIN');
    assert.equal(rcode(await udpQuery(port, 'www.example.test', 2)), 'SERVFAIL');   // no upstream
    // Malformed: a header promising a question that is not there is FORMERR; a response or a runt is dropped.
    const bad = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0x61]);
    const formerr = await raw(port, bad);
    assert.equal(formerr?.readUInt16BE(0), 0x1234);
    assert.equal(formerr![3]! & 0xf, 1, 'FORMERR');
    assert.equal(await raw(port, Buffer.from([0xab, 0xcd, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0]), 300), undefined, 'a response is not answered');
    assert.equal(await raw(port, Buffer.from([0xab, 0xce, 1]), 300), undefined, 'a runt is not answered');
    // A change reaches the threads (stale notice at once, new table soon after).
    view.upsertService(svc('web', '10.96.0.80'));
    let web: dnsPacket.DecodedPacket | undefined;
    for (const end = Date.now() + 5000; Date.now() < end && !addrs(web).length;) web = await udpQuery(port, 'web.default.svc.cluster.local', 3);
    assert.deepEqual(addrs(web), ['10.96.0.80']);
    view.deleteService(svc('web', '10.96.0.80'));
    let gone: dnsPacket.DecodedPacket | undefined;
    for (const end = Date.now() + 5000; Date.now() < end && rcode(gone) !== 'NXDOMAIN';) gone = await udpQuery(port, 'web.default.svc.cluster.local', 4);
    assert.equal(rcode(gone), 'NXDOMAIN');

    const text = await pool.metricsSource(metrics).metrics();
    const n = Number(/podnet_dns_requests_total\{proto="udp",type="A"\} (\d+)/.exec(text)?.[1]);
    assert.ok(n >= 304, `requests summed over the main thread and the UDP threads: ${n}`);
    assert.match(text, /podnet_dns_responses_total\{rcode="NXDOMAIN"\} [1-9]/);
    assert.match(text, /podnet_dns_request_duration_seconds_count\{proto="udp"\} [1-9]/);
    assert.match(text, /process_cpu_user_seconds_total/);
  } finally {
    await pool.close();
    await server.close();
  }
});

test('a listener the threads cannot bind is a clear error and leaves nothing open', () => {
  const view = new IndexedClusterView();
  const server = new DnsServer({ zone: { zone: 'cluster.local', ttl: 5, dnsServiceIPs: [] }, view, upstreams: [] });
  const pool = new UdpThreadPool(server);
  assert.throws(() => pool.start([{ host: '127.0.0.1', port: 0 }, { host: '192.0.2.1', port: 0 }], 1),
    (e: Error & { code?: string }) => e.code === 'EDNSWORKERS' && /could not bind/.test(e.message));
  void server.close();
});
