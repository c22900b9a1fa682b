import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNft, serviceBase, type LbStyle } from './rules.js';
import { applyNft, emptyNft, traceNft, type NftState } from '../trace/nft.js';
import { describe as show, TraceError, type Packet, type RecentTable, type TraceResult } from '../trace/types.js';
import { CASES, cluster, got, NODE_IPS, OUTSIDE, POD, RULE_OPTIONS } from '../trace/scenarios.js';

const STYLES: LbStyle[] = ['cascade', 'vmap'];
const script = (lb: LbStyle): string => { const { svcs, eps } = cluster(); return buildNft(svcs, eps, RULE_OPTIONS, lb, null).script; };
function kernel(text: string, into: NftState = emptyNft()): NftState { applyNft(into, text); return into; }
const trace = (k: NftState, p: Packet, now = 0, recent?: RecentTable): TraceResult =>
  traceNft(k, p, { nodeIPs: NODE_IPS, nowSeconds: now, ...(recent ? { recent } : {}) });
const base = (name: string): string => serviceBase({ namespace: 'ns', service: name, protocol: 'TCP', portName: 'p' });

for (const lb of STYLES) {
  for (const c of CASES) {
    test(`nftables (${lb}) packet flow: ${c.name}`, () => {
      const r = trace(kernel(script(lb)), c.packet);
      assert.deepEqual(got(r), c.nftables ?? c.want, show(r));
    });
  }

  test(`nftables (${lb}): hairpin outcome masquerades exactly when the endpoint is the client`, () => {
    const r = trace(kernel(script(lb)), { src: '10.244.0.5', dst: '10.96.0.10', dport: 80, proto: 'tcp' });
    assert.equal(r.outcomes.length, 2);
    for (const o of r.outcomes) assert.equal(o.masqueraded, o.dnat === '10.244.0.5:8080', show(r));
  });

  test(`nftables (${lb}): session affinity pins a client to its first endpoint until the set timeout`, () => {
    const k = kernel(script(lb));
    const p: Packet = { src: POD, dst: '10.96.0.17', dport: 80, proto: 'tcp' };
    const first = trace(k, p, 100);
    assert.deepEqual(first.endpoints, ['10.244.0.10:8080', '10.244.1.10:8080']);
    for (const o of first.outcomes) {
      assert.deepEqual(trace(k, p, 130, o.recent).endpoints, [o.dnat!], 'within the timeout');
      assert.equal(trace(k, { ...p, src: '10.244.0.21' }, 130, o.recent).endpoints.length, 2, 'another client is balanced');
      assert.equal(trace(k, p, 161, o.recent).endpoints.length, 2, 'after the timeout');
    }
  });
}

test('nftables: a partial transaction on top of the full one traces like a full one', () => {
  const { svcs, eps } = cluster();
  const full = buildNft(svcs, eps, RULE_OPTIONS, 'cascade', null);
  const k = kernel(full.script);
  const eps2 = new Map(eps); eps2.set('ns/web:p', []); eps2.set('ns/empty:p', [{ ip: '10.244.1.30', port: 8080, ready: true, serving: true, terminating: false, nodeName: 'node-b', local: false }]);
  const part = buildNft(svcs, eps2, RULE_OPTIONS, 'cascade', full.state);
  assert.equal(part.written, 2);
  applyNft(k, part.script);
  assert.equal(trace(k, { src: POD, dst: '10.96.0.10', dport: 80, proto: 'tcp' }).verdict, 'REJECT');
  assert.deepEqual(got(trace(k, { src: OUTSIDE, dst: '192.168.1.10', dport: 30084, proto: 'tcp' })), { verdict: 'ACCEPT', endpoints: ['10.244.1.30:8080'], masqueraded: true });
  // and back: the stale chains are deleted again without tripping over references
  applyNft(k, buildNft(svcs, eps, RULE_OPTIONS, 'cascade', part.state).script);
  assert.equal(trace(k, { src: POD, dst: '10.96.0.18', dport: 80, proto: 'tcp' }).verdict, 'REJECT');
  assert.equal(trace(k, { src: POD, dst: '10.96.0.10', dport: 80, proto: 'tcp' }).endpoints.length, 2);
});

test('nftables: --nodeport-addresses limits node ports to @nodeport-ips', () => {
  const { svcs, eps } = cluster();
  const k = kernel(buildNft(svcs, eps, { ...RULE_OPTIONS, nodePortAddresses: ['192.168.1.0/24'], nodePortIPs: ['192.168.1.10'] }, 'cascade', null).script);
  assert.equal(trace(k, { src: OUTSIDE, dst: '192.168.1.10', dport: 30080, proto: 'tcp' }).endpoints.length, 2);
  assert.deepEqual(trace(k, { src: OUTSIDE, dst: '10.244.0.1', dport: 30080, proto: 'tcp' }).endpoints, []);
});

