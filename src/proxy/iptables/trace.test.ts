import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable, JUMP_RULES, MASQ_MARK } from './rules.js';
import { extChain, sepChain, svcChain } from './names.js';
import { addRule, applyRestore, emptyIptables, traceIptables, type IptState } from '../trace/iptables.js';
import { describe as show, TraceError, type Packet, type TraceResult } from '../trace/types.js';
import { CASES, cluster, got, NODE_IPS, OUTSIDE, POD, RULE_OPTIONS } from '../trace/scenarios.js';

/** The kernel state the iptables proxier leaves: the restore payload, then its jump rules (prepended). */
function kernel(payload: string, into: IptState = emptyIptables(), jumps = true): IptState {
  applyRestore(into, payload);
  if (jumps) for (const j of JUMP_RULES) addRule(into, j.table, j.chain, j.args, 'prepend');
  return into;
}
const trace = (k: IptState, p: Packet, now = 0, recent?: Map<string, Map<string, number>>): TraceResult =>
  traceIptables(k, p, { nodeIPs: NODE_IPS, nowSeconds: now, ...(recent ? { recent } : {}) });
const payload = (): string => { const { svcs, eps } = cluster(); return buildTable(svcs, eps, RULE_OPTIONS).payload; };

for (const c of CASES) {
  test(`iptables packet flow: ${c.name}`, () => {
    const r = trace(kernel(payload()), c.packet);
    assert.deepEqual(got(r), c.iptables ?? c.want, show(r));
  });
}

test('iptables: hairpin outcome masquerades exactly when the endpoint is the client', () => {
  const r = trace(kernel(payload()), { src: '10.244.0.5', dst: '10.96.0.10', dport: 80, proto: 'tcp' });
  for (const o of r.outcomes) assert.equal(o.masqueraded, o.dnat === '10.244.0.5:8080', show(r));
});

test('iptables: masquerade mark is set on external traffic and cleared before MASQUERADE', () => {
  const r = trace(kernel(payload()), { src: OUTSIDE, dst: '192.168.1.10', dport: 30080, proto: 'tcp' });
  for (const o of r.outcomes) assert.equal(o.markAtPostrouting, Number(MASQ_MARK), show(r));
});

test('iptables: session affinity pins a client to the endpoint it got first, until the timeout', () => {
  const k = kernel(payload());
  const p: Packet = { src: POD, dst: '10.96.0.17', dport: 80, proto: 'tcp' };
  const first = trace(k, p, 100);
  assert.deepEqual(first.endpoints, ['10.244.0.10:8080', '10.244.1.10:8080']);
  for (const o of first.outcomes) {
    assert.deepEqual(trace(k, p, 130, o.recent).endpoints, [o.dnat!], 'within the timeout');
    assert.deepEqual(trace(k, { ...p, src: '10.244.0.21' }, 130, o.recent).endpoints.length, 2, 'another client is balanced');
    assert.equal(trace(k, p, 161, o.recent).endpoints.length, 2, 'after the timeout');
  }
});

test('iptables: a partial sync on top of the full one traces like a full one', () => {
  const { svcs, eps } = cluster();
  const first = buildTable(svcs, eps, RULE_OPTIONS);
  const k = kernel(first.payload);
  const eps2 = new Map(eps); eps2.set('ns/web:p', []);
  const part = buildTable(svcs, eps2, RULE_OPTIONS, { fingerprints: first.fingerprints, natChains: first.natChains });
  assert.ok(part.written < svcs.size);
  applyRestore(k, part.payload);
  assert.equal(trace(k, { src: POD, dst: '10.96.0.10', dport: 80, proto: 'tcp' }).verdict, 'REJECT');
  assert.deepEqual(trace(k, { src: OUTSIDE, dst: '192.168.1.10', dport: 30080, proto: 'tcp' }).endpoints, ['10.244.0.5:8080', '10.244.1.5:8080']);
});

test('iptables: masqueradeAll masquerades pod traffic too; --nodeport-addresses limits node ports', () => {
  const { svcs, eps } = cluster();
  const all = kernel(buildTable(svcs, eps, { ...RULE_OPTIONS, masqueradeAll: true }).payload);
  assert.equal(trace(all, { src: POD, dst: '10.96.0.10', dport: 80, proto: 'tcp' }).masqueraded, true);
  const limited = kernel(buildTable(svcs, eps, { ...RULE_OPTIONS, nodePortAddresses: ['192.168.1.0/24'] }).payload);
  assert.equal(trace(limited, { src: OUTSIDE, dst: '192.168.1.10', dport: 30080, proto: 'tcp' }).endpoints.length, 2);
  assert.deepEqual(trace(limited, { src: OUTSIDE, dst: '10.244.0.1', dport: 30080, proto: 'tcp' }).endpoints, []);
});

/** Moves the first line matching `a` to just after (or before) the first line matching `b`. */
function move(text: string, a: RegExp, where: 'after' | 'before', b: RegExp): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => a.test(l));
  assert.ok(i >= 0, `no line matches ${a}`);
  const [moved] = lines.splice(i, 1);
  const j = lines.findIndex((l) => b.test(l));
  assert.ok(j >= 0, `no line matches ${b}`);
  lines.splice(where === 'after' ? j + 1 : j, 0, moved!);
  return lines.join('\n');
}

