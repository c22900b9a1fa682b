import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildEndpointsMap, buildServiceMap } from '../tracker.js';
import { NODE, RULE_OPTIONS } from '../trace/scenarios.js';
import { baseObjects, CHANGE_KINDS, type Objects } from '../change-kinds.js';
import { canonRule, ruleWords } from './canon.js';
import { buildDesired, haveFromDesired, haveFromSave, planSync, RuleMemo, type Desired, type Have } from './sync-plan.js';

/** A small model of iptables-restore --noflush: declare = create or flush, -A, -I n, -D (first equal rule), -X. */
type Kernel = Map<string, Map<string, string[]>>;
const BUILTIN: Record<string, string[]> = { filter: ['INPUT', 'FORWARD', 'OUTPUT'], nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] };
function emptyKernel(): Kernel {
  return new Map(Object.entries(BUILTIN).map(([t, cs]) => [t, new Map(cs.map((c) => [c, [] as string[]]))]));
}
function restore(k: Kernel, payload: string): void {
  let t: Map<string, string[]> | undefined;
  for (const line of payload.split('\n')) {
    if (!line || line === 'COMMIT') continue;
    if (line.startsWith('*')) { t = k.get(line.slice(1)); continue; }
    assert.ok(t, line);
    if (line.startsWith(':')) { t.set(line.slice(1).split(' ')[0]!, []); continue; }
    const w = ruleWords(line), chain = w[1]!;
    const rules = t.get(chain);
    if (w[0] === '-X') {
      assert.ok(rules && !rules.length, `-X of a missing or non-empty chain: ${line}`);
      for (const [c, rs] of t) for (const r of rs) assert.ok(!r.endsWith(` -j ${chain}`), `-X ${chain} still referenced from ${c}`);
      t.delete(chain); continue;
    }
    assert.ok(rules, `no chain ${chain}: ${line}`);
    const target = w[w.indexOf('-j') + 1];
    if (target?.startsWith('KUBE-')) assert.ok(t.has(target), `jump to missing chain ${target}: ${line}`);
    const rest = (n: number): string => `-A ${chain} ${line.split(' ').slice(n).join(' ')}`;
    if (w[0] === '-A') rules.push(line);
    else if (w[0] === '-I') rules.splice(Number(w[2]) - 1, 0, rest(3));
    else if (w[0] === '-D') { const key = canonRule(rest(2)); const i = rules.findIndex((r) => canonRule(r) === key); assert.ok(i >= 0, `-D of a missing rule: ${line}`); rules.splice(i, 1); }
    else assert.fail(`unexpected ${line}`);
  }
}
function save(k: Kernel): string {
  const L: string[] = [];
  for (const [t, chains] of k) {
    L.push(`*${t}`);
    for (const c of chains.keys()) L.push(`:${c} ${BUILTIN[t]!.includes(c) ? 'ACCEPT' : '-'} [0:0]`);
    for (const rs of chains.values()) L.push(...rs);
    L.push('COMMIT');
  }
  return L.join('\n') + '\n';
}
/** Canonical view: chain → rules; nat KUBE-SERVICES as a sorted set plus its last rule (order of services is free). */
function view(k: Kernel): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [t, chains] of k) for (const [c, rs] of chains) {
    const keys = rs.map(canonRule);
    out[`${t}:${c}`] = t === 'nat' && c === 'KUBE-SERVICES' ? [...keys.slice(0, -1).sort(), `last:${keys.at(-1)}`] : keys;
  }
  return out;
}

type Objs = Objects;
const base = baseObjects;
const desired = (o: Objs, memo?: RuleMemo): Desired => buildDesired(buildServiceMap(o.svcs), buildEndpointsMap(o.slices, NODE), RULE_OPTIONS, memo);
const PLAN = { firewallJumps: true };
function apply(k: Kernel, d: Desired, h: Have, opts = PLAN): number {
  const p = planSync(d, h, opts);
  for (const pl of p.payloads) restore(k, pl);
  return p.payloads.length;
}
/** A fresh kernel after one full sync of o. */
function fresh(o: Objs): Kernel { const k = emptyKernel(); apply(k, desired(o), haveFromSave(save(k))); return k; }

test('canonRule: a generated rule and iptables-save\'s form of it are equal', () => {
  assert.equal(canonRule('-A KUBE-SERVICES -m comment --comment "ns/web:p cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j KUBE-SVC-X'),
    canonRule('-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns/web:p cluster IP" -m tcp --dport 80 -j KUBE-SVC-X'));
  assert.equal(canonRule('-A S -m statistic --mode random --probability 0.5000000000 -j A'), canonRule('-A S -m statistic --mode random --probability 0.50000000000 -j A'));
  assert.equal(canonRule('-A S -m recent --name X --rcheck --seconds 60 --reap -j X'), canonRule('-A S -m recent --rcheck --seconds 60 --reap --name X --mask 255.255.255.255 --rsource -j X'));
  assert.equal(canonRule('-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000'), canonRule('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000'));
  assert.equal(canonRule('-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000'), canonRule('-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0'));
  assert.notEqual(canonRule('-A S ! -s 10.0.0.0/8 -j A'), canonRule('-A S -s 10.0.0.0/8 -j A'));
  assert.notEqual(canonRule('-A S -d 10.96.0.10 -j A'), canonRule('-A S -d 10.96.0.11 -j A'));
});

