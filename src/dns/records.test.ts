import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../meta/types.js';
import { IndexedClusterView } from './view.js';
import { answerQuestion, reverseToIP, dashedIP, undashIP, type ZoneConfig } from './records.js';

const cfg: ZoneConfig = { zone: 'cluster.local', ttl: 5, dnsServiceIPs: ['10.96.0.10'] };

function svc(ns: string, name: string, spec: Record<string, unknown>): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}
function slice(ns: string, svcName: string, endpoints: unknown[]): KObject {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: ns, name: `${svcName}-abc`, labels: { 'kubernetes.io/service-name': svcName } }, addressType: 'IPv4', endpoints };
}

function fixture(): IndexedClusterView {
  const v = new IndexedClusterView();
  v.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hyjx--hyjx-group3' } });
  v.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  v.upsertService(svc('hyjx--hyjx-group3', 'mysql-demo', { clusterIP: '10.10.125.13', clusterIPs: ['10.10.125.13'], ports: [{ name: 'mysqld-demo', port: 13306, protocol: 'TCP' }] }));
  v.upsertService(svc('default', 'web', { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
  v.upsertEndpointSlice(slice('default', 'web', [
    { addresses: ['10.244.1.5'], hostname: 'web-0', conditions: { ready: true } },
    { addresses: ['10.244.2.7'], conditions: { ready: true } },
    { addresses: ['10.244.2.9'], conditions: { ready: false } },
  ]));
  v.upsertService(svc('default', 'ext', { type: 'ExternalName', externalName: 'my.database.example.com' }));
  v.upsertPod({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'p1' }, spec: { hostname: 'busybox-1', subdomain: 'web' }, status: { podIP: '10.244.3.3' } });
  return v;
}

test('ClusterIP Service: A record under every search form the resolver builds', () => {
  const v = fixture();
  const r = answerQuestion('mysql-demo.hyjx--hyjx-group3.svc.cluster.local.', 'A', v, cfg)!;
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers.map((a) => [a.name, a.type, (a as { data: string }).data]), [['mysql-demo.hyjx--hyjx-group3.svc.cluster.local', 'A', '10.10.125.13']]);
  assert.equal((r.answers[0] as { ttl: number }).ttl, 5);
});

test('AAAA for an IPv4-only Service is NODATA with the SOA in authority', () => {
  const r = answerQuestion('mysql-demo.hyjx--hyjx-group3.svc.cluster.local', 'AAAA', fixture(), cfg)!;
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.answers.length, 0);
  assert.equal(r.authority[0]!.type, 'SOA');
});

test('unknown names in the zone are NXDOMAIN with the SOA', () => {
  for (const n of ['nope.default.svc.cluster.local', 'x.nons.svc.cluster.local', 'foo.cluster.local', 'a.b.c.d.e.svc.cluster.local']) {
    const r = answerQuestion(n, 'A', fixture(), cfg)!;
    assert.equal(r.rcode, 'NXDOMAIN', n);
    assert.equal(r.authority[0]!.type, 'SOA', n);
    assert.equal((r.authority[0] as { data: { mname: string } }).data.mname, 'ns.dns.cluster.local');
  }
});

test('SRV for a named port of a ClusterIP Service: 0 100 port target, with the A in additionals', () => {
  const r = answerQuestion('_mysqld-demo._tcp.mysql-demo.hyjx--hyjx-group3.svc.cluster.local', 'SRV', fixture(), cfg)!;
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual((r.answers[0] as { data: unknown }).data, { priority: 0, weight: 100, port: 13306, target: 'mysql-demo.hyjx--hyjx-group3.svc.cluster.local' });
  assert.deepEqual(r.additionals.map((a) => (a as { data: string }).data), ['10.10.125.13']);
  assert.equal(answerQuestion('_mysqld-demo._udp.mysql-demo.hyjx--hyjx-group3.svc.cluster.local', 'SRV', fixture(), cfg)!.rcode, 'NXDOMAIN');
});

test('headless Service: ready endpoint addresses, per-endpoint hostname records, SRV per endpoint', () => {
  const v = fixture();
  const a = answerQuestion('web.default.svc.cluster.local', 'A', v, cfg)!;
  assert.deepEqual(a.answers.map((x) => (x as { data: string }).data).sort(), ['10.244.1.5', '10.244.2.7']);
  const h = answerQuestion('web-0.web.default.svc.cluster.local', 'A', v, cfg)!;
  assert.deepEqual(h.answers.map((x) => (x as { data: string }).data), ['10.244.1.5']);
  const d = answerQuestion('10-244-2-7.web.default.svc.cluster.local', 'A', v, cfg)!;
  assert.deepEqual(d.answers.map((x) => (x as { data: string }).data), ['10.244.2.7']);
  const srv = answerQuestion('_http._tcp.web.default.svc.cluster.local', 'SRV', v, cfg)!;
  assert.deepEqual(srv.answers.map((x) => (x as { data: { target: string } }).data.target).sort(), ['10-244-2-7.web.default.svc.cluster.local', 'web-0.web.default.svc.cluster.local']);
  const notReady = answerQuestion('10-244-2-9.web.default.svc.cluster.local', 'A', v, cfg)!;
  assert.equal(notReady.rcode, 'NXDOMAIN');
});

