import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderSvg } from './charts.js';
import { figure, markdownReport, ratioText } from './markdown.js';
import { ratioOf } from './read.js';
import { BENCHES, chartsOf, selectBenches } from './registry.js';

const RESULTS = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
const spec = (name: string) => BENCHES.find((b) => b.name === name)!;

test('ratios: podnet ÷ reference, rounded; none without a reference', () => {
  assert.equal(ratioOf(64_800, 52_000), 1.25);
  assert.equal(ratioOf(17_400, 91_600), 0.19);
  assert.equal(ratioOf(1, 40), 0.025);
  assert.equal(ratioOf(3, undefined), undefined);
  assert.equal(ratioOf(3, 0), undefined);
});

test('proxy rows: full sync against the raw load per mode and size; a missing figure gives no row', () => {
  const rows = spec('proxy').rows({ results: [
    { mode: 'iptables', services: 10000, endpointsPerService: 2, fullSyncMs: 64800, rawLoadMs: 52000, oneChangeMs: 2630, connectUs: { p50: 271 } },
    { mode: 'nftables', lbStyle: 'cascade', services: 10000, endpointsPerService: 2, fullSyncMs: 4370, rawLoadMs: 3430, oneChangeMs: null, connectUs: { p50: 37 } },
    { mode: 'userspace-throughput', directMbps: 6986 },
  ] });
  const full = rows.find((r) => r.metric === 'iptables: full sync')!;
  assert.equal(full.size, '10,000 services × 2 endpoints');
  assert.equal(full.ratio, 1.25);
  assert.equal(full.referenceName, 'iptables-restore --noflush of the same rules');
  assert.equal(rows.find((r) => r.metric === 'nftables: full sync')!.referenceName, 'nft -f of the same rules');
  assert.equal(rows.some((r) => r.metric === 'nftables: one changed service'), false, 'null figure → no row');
  assert.equal(rows.some((r) => r.metric.includes('throughput')), false);
  const charts = spec('proxy').charts!({ results: [{ mode: 'iptables', services: 10, fullSyncMs: 100, rawLoadMs: 6, connectUs: { p50: 80 } }, { mode: 'iptables', services: 1000, fullSyncMs: 800, rawLoadMs: 400, connectUs: { p50: 100 } }] });
  assert.deepEqual(charts.map((c) => c.id), ['proxy-sync', 'proxy-connect']);
  assert.deepEqual(charts[0]!.points.filter((p) => p.series === 'podnet iptables').map((p) => [p.x, p.y]), [[10, 100], [1000, 800]]);
});

test('dns rows: qps is better higher, latency lower; the chart takes a clients sweep when there is one', () => {
  const res = { services: 1000, dnsperf: { clients: 4 }, podnet: { qps: 80000, p99LatencyMs: 1.5, lost: 0 }, bind9: { qps: 100000, p99LatencyMs: 3, lost: 12 },
    clientsSweep: [{ clients: 1, podnet: { qps: 30000 }, bind9: { qps: 40000 } }, { clients: 8, podnet: { qps: 90000 }, bind9: { qps: 95000 } }] };
  const rows = spec('dns').rows(res);
  const qps = rows.find((r) => r.unit === 'qps')!;
  assert.equal(qps.better, 'higher');
  assert.equal(qps.ratio, 0.8);
  assert.match(ratioText(qps), /worse/);
  assert.match(ratioText(rows.find((r) => r.metric === 'DNS latency p99')!), /better/);
  const pts = spec('dns').charts!(res)[0]!.points;
  assert.deepEqual(pts.map((p) => `${p.series}@${p.x}`), ['podnet@1', 'bind9@1', 'podnet@8', 'bind9@8']);
});

test('every committed bench/results file gives report rows (a bench whose JSON changed shape fails here)', () => {
  for (const b of BENCHES) {
    const f = join(RESULTS, b.result);
    if (!existsSync(f)) continue;
    const rows = b.rows(JSON.parse(readFileSync(f, 'utf8')));
    assert.ok(rows.length > 0, `${b.name}: no rows from ${f}`);
    for (const r of rows) assert.ok(Number.isFinite(r.podnet), `${b.name} ${r.metric}`);
  }
});

