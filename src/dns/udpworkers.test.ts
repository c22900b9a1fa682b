import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { KObject } from '../meta/types.js';
import { IndexedClusterView } from './view.js';
import { DnsServer } from './server.js';
import { UdpWorkerPool } from './udpworkers.js';
import { createDnsMetrics } from './metrics.js';

const svc = (name: string, ip: string): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] } });

function udpQuery(port: number, name: string, id: number, type = 'A'): Promise<dnsPacket.DecodedPacket | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(undefined); }, 2000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(dnsPacket.decode(m)); });
    s.send(dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }] }), port, '127.0.0.1');
  });
}
const addrs = (p: dnsPacket.DecodedPacket | undefined): string[] => (p?.answers ?? []).map((a) => (a as { data: string }).data);
const rcode = (p: dnsPacket.DecodedPacket | undefined): string | undefined => (p as { rcode?: string } | undefined)?.rcode;

test('UDP worker processes answer from the shipped table, pass the rest to the primary, follow changes, and count in /metrics', { timeout: 60_000 }, async () => {
  const view = new IndexedClusterView();
  view.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  view.upsertService(svc('kubernetes', '10.96.0.1'));
  const metrics = createDnsMetrics();
  const server = new DnsServer({ zone: { zone: 'cluster.local', ttl: 5, dnsServiceIPs: ['10.96.0.10'] }, view, upstreams: [], metrics });
  const pool = new UdpWorkerPool(server);
  try {
    const bound = await pool.start([{ host: '127.0.0.1', port: 0 }], 2);
    await server.listen(bound, { udp: false });
    const port = bound[0]!.port;
    assert.ok(port > 0);
    assert.equal(server.addresses()[0]!.port, port, 'TCP on the same port');

    // Many queries, so both workers (whichever reads first) answer some.
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => udpQuery(port, 'kubernetes.default.svc.cluster.local', i)));
    for (const [i, a] of answers.entries()) { assert.equal(a?.id, i); assert.deepEqual(addrs(a), ['10.96.0.1']); }
    // Not in the table: the primary's full path answers through the worker.
    assert.equal(rcode(await udpQuery(port, 'nope.default.svc.cluster.local', 1)), 'NXDOMAIN');
    assert.equal(rcode(await udpQuery(port, 'www.example.test', 2)), 'SERVFAIL');   // no upstream
    // A change reaches the workers (stale notice at once, new table soon after).
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
    assert.ok(n >= 203, `requests summed over the primary and the workers: ${n}`);
    assert.match(text, /process_cpu_user_seconds_total/);
  } finally {
    await pool.close();
    await server.close();
  }
});
