/**
 * The iptables proxier's plan: desired rules (per service, built once per change thanks to a memo) against what the
 * kernel has (read from `iptables-save` on a full sync, kept in memory after each sync), turned into as few and as
 * small `iptables-restore --noflush` payloads as the change needs. Pure: no kernel access here.
 *
 * Why several payloads: iptables-nft 1.8.9's `--noflush` restore costs grow with the square of the chains declared in
 * one payload (10k services in one: ~60 s; in chunks of ~250 services: ~2.7 s). Chunking keeps every chain's rewrite
 * atomic (a chain is flushed and refilled in one payload) and orders the work so nothing ever jumps to a missing
 * chain: fixed chains, then service chains (a service's SVC/SEP/EXT chains always in one payload), then the lines of
 * KUBE-NODEPORTS / KUBE-SERVICES that jump to them, then stale chains once nothing refers to them. An incremental
 * change touches only the changed services' chains and the KUBE-SERVICES lines that differ (`-D` / `-I 1`), never the
 * whole 10k-line chain.
 */
import { canonChain, canonRule, parseSavedTable, ruleChain } from './canon.js';
import { isServiceChain } from './names.js';
import { FIREWALL_JUMP_RULES, FIXED_NAT_RULES, JUMP_RULES, LARGE_CLUSTER_ENDPOINTS, nodePortJumps, ownedFilterChains, serviceRules, type ServiceRules } from './rules.js';
import type { EndpointsMap, RuleOptions, ServiceMap } from '../types.js';
import { ServiceMemo } from '../memo.js';

/** Everything kube-proxy wants in the kernel, by part. */
export interface Desired {
  services: Map<string, ServiceRules>;
  /** nat KUBE-SERVICES lines of the services (name order), without the node-port jumps */
  kubeServices: string[];
  /** the last rule(s) of nat KUBE-SERVICES */
  npJumps: string[];
  /** nat KUBE-NODEPORTS, KUBE-MARK-MASQ, KUBE-POSTROUTING → their lines */
  fixedNat: Map<string, string[]>;
  /** filter chains kube-proxy owns → their lines */
  filter: Map<string, string[]>;
  rules: number;
}

/** The iptables generator's memo: a service's ServiceRules while its inputs are unchanged. */
export class RuleMemo extends ServiceMemo<ServiceRules> {}

/** Builds the desired state; `memo` (optional) skips regenerating unchanged services. */
export function buildDesired(services: ServiceMap, endpoints: EndpointsMap, opts: RuleOptions, memo?: RuleMemo): Desired {
  const names = [...services.keys()].sort();
  let total = 0;
  for (const n of names) total += endpoints.get(n)?.length ?? 0;
  const large = total > LARGE_CLUSTER_ENDPOINTS;
  const out = new Map<string, ServiceRules>();
  const kubeServices: string[] = [], nodePorts: string[] = [], filterServices: string[] = [], filterExternal: string[] = [];
  let rules = 0;
  for (const name of names) {
    const sp = services.get(name)!;
    const eps = endpoints.get(name) ?? [];
    const sr = memo ? memo.rules(sp, eps, large, () => serviceRules(sp, eps, opts, large)) : serviceRules(sp, eps, opts, large);
    out.set(name, sr);
    for (const l of sr.natServices) kubeServices.push(l);
    for (const l of sr.natNodePorts) nodePorts.push(l);
    for (const l of sr.filterServices) filterServices.push(l);
    for (const l of sr.filterExternal) filterExternal.push(l);
    rules += sr.natRules.length;
  }
  memo?.commit();
  const fixedNat = new Map<string, string[]>([['KUBE-NODEPORTS', nodePorts], ['KUBE-MARK-MASQ', []], ['KUBE-POSTROUTING', []]]);
  for (const l of FIXED_NAT_RULES) fixedNat.get(ruleChain(l))!.push(l);
  const filter = ownedFilterChains(opts, filterServices, filterExternal);
  const npJumps = nodePortJumps(opts);
  for (const l of filter.values()) rules += l.length;
  rules += kubeServices.length + npJumps.length + nodePorts.length + FIXED_NAT_RULES.length;
  return { services: out, kubeServices, npJumps, fixedNat, filter, rules };
}