test('iptables: reordering rules whose order matters changes what the tracer sees', () => {
  const base = payload();
  const ext = extChain('ns/np:p', 'TCP'), svc = svcChain('ns/np:p', 'TCP');
  const np: Packet = { src: OUTSIDE, dst: '192.168.1.10', dport: 30080, proto: 'tcp' };
  // 1. masquerade mark after the jump that DNATs: node-port traffic is no longer masqueraded
  assert.equal(trace(kernel(base), np).masqueraded, true);
  const late = move(base, new RegExp(`^-A ${ext} .*-j KUBE-MARK-MASQ$`), 'after', new RegExp(`^-A ${ext} -j ${svc}$`));
  assert.equal(trace(kernel(late), np).masqueraded, false);

  // 2. eTP Local: the jump to the local chain before the pod short-circuit sends pods to local endpoints only
  const lext = extChain('ns/local:p', 'TCP');
  const pod: Packet = { src: POD, dst: '192.168.1.10', dport: 30082, proto: 'tcp' };
  assert.deepEqual(trace(kernel(base), pod).endpoints, ['10.244.0.7:8080', '10.244.1.7:8080']);
  const early = move(base, new RegExp(`^-A ${lext} -j KUBE-SVL-`), 'before', new RegExp(`^-A ${lext} `));
  assert.deepEqual(trace(kernel(early), pod).endpoints, ['10.244.0.7:8080']);

  // 3. KUBE-POSTROUTING: RETURN for unmarked packets after MASQUERADE masquerades everything
  const c: Packet = { src: POD, dst: '10.96.0.10', dport: 80, proto: 'tcp' };
  assert.equal(trace(kernel(base), c).masqueraded, false);
  const always = move(base, /^-A KUBE-POSTROUTING -m mark ! --mark/, 'after', /^-A KUBE-POSTROUTING .*MASQUERADE/);
  assert.equal(trace(kernel(always), c).masqueraded, true);

  // 4. hairpin: the endpoint chain's masquerade mark after its DNAT loses the hairpin SNAT
  const sep = sepChain('ns/web:p', 'TCP', '10.244.0.5:8080');
  const hp: Packet = { src: '10.244.0.5', dst: '10.96.0.10', dport: 80, proto: 'tcp' };
  const noHair = move(base, new RegExp(`^-A ${sep} .*-j KUBE-MARK-MASQ$`), 'after', new RegExp(`^-A ${sep} .*-j DNAT `));
  assert.equal(trace(kernel(noHair), hp).masqueraded, false);
});

test('iptables parser: unknown matches, targets and dangling references are errors naming the line', () => {
  const bad = (rule: string, msg: RegExp): void => {
    const p = `*nat\n:KUBE-X - [0:0]\n${rule}\nCOMMIT\n`;
    assert.throws(() => applyRestore(emptyIptables(), p), (e: unknown) => e instanceof TraceError && e.code === 'ETRACE' && /^line 3: /.test(e.message) && msg.test(e.message));
  };
  bad('-A KUBE-X -m physdev --physdev-is-in -j ACCEPT', /unsupported match module physdev/);
  bad('-A KUBE-X -m tcp -p tcp --tcp-flags SYN SYN -j ACCEPT', /unknown option --tcp-flags/);
  bad('-A KUBE-X -j KUBE-NOPE', /unsupported target KUBE-NOPE/);
  bad('-A KUBE-X -g KUBE-NOPE', /goto to KUBE-NOPE/);
  bad('-A KUBE-X -m addrtype --dst-type UNICAST -j ACCEPT', /addrtype UNICAST/);
  bad('-A KUBE-X -m statistic --mode nth --every 2 -j ACCEPT', /statistic/);
  bad('-A KUBE-X -j SNAT --to-source 1.2.3.4', /unsupported target SNAT/);
  bad('-X KUBE-NOPE', /no chain KUBE-NOPE/);
  assert.throws(() => applyRestore(emptyIptables(), '*nat\n:KUBE-X - [0:0]\n:KUBE-Y - [0:0]\n-A KUBE-X -j KUBE-Y\n-X KUBE-Y\nCOMMIT\n'), /still referenced/);
  assert.throws(() => applyRestore(emptyIptables(), '*nat\n:KUBE-X - [0:0]\n'), /no COMMIT/);
  // DNAT is valid only where the kernel allows it: reached from POSTROUTING it is an error at trace time
  const k = kernel('*nat\n:KUBE-X - [0:0]\n-A POSTROUTING -j KUBE-X\n-A KUBE-X -j DNAT --to-destination 10.0.0.1:80\nCOMMIT\n', emptyIptables(), false);
  assert.throws(() => trace(k, { src: POD, dst: '10.244.1.1', dport: 80, proto: 'tcp' }), /line 4: DNAT reached from the postrouting hook/);
});