test('full sync into an empty kernel: every owned chain, jumps in the built-in chains, node-port jump last', () => {
  const k = fresh(base());
  const v = view(k);
  assert.match(v['nat:KUBE-SERVICES']!.at(-1)!, /KUBE-NODEPORTS/);
  assert.ok(v['nat:PREROUTING']!.some((r) => r.includes('KUBE-SERVICES')));
  assert.ok(v['filter:INPUT']!.some((r) => r.includes('KUBE-FIREWALL')));
  // Converged: planning again against the saved kernel writes nothing.
  assert.deepEqual(planSync(desired(base()), haveFromSave(save(k)), PLAN).payloads, []);
});

const CHANGES = CHANGE_KINDS;

for (const [name, change] of Object.entries(CHANGES)) {
  test(`incremental sync equals a full sync: ${name}`, () => {
    const memo = new RuleMemo();
    const k = emptyKernel();
    const d0 = desired(base(), memo);
    apply(k, d0, haveFromSave(save(k)));
    const o = base(); change(o);
    const d1 = desired(o, memo);
    const payloads = apply(k, d1, haveFromDesired(d0));
    assert.ok(payloads <= 1, `one small change, one restore (got ${payloads})`);
    assert.deepEqual(view(k), view(fresh(o)));
    // and a restart (kernel state read back) finds nothing to do
    assert.deepEqual(planSync(desired(o), haveFromSave(save(k)), PLAN).payloads, []);
  });

  test(`restart converges from the old kernel state: ${name}`, () => {
    const k = fresh(base());
    const o = base(); change(o);
    apply(k, desired(o), haveFromSave(save(k)));
    assert.deepEqual(view(k), view(fresh(o)));
  });
}

test('an endpoints change writes only that service\'s chains, never KUBE-SERVICES', () => {
  const d0 = desired(base());
  const o = base(); CHANGES['endpoints move']!(o);
  const p = planSync(desired(o), haveFromDesired(d0), PLAN);
  assert.equal(p.written, 1);
  assert.equal(p.payloads.length, 1);
  assert.doesNotMatch(p.payloads[0]!, /KUBE-SERVICES/);
  assert.doesNotMatch(p.payloads[0]!, /\*filter/);
});

test('rules other components own survive every sync (never flushed, never deleted)', () => {
  const k = emptyKernel();
  k.get('nat')!.get('POSTROUTING')!.push('-A POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE');
  k.get('filter')!.set('CNI-FORWARD', ['-A CNI-FORWARD -s 10.244.0.5 -j ACCEPT']);
  apply(k, desired(base()), haveFromSave(save(k)));
  const o = base(); CHANGES['service removed']!(o);
  apply(k, desired(o), haveFromSave(save(k)));
  assert.ok(k.get('nat')!.get('POSTROUTING')!.includes('-A POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE'));
  assert.deepEqual(k.get('filter')!.get('CNI-FORWARD'), ['-A CNI-FORWARD -s 10.244.0.5 -j ACCEPT']);
});

test('a big full sync is chunked: no payload declares more chains than the limit, a service\'s chains stay together', () => {
  const svcs: Service[] = [], sl: EndpointSlice[] = [];
  for (let i = 0; i < 300; i++) {
    svcs.push({ metadata: { namespace: 'b', name: `s${i}` }, spec: { clusterIP: `10.96.${i >> 8}.${i & 255}`, ports: [{ name: 'p', port: 80, protocol: 'TCP' }] } });
    sl.push({ addressType: 'IPv4', metadata: { namespace: 'b', name: `s${i}-x`, labels: { 'kubernetes.io/service-name': `s${i}` } }, ports: [{ name: 'p', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: [`10.244.${i >> 8}.${i & 255}`], conditions: { ready: true } }, { addresses: [`10.245.${i >> 8}.${i & 255}`], conditions: { ready: true } }] });
  }
  const k = emptyKernel();
  const d = desired({ svcs, slices: sl });
  const p = planSync(d, haveFromSave(save(k)), { ...PLAN, maxChains: 100, maxLines: 400 });
  assert.ok(p.payloads.length >= 9, `${p.payloads.length} payloads`);
  for (const pl of p.payloads) assert.ok(pl.split('\n').filter((l) => l.startsWith(':')).length <= 100);
  for (const pl of p.payloads) restore(k, pl);
  const ref = emptyKernel(); apply(ref, d, haveFromSave(save(ref)), { ...PLAN, maxChains: 1e9, maxLines: 1e9 } as typeof PLAN);
  assert.deepEqual(view(k), view(ref));
  assert.equal(k.get('nat')!.get('KUBE-SERVICES')!.length, 301);
});

test('the memo reuses unchanged services\' rules (same objects) and drops removed ones', () => {
  const memo = new RuleMemo();
  const d0 = desired(base(), memo);
  const o = base(); CHANGES['endpoints move']!(o);
  const d1 = desired(o, memo);
  assert.notEqual(d1.services.get('ns/web:p'), d0.services.get('ns/web:p'));
  assert.equal(d1.services.get('ns/np:p'), d0.services.get('ns/np:p'));
  const o2 = base(); CHANGES['service removed']!(o2);
  const d2 = desired(o2, memo);
  assert.equal(d2.services.has('ns/np:p'), false);
  assert.equal(desired(base(), memo).services.get('ns/web:p') === d1.services.get('ns/web:p'), false);
});