/** What the kernel holds, as far as the plan cares. */
export interface Have {
  /** true: read from iptables-save (rules compared in canonical form); false: what the last sync wrote (text) */
  fromKernel: boolean;
  /** memory: fingerprint of each service's chains as written */
  fingerprints: Map<string, string>;
  /** kernel: per-service chain → its saved lines */
  chainLines: Map<string, string[]>;
  /** per-service chains (KUBE-SVC-/SEP-/EXT-/…) that exist */
  serviceChains: Set<string>;
  /** nat KUBE-SERVICES rules, in order, as saved (kernel) or written (memory); null when the chain is missing */
  kubeServices: string[] | null;
  /** 'nat:CHAIN' / 'filter:CHAIN' → content key of the fixed chains that exist */
  fixed: Map<string, string>;
  /** kernel: keys 'table chain rule' of the rules in built-in chains; null: the jumps are known to be in place */
  builtin: Set<string> | null;
  /** memory: the Desired the last sync wrote; with the memo's stable objects a diff costs O(changed services) */
  prev?: Desired;
}

const BUILTIN: ReadonlyArray<[string, string]> = [['filter', 'INPUT'], ['filter', 'FORWARD'], ['filter', 'OUTPUT'], ['nat', 'PREROUTING'], ['nat', 'OUTPUT'], ['nat', 'POSTROUTING']];

/** Parses `iptables-save` (nat and filter) into a Have. */
export function haveFromSave(dump: string): Have {
  const nat = parseSavedTable(dump, 'nat'), filter = parseSavedTable(dump, 'filter');
  const h: Have = { fromKernel: true, fingerprints: new Map(), chainLines: new Map(), serviceChains: new Set(), kubeServices: nat.get('KUBE-SERVICES') ?? null, fixed: new Map(), builtin: new Set() };
  for (const [c, lines] of nat) {
    if (isServiceChain(c)) { h.serviceChains.add(c); h.chainLines.set(c, lines); }
    else if (c === 'KUBE-NODEPORTS' || c === 'KUBE-MARK-MASQ' || c === 'KUBE-POSTROUTING') h.fixed.set(`nat:${c}`, canonChain(lines));
  }
  for (const [c, lines] of filter) if (c.startsWith('KUBE-')) h.fixed.set(`filter:${c}`, canonChain(lines));
  for (const [t, c] of BUILTIN) for (const l of (t === 'nat' ? nat : filter).get(c) ?? []) h.builtin!.add(`${t} ${c} ${canonRule(l)}`);
  return h;
}

/** The Have a successful sync of `d` leaves behind (per-service parts are read from `d` itself when planning). */
export function haveFromDesired(d: Desired): Have {
  const h: Have = { fromKernel: false, fingerprints: new Map(), chainLines: new Map(), serviceChains: new Set(), kubeServices: null, fixed: new Map(), builtin: null, prev: d };
  for (const [c, l] of d.fixedNat) h.fixed.set(`nat:${c}`, l.join('\n'));
  for (const [c, l] of d.filter) h.fixed.set(`filter:${c}`, l.join('\n'));
  return h;
}

export interface PlanOptions {
  /** ensure KUBE-FIREWALL's jumps (localhost node ports on) */
  firewallJumps: boolean;
  /** most chains declared in one payload (iptables-nft's quadratic term) */
  maxChains?: number;
  /** most rule lines in one payload */
  maxLines?: number;
}

export interface Plan { payloads: string[]; written: number; stale: number }

interface Op { table: 'filter' | 'nat'; decl: string[]; lines: string[] }