/** Swaps the first lines matching a and b. */
function swap(text: string, a: RegExp, b: RegExp): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => a.test(l)), j = lines.findIndex((l) => b.test(l));
  assert.ok(i >= 0 && j >= 0, `no line matches ${i < 0 ? a : b}`);
  [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  return lines.join('\n');
}
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

test('nftables: reordering rules whose order matters changes what the tracer sees', () => {
  const s = script('cascade');
  const np: Packet = { src: OUTSIDE, dst: '192.168.1.10', dport: 30080, proto: 'tcp' };
  const ext = esc(`external-${base('np')}`);
  // 1. the masquerade jump after the goto to the service chain: node-port traffic keeps its source
  assert.equal(trace(kernel(s), np).masqueraded, true);
  const late = swap(s, new RegExp(`^add rule ip kube-proxy ${ext} jump mark-for-masquerade$`), new RegExp(`^add rule ip kube-proxy ${ext} goto service-`));
  assert.equal(trace(kernel(late), np).masqueraded, false);

  // 2. eTP Local: the goto to the local chain ahead of the pod short-circuit
  const lext = esc(`external-${base('local')}`);
  const pod: Packet = { src: POD, dst: '192.168.1.10', dport: 30082, proto: 'tcp' };
  const early = swap(s, new RegExp(`^add rule ip kube-proxy ${lext} ip saddr 10\\.244\\.0\\.0/16 goto`), new RegExp(`^add rule ip kube-proxy ${lext} goto local-`));
  assert.deepEqual(trace(kernel(early), pod).endpoints, ['10.244.0.7:8080']);

  // 3. masquerading: the return for unmarked packets after the masquerade
  const c: Packet = { src: POD, dst: '10.96.0.10', dport: 80, proto: 'tcp' };
  const always = swap(s, /^add rule ip kube-proxy masquerading mark and 0x4000 == 0 return$/, /^add rule ip kube-proxy masquerading masquerade/);
  assert.equal(trace(kernel(always), c).masqueraded, true);

  // 4. a transaction that adds map elements before the chains they jump to is refused, as nft refuses it
  const lines = s.split('\n');
  const firstEl = lines.findIndex((l) => l.startsWith('add element ip kube-proxy service-ips'));
  const reordered = [...lines.slice(0, 10), lines[firstEl]!, ...lines.slice(10).filter((_, i) => i + 10 !== firstEl)].join('\n');
  assert.throws(() => kernel(reordered), /line 11: element .* goto to chain .*, which does not exist/);
});

test('nft parser: unknown statements and dangling references are errors naming the line', () => {
  const pre = 'add table ip t\nadd chain ip t c\n';
  const bad = (rule: string, msg: RegExp): void =>
    assert.throws(() => applyNft(emptyNft(), pre + rule), (e: unknown) => e instanceof TraceError && /^line 3: /.test(e.message) && msg.test(e.message));
  bad('add rule ip t c ip saddr 10.0.0.1 log prefix "x"', /unsupported statement or match 'log'/);
  bad('add rule ip t c jump nope', /jump to chain nope, which does not exist/);
  bad('add rule ip t c ip daddr . meta l4proto . th dport vmap @nope', /map nope does not exist/);
  bad('add rule ip t c fib daddr type unicast accept', /fib type unicast/);
  bad('add rule ip t c snat to 1.2.3.4', /unsupported statement or match 'snat'/);
  bad('delete chain ip t nope', /chain nope does not exist/);
  assert.throws(() => applyNft(emptyNft(), `${pre}add chain ip t d\nadd rule ip t c goto d\nflush chain ip t d\ndelete chain ip t d`), /line 6: chain d is still referenced/);
  assert.throws(() => applyNft(emptyNft(), `${pre}add map ip t m { type ipv4_addr . inet_proto . inet_service : verdict ; }\nadd element ip t m { 10.0.0.1 . tcp . 80 : goto c }\nadd element ip t m { 10.0.0.1 . tcp . 80 : drop }`), /line 5: .*exists with another value/);
  assert.throws(() => applyNft(emptyNft(), `${pre}add map ip t m { type inet_proto . inet_service : verdict ; }\nadd rule ip t c ip daddr . meta l4proto . th dport vmap @m`), /does not fit m/);
});
