import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket, { type Packet } from 'dns-packet';
import type { KObject } from '../meta/types.js';
import { IndexedClusterView } from './view.js';
import { DnsServer } from './server.js';
import { AnswerTable, buildAnswerTable } from './answertable.js';
import { parseSimpleQuery } from './question.js';
import type { ZoneConfig } from './records.js';

const cfg: ZoneConfig = { zone: 'cluster.local', ttl: 5, dnsServiceIPs: ['10.96.0.10'] };
const svc = (ns: string, name: string, spec: Record<string, unknown>): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec });

function fixture(): IndexedClusterView {
  const v = new IndexedClusterView();
  v.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  v.upsertService(svc('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] }));
  v.upsertService(svc('default', 'dual', { clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7', 'fd00:96::7'], ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }));
  v.upsertService(svc('default', 'many', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  v.upsertEndpointSlice({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: 'default', name: 'many-x', labels: { 'kubernetes.io/service-name': 'many' } },
    endpoints: Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.244.0.${i + 1}`], conditions: { ready: true }, ...(i === 0 ? { hostname: 'first' } : {}) })),
  } as KObject);
  v.upsertService(svc('default', 'alias', { type: 'ExternalName', externalName: 'kubernetes.default.svc.cluster.local' }));
  v.upsertService(svc('default', 'outside', { type: 'ExternalName', externalName: 'www.example.test' }));
  v.upsertPod({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'p' }, spec: {}, status: { podIP: '10.244.9.9' } } as KObject);
  return v;
}

const opt = (size: number, options: { code: number; data: Buffer }[] = []): Packet['additionals'] =>
  [{ type: 'OPT', name: '.', udpPayloadSize: size, flags: 0, options } as never];
function query(name: string, type: string, o: { id?: number; rd?: boolean; edns?: number; cookie?: boolean } = {}): Buffer {
  return dnsPacket.encode({
    id: o.id ?? 4242, type: 'query', flags: o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A', class: 'IN' }],
    ...(o.edns ? { additionals: opt(o.edns, o.cookie ? [{ code: 10, data: Buffer.from('0123456789abcdef', 'hex') }] : []) } : {}),
  });
}

/** Same bytes from the table as from the full path, for every query variant of a question. */
async function sameBytes(table: AnswerTable, server: DnsServer, name: string, type: string, expectHit = true): Promise<void> {
  for (const variant of [{}, { rd: false, id: 1 }, { edns: 1232 }, { edns: 4096, cookie: true, id: 65535 }, { edns: 512 }, { edns: 100 }]) {
    const msg = query(name, type, variant);
    const q = parseSimpleQuery(msg);
    assert.ok(q, `${name} ${type} parses`);
    const fast = table.answer(msg, q);
    const slow = await server.handle(msg, 'udp');
    if (!expectHit) { assert.equal(fast, undefined, `${name} ${type} ${JSON.stringify(variant)} not in the table`); continue; }
    assert.ok(fast, `${name} ${type} ${JSON.stringify(variant)} in the table`);
    assert.equal(fast.out.toString('hex'), slow!.toString('hex'), `${name} ${type} ${JSON.stringify(variant)}`);
    assert.equal(fast.type, type);
  }
}

function setup(): { view: IndexedClusterView; server: DnsServer; table: AnswerTable } {
  const view = fixture();
  return { view, server: new DnsServer({ zone: cfg, view, upstreams: [] }), table: buildAnswerTable(view, cfg) };
}

test('precomputed answers are byte for byte the full path: A, AAAA, SRV, PTR, NODATA, headless, EDNS or not', async () => {
  const { server, table } = setup();
  await sameBytes(table, server, 'kubernetes.default.svc.cluster.local', 'A');
  await sameBytes(table, server, 'kubernetes.default.svc.cluster.local', 'AAAA');   // NODATA with the SOA
  await sameBytes(table, server, 'kubernetes.default.svc.cluster.local', 'SRV');
  await sameBytes(table, server, 'dual.default.svc.cluster.local', 'AAAA');
  await sameBytes(table, server, 'dual.default.svc.cluster.local', 'SRV');
  await sameBytes(table, server, '_dns._udp.dual.default.svc.cluster.local', 'SRV');
  await sameBytes(table, server, '1.0.96.10.in-addr.arpa', 'PTR');
  // The full path does not answer this one (reverseToIP spells the address in full, the Service
  // holds it compressed), so the table leaves it alone too.
  await sameBytes(table, server, '7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa', 'PTR', false);
  await sameBytes(table, server, '1.0.244.10.in-addr.arpa', 'PTR');                  // headless endpoint with a hostname
  await sameBytes(table, server, '2.0.244.10.in-addr.arpa', 'PTR');                  // … and by its dashed IP
  await sameBytes(table, server, 'first.many.default.svc.cluster.local', 'A');
  await sameBytes(table, server, '10-244-0-2.many.default.svc.cluster.local', 'A');
  await sameBytes(table, server, 'default.svc.cluster.local', 'A');
  await sameBytes(table, server, 'alias.default.svc.cluster.local', 'A');           // CNAME inside the zone
});

test('0x20 mixed case: the question keeps the client\'s spelling, the rest is the full path\'s', async () => {
  const { server, table } = setup();
  const msg = query('KuBeRnEtEs.DeFaUlT.sVc.ClUsTeR.LoCaL', 'A', { id: 7 });
  const fast = table.answer(msg, parseSimpleQuery(msg)!)!;
  assert.equal(fast.out.toString('hex'), (await server.handle(msg, 'udp'))!.toString('hex'));
  assert.equal(dnsPacket.decode(fast.out).questions![0]!.name, 'KuBeRnEtEs.DeFaUlT.sVc.ClUsTeR.LoCaL');
  await sameBytes(table, server, 'First.MANY.default.svc.cluster.local', 'A');
});

test('truncation: no EDNS gets TC within 512; EDNS gets the full answer when it fits, else the full path', async () => {
  const { server, table } = setup();
  const plain = query('many.default.svc.cluster.local', 'A');
  const tc = table.answer(plain, parseSimpleQuery(plain)!)!;
  assert.equal(tc.out.toString('hex'), (await server.handle(plain, 'udp'))!.toString('hex'));
  assert.ok(tc.out.readUInt16BE(2) & 0x0200, 'TC set');
  const big = query('many.default.svc.cluster.local', 'A', { edns: 4096 });
  const full = table.answer(big, parseSimpleQuery(big)!)!;
  assert.equal(full.out.toString('hex'), (await server.handle(big, 'udp'))!.toString('hex'));
  assert.equal(dnsPacket.decode(full.out).answers!.length, 100);
  const mid = query('many.default.svc.cluster.local', 'A', { edns: 1232 });
  assert.equal(table.answer(mid, parseSimpleQuery(mid)!), undefined, 'does not fit 1232: left to the full path');
});

test('NXDOMAIN, search-path expansions and pod names: learned from the full path, then the same bytes for any ID, case, EDNS', async () => {
  const { view, server, table } = setup();
  // The server's own table must be the one learning: give it ours by building at the same generation.
  (server as unknown as { table: AnswerTable }).table = table;
  const names = [
    'kubernetes.default.svc.cluster.local.default.svc.cluster.local',   // search-path expansion (ndots:5)
    'kubernetes.default.svc.cluster.local.svc.cluster.local',
    'nope.default.svc.cluster.local',
    '10-244-9-9.default.pod.cluster.local',
    'cluster.local',
  ];
  for (const name of names) {
    for (const edns of [0, 1232]) {
      const first = query(name, 'A', edns ? { edns } : {});
      const r = await server.handleUdp(first);
      assert.ok(r.learn, `${name} learnable`);
    }
    await sameBytes(table, server, name.toUpperCase(), 'A');
  }
  assert.equal((dnsPacket.decode((await server.handle(query(names[0]!, 'A'), 'udp'))!) as { rcode?: string }).rcode, 'NXDOMAIN');
  // Forwarded names are never learned.
  assert.equal((await server.handleUdp(query('outside.default.svc.cluster.local', 'A'))).learn, undefined);
  assert.equal((await server.handleUdp(query('www.example.test', 'A'))).learn, undefined);
  // A change makes a new generation: learned answers don't carry over (the SOA serial moved).
  view.upsertService(svc('default', 'nope', { clusterIP: '10.96.0.99' }));
  const fresh = buildAnswerTable(view, cfg);
  assert.ok(fresh.gen > table.gen);
  const msg = query('nope.default.svc.cluster.local', 'A');
  assert.equal(dnsPacket.decode(fresh.answer(msg, parseSimpleQuery(msg)!)!.out).answers!.length, 1);
});

test('the table survives encode/decode (what workers get) with the same answers', async () => {
  const { server, table } = setup();
  const copy = AnswerTable.decode(table.encode());
  assert.equal(copy.gen, table.gen);
  assert.equal(copy.size, table.size);
  await sameBytes(copy, server, 'kubernetes.default.svc.cluster.local', 'A');
  await sameBytes(copy, server, '_http._tcp.kubernetes.default.svc.cluster.local', 'SRV', false);   // no such port name
  await sameBytes(copy, server, '_https._tcp.kubernetes.default.svc.cluster.local', 'SRV');
});

test('unusual queries are not parsed for the fast path', () => {
  const good = query('kubernetes.default.svc.cluster.local', 'A');
  assert.ok(parseSimpleQuery(good));
  const two = dnsPacket.encode({ id: 1, type: 'query', questions: [{ name: 'a.cluster.local', type: 'A' }, { name: 'b.cluster.local', type: 'A' }] });
  const opcode = Buffer.from(good); opcode[2] = (opcode[2]! & 0x87) | (2 << 3);
  const response = Buffer.from(good); response[2]! |= 0x80;
  const chaos = dnsPacket.encode({ id: 1, type: 'query', questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] });
  const trailing = Buffer.concat([good, Buffer.from([0])]);
  const pointer = Buffer.from(good); pointer[12] = 0xc0; pointer[13] = 12;
  const odd = query('a b.cluster.local', 'A');
  const ecs = dnsPacket.encode({ id: 1, type: 'query', questions: [{ name: 'a.cluster.local', type: 'A' }], additionals: opt(1232, [{ code: 8, data: Buffer.from([0, 1, 24, 0, 10, 0, 0]) }]) });
  const root = dnsPacket.encode({ id: 1, type: 'query', questions: [{ name: '.', type: 'NS' }] });
  const cut = good.subarray(0, good.length - 1);
  for (const [what, b] of Object.entries({ two, opcode, response, chaos, trailing, pointer, odd, ecs, root, cut })) assert.equal(parseSimpleQuery(b), undefined, what);
});