const quoteArg = (a: string): string => (/[\s"]/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a);

/** The restore payloads that turn `h` into `d`, in the order they must run. */
export function planSync(d: Desired, h: Have, o: PlanOptions): Plan {
  // With nothing in the kernel's KUBE-SERVICES there is nothing to compare: skip canonicalising 10k lines.
  const key = h.fromKernel && h.kubeServices?.length ? canonRule : (l: string): string => l;
  const chainKey = h.fromKernel ? canonChain : (l: readonly string[]): string => l.join('\n');
  const ops: Op[] = [];
  const chainOp = (table: 'filter' | 'nat', chain: string, lines: readonly string[]): void => { ops.push({ table, decl: [chain], lines: [...lines] }); };

  // 1. filter chains we own, then the jumps from the built-in chains (prepended, in upstream's order).
  for (const [c, lines] of d.filter) if (h.fixed.get(`filter:${c}`) !== chainKey(lines)) chainOp('filter', c, lines);
  const jumps = [...JUMP_RULES, ...(o.firewallJumps ? FIREWALL_JUMP_RULES : [])];
  if (h.builtin) {
    for (const j of jumps) {
      const line = `-A ${j.chain} ${j.args.map(quoteArg).join(' ')}`;
      if (!h.builtin.has(`${j.table} ${j.chain} ${canonRule(line)}`)) ops.push({ table: j.table, decl: [], lines: [`-I ${j.chain} 1 ${j.args.map(quoteArg).join(' ')}`] });
    }
  }
  // 2. nat fixed chains: create the missing ones; rewrite KUBE-MARK-MASQ / KUBE-POSTROUTING when they differ.
  const natDecl: string[] = [];
  if (h.kubeServices === null && !h.prev) natDecl.push('KUBE-SERVICES');
  if (!h.fixed.has('nat:KUBE-NODEPORTS')) natDecl.push('KUBE-NODEPORTS');
  const natFixed: string[] = [];
  for (const c of ['KUBE-MARK-MASQ', 'KUBE-POSTROUTING']) {
    const lines = d.fixedNat.get(c)!;
    if (h.fixed.get(`nat:${c}`) !== chainKey(lines)) { natDecl.push(c); for (const l of lines) natFixed.push(l); }
  }
  if (natDecl.length) ops.unshift({ table: 'nat', decl: natDecl, lines: natFixed });

  let written = 0;
  let stale: string[];
  if (h.prev) {
    // Memory: unchanged services keep the very same ServiceRules object (memo); look only at the others.
    const prev = h.prev.services;
    const ksDel: string[] = [], ksAdd: string[] = [], staleSet: string[] = [];
    const visit = (name: string, old: ServiceRules | undefined, sr: ServiceRules | undefined): void => {
      if (old === sr) return;
      if (sr && sr.natChains.length && !(old && old.fingerprint === sr.fingerprint)) { written++; ops.push({ table: 'nat', decl: [...sr.natChains], lines: [...sr.natRules] }); }
      const now = new Set(sr?.natServices ?? []);
      const before = new Set(old?.natServices ?? []);
      for (const l of before) if (!now.has(l)) ksDel.push(l);
      for (const l of now) if (!before.has(l)) ksAdd.push(l);
      const keep = new Set(sr?.natChains ?? []);
      for (const c of old?.natChains ?? []) if (!keep.has(c)) staleSet.push(c);
    };
    for (const [name, sr] of d.services) visit(name, prev.get(name), sr);
    for (const [name, old] of prev) if (!d.services.has(name)) visit(name, old, undefined);
    // 4. KUBE-NODEPORTS (jumps to EXT chains, now present).
    const np = d.fixedNat.get('KUBE-NODEPORTS')!;
    if (h.fixed.get('nat:KUBE-NODEPORTS') !== chainKey(np)) chainOp('nat', 'KUBE-NODEPORTS', np);

    for (const l of ksDel) ops.push({ table: 'nat', decl: [], lines: [`-D KUBE-SERVICES ${l.slice(l.indexOf(' ', 3) + 1)}`] });
    for (const l of ksAdd) ops.push({ table: 'nat', decl: [], lines: [`-I KUBE-SERVICES 1 ${l.slice(l.indexOf(' ', 3) + 1)}`] });
    if (h.prev.npJumps.join('\n') !== d.npJumps.join('\n')) {
      for (const l of h.prev.npJumps) ops.push({ table: 'nat', decl: [], lines: [`-D KUBE-SERVICES ${l.slice(l.indexOf(' ', 3) + 1)}`] });
      for (const l of d.npJumps) ops.push({ table: 'nat', decl: [], lines: [l] });
    }
    stale = staleSet;
  } else {
    // 3. service chains that differ (a service's chains in one op, so SVC and its SEPs change together).
    for (const [name, sr] of d.services) {
      if (!sr.natChains.length) continue;
      let same: boolean;
      if (h.fromKernel) {
        same = sr.natChains.every((c) => h.chainLines.has(c));
        if (same) {
          const byChain = new Map<string, string[]>(sr.natChains.map((c) => [c, []]));
          for (const l of sr.natRules) byChain.get(ruleChain(l))?.push(l);
          for (const [c, lines] of byChain) if (canonChain(lines) !== canonChain(h.chainLines.get(c)!)) { same = false; break; }
        }
      } else same = h.fingerprints.get(name) === sr.fingerprint && sr.natChains.every((c) => h.serviceChains.has(c));
      if (same) continue;
      written++;
      ops.push({ table: 'nat', decl: [...sr.natChains], lines: [...sr.natRules] });
    }

    // 4. KUBE-NODEPORTS (jumps to EXT chains, now present).
    const np = d.fixedNat.get('KUBE-NODEPORTS')!;
    if (h.fixed.get('nat:KUBE-NODEPORTS') !== chainKey(np)) chainOp('nat', 'KUBE-NODEPORTS', np);

    // 5. KUBE-SERVICES: delete what is not wanted, prepend what is missing, keep the node-port jumps last.
    const have = h.kubeServices ?? [];
    const wantKeys = new Set<string>();
    for (const l of d.kubeServices) wantKeys.add(key(l));
    const npKeys = d.npJumps.map(key);
    const tail = have.slice(Math.max(0, have.length - npKeys.length)).map(key);
    const npOk = tail.length === npKeys.length && tail.every((k, i) => k === npKeys[i]);
    const haveKeys = new Set<string>();
    const del: string[] = [];
    have.forEach((l, i) => {
      const k = key(l);
      const isTailNp = npOk && i >= have.length - npKeys.length;
      if (isTailNp) return;
      if (!wantKeys.has(k) || haveKeys.has(k)) del.push(`-D KUBE-SERVICES ${l.slice(l.indexOf(' ', 3) + 1)}`);
      else haveKeys.add(k);
    });
    for (const l of del) ops.push({ table: 'nat', decl: [], lines: [l] });
    for (let i = d.kubeServices.length - 1; i >= 0; i--) {
      const l = d.kubeServices[i]!;
      if (!haveKeys.has(key(l))) ops.push({ table: 'nat', decl: [], lines: [`-I KUBE-SERVICES 1 ${l.slice(l.indexOf(' ', 3) + 1)}`] });
    }
    if (!npOk) for (const l of d.npJumps) ops.push({ table: 'nat', decl: [], lines: [l] });

    const wanted = new Set<string>();
    for (const sr of d.services.values()) for (const c of sr.natChains) wanted.add(c);
    stale = [...h.serviceChains].filter((c) => !wanted.has(c));
  }
  // 6. (both) stale service chains, referrers first (EXT/FW/XLB jump to SVC/SVL, which jump to SEP).
  const rank = (c: string): number => (c.startsWith('KUBE-SEP-') ? 2 : c.startsWith('KUBE-SVC-') || c.startsWith('KUBE-SVL-') ? 1 : 0);
  stale.sort((a, b) => rank(a) - rank(b));
  for (const c of stale) ops.push({ table: 'nat', decl: [c], lines: [`-X ${c}`] });

  return { payloads: pack(ops, o.maxChains ?? 600, o.maxLines ?? 2500), written, stale: stale.length };
}

/** Packs ops in order into payloads (declarations hoisted to the top of their table section). */
function pack(ops: readonly Op[], maxChains: number, maxLines: number): string[] {
  const out: string[] = [];
  let cur: Op[] = [], chains = 0, lines = 0;
  const flush = (): void => {
    if (!cur.length) return;
    const L: string[] = [];
    for (const t of ['filter', 'nat'] as const) {
      const mine = cur.filter((op) => op.table === t);
      if (!mine.length) continue;
      L.push(`*${t}`);
      for (const op of mine) for (const c of op.decl) L.push(`:${c} - [0:0]`);
      for (const op of mine) for (const l of op.lines) L.push(l);
      L.push('COMMIT');
    }
    out.push(L.join('\n') + '\n');
    cur = []; chains = 0; lines = 0;
  };
  for (const op of ops) {
    if (cur.length && (chains + op.decl.length > maxChains || lines + op.lines.length > maxLines)) flush();
    cur.push(op); chains += op.decl.length; lines += op.lines.length;
  }
  flush();
  return out;
}