test('lab rows: one per node count, another build\'s baseline left out', () => {
  const rows = BENCHES.find((b) => b.name === 'lab')!.rows({ labUp: { nodes3: { upMs: 8186, downMs: 713, plumbingByHandMs: 259 }, baselineNodes3: { upMs: 12376, downMs: 7528 } } });
  assert.deepEqual(rows.map((r) => `${r.metric} ${r.size} ${r.podnet}`), ['lab up 3 nodes 8186', 'lab down 3 nodes 713']);
  assert.equal(rows[0]!.ratio, 31.61);
});

test('--only picks benches and names unknown ones; --quick leaves out the slow ones', () => {
  assert.deepEqual(selectBenches(['dns', 'cni'], false).map((b) => b.name), ['dns', 'cni']);
  assert.throws(() => selectBenches(['dsn'], false), /unknown benchmark\(s\) dsn: choose from proxy, dns/);
  assert.ok(!selectBenches(undefined, true).some((b) => b.name === 'calico'));
  assert.ok(selectBenches(undefined, false).some((b) => b.name === 'calico'));
});

test('markdown: one row per figure with the machine, and the benchmarks that failed', () => {
  const rows = spec('dns').rows({ services: 1000, podnet: { qps: 80000 }, bind9: { qps: 100000 } });
  const md = markdownReport(rows, [{ name: 'dns', ok: true, ms: 31_000 }, { name: 'lab', ok: false, ms: 2000, error: 'exited 1: no root' }],
    { cpus: 2, memoryGiB: 24, kernel: '6.1', node: 'v20', cpuModel: 'x' }, '2026-11-27T16-00-00', true, 272_400);
  assert.match(md, /^# podnet benchmarks, 2026-11-27T16-00-00 \(--quick\)/);
  assert.match(md, /^Total wall time: 4 min 32 s \(2 benchmark\(s\), --quick\)\.$/m);
  assert.match(md, /\| dns \| DNS queries per second \(dnsperf\) \| 1,000 Services \| 80,000 qps \| 100,000 qps \(bind9\) \| 0\.8× \(worse\) \| 2 cores, 24 GiB, kernel 6\.1, node v20 \|/);
  assert.match(md, /\| lab \| 2 s \| failed: exited 1: no root \|/);
  assert.equal(figure(1234.567), '1,235');
  assert.equal(figure(0.01234), '0.012');
});

test('dns: the chart takes the sweep cells at the headline load, the rows name the load', () => {
  const cell = (clients: number, outstanding: number, qps: number): object => ({ clients, outstanding, podnet: { qps }, bind9: { qps: qps / 2 } });
  const res = { services: 1000, dnsperf: { clients: 4, outstanding: 100 }, podnet: { qps: 90000, p99LatencyMs: 1.5 }, bind9: { qps: 80000, p99LatencyMs: 3 },
    clientsSweep: [cell(1, 100, 50000), cell(4, 100, 90000), cell(4, 200, 95000)] };
  const [chart] = spec('dns').charts!(res);
  assert.deepEqual(chart!.points.map((p) => `${p.series} ${p.x} ${p.y}`), ['podnet 1 50000', 'bind9 1 25000', 'podnet 4 90000', 'bind9 4 45000']);
  assert.equal(spec('dns').rows(res)[1]!.size, '1,000 Services, 4 clients × 100 outstanding');
});

test('charts render to SVG with every series named', async () => {
  const charts = chartsOf(new Map([['proxy', { results: [
    { mode: 'iptables', services: 10, fullSyncMs: 100, rawLoadMs: 6, connectUs: { p50: 80 } },
    { mode: 'nftables', lbStyle: 'cascade', services: 10, fullSyncMs: 26, rawLoadMs: 7, connectUs: { p50: 79 } },
    { mode: 'iptables', services: 1000, fullSyncMs: 800, rawLoadMs: 400, connectUs: { p50: 100 } },
  ] }]]));
  const svg = await renderSvg(charts[0]!);
  assert.match(svg, /^<svg /);
  for (const s of ['podnet iptables', 'podnet nftables', 'raw load (iptables)']) assert.ok(svg.includes(s), s);
  assert.ok(svg.includes('kube-proxy full sync time'));
});