test('pod hostname/subdomain record under a headless Service', () => {
  const r = answerQuestion('busybox-1.web.default.svc.cluster.local', 'A', fixture(), cfg)!;
  assert.deepEqual(r.answers.map((x) => (x as { data: string }).data), ['10.244.3.3']);
});

test('pod A records a-b-c-d.<ns>.pod.<zone> only for existing pods (verified)', () => {
  const v = fixture();
  assert.deepEqual(answerQuestion('10-244-3-3.default.pod.cluster.local', 'A', v, cfg)!.answers.map((x) => (x as { data: string }).data), ['10.244.3.3']);
  assert.equal(answerQuestion('10-244-3-4.default.pod.cluster.local', 'A', v, cfg)!.rcode, 'NXDOMAIN');
});

test('PTR for a ClusterIP and for a headless endpoint with a hostname; unknown reverse names fall through', () => {
  const v = fixture();
  const r = answerQuestion('13.125.10.10.in-addr.arpa', 'PTR', v, cfg)!;
  assert.deepEqual(r.answers.map((x) => (x as { data: string }).data), ['mysql-demo.hyjx--hyjx-group3.svc.cluster.local']);
  const e = answerQuestion('5.1.244.10.in-addr.arpa.', 'PTR', v, cfg)!;
  assert.deepEqual(e.answers.map((x) => (x as { data: string }).data), ['web-0.web.default.svc.cluster.local']);
  assert.equal(answerQuestion('1.2.3.4.in-addr.arpa', 'PTR', v, cfg), undefined);
});

test('PTR for a headless endpoint without a hostname names its dashed-IP record; not-ready ones fall through', () => {
  const v = fixture();
  const e = answerQuestion('7.2.244.10.in-addr.arpa', 'PTR', v, cfg)!;
  assert.equal(e.rcode, 'NOERROR');
  assert.deepEqual(e.answers.map((x) => [x.type, (x as { data: string }).data]), [['PTR', '10-244-2-7.web.default.svc.cluster.local']]);
  // The PTR target resolves forward to the same address.
  assert.deepEqual(answerQuestion('10-244-2-7.web.default.svc.cluster.local', 'A', v, cfg)!.answers.map((x) => (x as { data: string }).data), ['10.244.2.7']);
  // A not-ready endpoint has no A record under the Service, so no PTR either (forwarded upstream).
  assert.equal(answerQuestion('9.2.244.10.in-addr.arpa', 'PTR', v, cfg), undefined);
  // …unless the Service publishes not-ready addresses.
  v.upsertService(svc('default', 'web', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
  assert.deepEqual(answerQuestion('9.2.244.10.in-addr.arpa', 'PTR', v, cfg)!.answers.map((x) => (x as { data: string }).data), ['10-244-2-9.web.default.svc.cluster.local']);
});

test('ExternalName is a CNAME; an outside target is left for the caller to chase', () => {
  const r = answerQuestion('ext.default.svc.cluster.local', 'A', fixture(), cfg)!;
  assert.deepEqual(r.answers.map((x) => [x.type, (x as { data: string }).data]), [['CNAME', 'my.database.example.com']]);
  assert.equal(r.chaseTarget, 'my.database.example.com');
});

test('zone apex SOA/NS, ns.dns A and dns-version TXT', () => {
  const v = fixture();
  assert.equal(answerQuestion('cluster.local', 'SOA', v, cfg)!.answers[0]!.type, 'SOA');
  const ns = answerQuestion('cluster.local', 'NS', v, cfg)!;
  assert.equal((ns.answers[0] as { data: string }).data, 'ns.dns.cluster.local');
  assert.equal((ns.additionals[0] as { data: string }).data, '10.96.0.10');
  const txt = answerQuestion('dns-version.cluster.local', 'TXT', v, cfg)!;
  assert.deepEqual((txt.answers[0] as { data: string[] }).data, ['1.1.0']);
});

test('names outside the zone are not ours', () => {
  assert.equal(answerQuestion('example.com', 'A', fixture(), cfg), undefined);
  assert.equal(answerQuestion('cluster.local.example.com', 'A', fixture(), cfg), undefined);
});

test('a deleted Service disappears; the SOA serial moves on every change', () => {
  const v = fixture();
  const before = v.generation();
  v.deleteService(svc('hyjx--hyjx-group3', 'mysql-demo', {}));
  assert.ok(v.generation() > before);
  assert.equal(answerQuestion('mysql-demo.hyjx--hyjx-group3.svc.cluster.local', 'A', v, cfg)!.rcode, 'NXDOMAIN');
});

test('reverse-name and dashed-IP helpers', () => {
  assert.equal(reverseToIP('4.3.2.1.in-addr.arpa'), '1.2.3.4');
  assert.equal(reverseToIP('1.2.3.in-addr.arpa'), undefined);
  assert.equal(dashedIP('10.1.2.3'), '10-1-2-3');
  assert.equal(undashIP('10-1-2-3'), '10.1.2.3');
  assert.equal(undashIP('web-0'), undefined);
  assert.equal(reverseToIP('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa'), '2001:0db8:0000:0000:0000:0000:0000:0001');
});
