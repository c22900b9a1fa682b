import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import dnsPacket, { type Packet } from 'dns-packet';
import { DnsServer } from './server.js';
import { IndexedClusterView } from './view.js';
import { createDnsMetrics } from './metrics.js';

// A minimal upstream for forwarding tests: answers www.example.test A and counts queries.
let upstreamQueries = 0;
const upstream = dgram.createSocket('udp4');
upstream.on('message', (msg, rinfo) => {
  upstreamQueries++;
  let q: Packet;
  try { q = dnsPacket.decode(msg); } catch { return; }
  const name = q.questions![0]!.name;
  const known = name === 'www.example.test';
  const out = dnsPacket.encode({
    id: q.id, type: 'response', flags: known ? 0x0180 : 0x0183,
    questions: q.questions,
    answers: known ? [{ name, type: 'A', ttl: 60, data: '10.77.0.1' }] : [],
    authorities: known ? [] : [{ name: 'example.test', type: 'SOA', ttl: 60, data: { mname: 'ns.example.test', rname: 'h.example.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30 } }],
  });
  upstream.send(out, rinfo.port, rinfo.address);
});

const view = new IndexedClusterView();
view.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
view.upsertService({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] } });
view.upsertService({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'many' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
view.upsertEndpointSlice({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: 'default', name: 'many-x', labels: { 'kubernetes.io/service-name': 'many' } },
  endpoints: Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.244.${Math.floor(i / 200)}.${(i % 200) + 1}`], conditions: { ready: true } })),
});
const metrics = createDnsMetrics();
let server: DnsServer;
let port = 0;

before(async () => {
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  server = new DnsServer({ zone: { zone: 'cluster.local', ttl: 5, dnsServiceIPs: ['10.96.0.10'] }, view, upstreams: [{ host: '127.0.0.1', port: upstream.address().port }], metrics, upstreamTimeoutMs: 500 });
  await server.listen([{ host: '127.0.0.1', port: 0 }]);
  port = server.addresses()[0]!.port;
});
after(async () => { await server.close(); upstream.close(); });

function udpQuery(packet: Buffer, timeoutMs = 10_000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(undefined); }, timeoutMs);
    // As a stub resolver does: only a reply carrying our ID answers us. A closed flood socket's
    // ephemeral port can be reused by this one, so a late reply to a flood packet may land here.
    s.on('message', (m) => {
      if (m.length < 2 || m.readUInt16BE(0) !== packet.readUInt16BE(0)) return;
      clearTimeout(t); s.close(); resolve(m);
    });
    s.send(packet, port, '127.0.0.1');
  });
}
function tcpQuery(packet: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    s.on('connect', () => { const l = Buffer.alloc(2); l.writeUInt16BE(packet.length); s.write(Buffer.concat([l, packet])); });
    s.on('data', (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { s.destroy(); resolve(buf.subarray(2)); } });
    s.on('error', reject);
  });
}
const q = (name: string, type: string, extra: Partial<Packet> = {}): Buffer =>
  dnsPacket.encode({ id: 4242, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }], ...extra });

test('UDP and TCP answers for a Service, authoritative', async () => {
  for (const raw of [await udpQuery(q('kubernetes.default.svc.cluster.local', 'A')), await tcpQuery(q('kubernetes.default.svc.cluster.local', 'A'))]) {
    const r = dnsPacket.decode(raw!);
    assert.equal(r.id, 4242);
    assert.equal(r.flag_aa, true);
    assert.deepEqual(r.answers!.map((a) => (a as { data: string }).data), ['10.96.0.1']);
  }
});

test('large headless answer: TC over plain UDP, complete with EDNS 4096 or TCP', async () => {
  const small = dnsPacket.decode((await udpQuery(q('many.default.svc.cluster.local', 'A')))!);
  assert.equal(small.flag_tc, true);
  assert.equal(small.answers!.length, 0);
  const edns = dnsPacket.decode((await udpQuery(q('many.default.svc.cluster.local', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as never] })))!);
  assert.equal(edns.flag_tc, false);
  assert.equal(edns.answers!.length, 100);
  assert.ok(edns.additionals!.some((a) => a.type === 'OPT'));
  const tcp = dnsPacket.decode(await tcpQuery(q('many.default.svc.cluster.local', 'A')));
  assert.equal(tcp.answers!.length, 100);
});

test('names outside the zone are forwarded and cached (positive and negative)', async () => {
  const before = upstreamQueries;
  const a = dnsPacket.decode((await udpQuery(q('www.example.test', 'A')))!);
  assert.deepEqual(a.answers!.map((x) => (x as { data: string }).data), ['10.77.0.1']);
  assert.equal(a.flag_aa, false);
  await udpQuery(q('www.example.test', 'A'));
  const nx1 = dnsPacket.decode((await udpQuery(q('nope.example.test', 'A')))!);
  assert.equal((nx1 as { rcode?: string }).rcode, 'NXDOMAIN');
  await udpQuery(q('nope.example.test', 'A'));
  assert.equal(upstreamQueries - before, 2, 'second queries come from the cache');
});

test('10,000 malformed or mutated packets never stop the server; each gets FORMERR or is dropped', async () => {
  const valid = q('kubernetes.default.svc.cluster.local', 'A');
  const cases: Buffer[] = [];
  for (let i = 0; i < 10_000; i++) {
    const kind = i % 5;
    if (kind === 0) cases.push(randomBytes(1 + (i % 300)));
    else if (kind === 1) { const b = Buffer.from(valid); b[12 + (i % (b.length - 12))] = i & 0xff; cases.push(b); }      // mutated byte
    else if (kind === 2) { const b = Buffer.from(valid); b.writeUInt16BE(0xffff, 4 + 2 * (i % 4)); cases.push(b); }    // huge counts
    else if (kind === 3) { const b = Buffer.alloc(14); b.writeUInt16BE(i, 0); b.writeUInt16BE(1, 4); b[12] = 0xc0; b[13] = 12; cases.push(b); } // pointer loop
    else { const b = Buffer.from(valid); b[12] = 63 + (i % 64); cases.push(b); }                                      // bad label length
  }
  let answered = 0;
  let formerr = 0;
  for (let i = 0; i < cases.length; i += 500) {
    const outs = await Promise.all(cases.slice(i, i + 500).map((pkt) => server.handle(pkt, 'udp')));
    for (const out of outs) {
      if (!out) continue;
      answered++;
      const rcode = out.readUInt16BE(2) & 0xf;
      if (rcode === 1) formerr++;
      assert.ok(out.readUInt16BE(2) & 0x8000, 'responses carry QR');
      assert.ok([0, 1, 2, 3, 4].includes(rcode), `rcode ${rcode}`);
    }
  }
  assert.ok(formerr > 1000, `expected many FORMERR answers, got ${formerr} of ${answered}`);
  // A few thousand over the real socket too, then the server still answers.
  for (let i = 0; i < 2000; i++) await new Promise<void>((r) => { const s = dgram.createSocket('udp4'); s.send(cases[i]!, port, '127.0.0.1', () => { s.close(); r(); }); });
  // Like a stub resolver, retry a few times while the flood's forwarded queries drain.
  let raw: Buffer | undefined;
  const probe = q('kubernetes.default.svc.cluster.local', 'A', { id: 31337 }); // an ID no flood packet carries
  for (const end = Date.now() + 60_000; !raw && Date.now() < end;) raw = await udpQuery(probe, 1000);
  const r = dnsPacket.decode(raw!);
  assert.deepEqual(r.answers!.map((a) => (a as { data: string }).data), ['10.96.0.1']);
});

test('a truncated header-only packet with a question count gets FORMERR carrying the ID', async () => {
  const b = Buffer.alloc(12); b.writeUInt16BE(777, 0); b.writeUInt16BE(1, 4);
  const out = (await server.handle(b, 'udp'))!;
  assert.equal(out.readUInt16BE(0), 777);
  assert.equal(out.readUInt16BE(2) & 0xf, 1);
});

test('metrics count requests and rcodes', async () => {
  const text = await metrics.registry.metrics();
  assert.match(text, /podnet_dns_requests_total\{proto="udp",type="A"\} \d+/);
  assert.match(text, /podnet_dns_responses_total\{rcode="NXDOMAIN"\} \d+/);
  assert.match(text, /podnet_dns_cache_hits_total \d+/);
});

test('the precomputed table never serves a stale answer: a change is visible to the very next query', async () => {
  const name = 'fresh.default.svc.cluster.local';
  // Warm the table, then change the view and ask at once (before any rebuild could run).
  assert.deepEqual(dnsPacket.decode((await udpQuery(q('kubernetes.default.svc.cluster.local', 'A')))!).answers!.map((a) => (a as { data: string }).data), ['10.96.0.1']);
  assert.equal((dnsPacket.decode((await udpQuery(q(name, 'A')))!) as { rcode?: string }).rcode, 'NXDOMAIN');
  view.upsertService({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'fresh' }, spec: { clusterIP: '10.96.0.42' } });
  assert.deepEqual(dnsPacket.decode((await udpQuery(q(name, 'A')))!).answers!.map((a) => (a as { data: string }).data), ['10.96.0.42']);
  view.deleteService({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'fresh' } });
  assert.equal((dnsPacket.decode((await udpQuery(q(name, 'A')))!) as { rcode?: string }).rcode, 'NXDOMAIN');
});
