import { fork, local, runChain, walk, type HookChain, type Program, type State, type Step } from './engine.js';
import { valueMatches, type Expr, type NftVerdict, type Sel, type Value } from './nft-rule.js';
import type { NftRule, NftSet, NftState, NftTable } from './nft-script.js';
import { TraceError, type Packet, type TraceOptions, type TraceResult } from './types.js';

export { applyNft, emptyNft, type NftState } from './nft-script.js';

/** Traces one packet through every table of an nft state built by applyNft. */
export function traceNft(s: NftState, p: Packet, o: TraceOptions): TraceResult {
  return walk({
    chainsFor: (hook) => {
      const found: Array<HookChain & { priority: number }> = [];
      for (const t of s.values()) {
        const prog: Program<NftRule> = { rules: (n) => t.chains.get(n)?.rules, evaluate: (r, st) => evalRule(t, r, st) };
        for (const ch of t.chains.values()) {
          if (ch.base?.hook !== hook) continue;
          found.push({ label: `${t.family} ${t.name} ${ch.name}`, nat: ch.base.type === 'nat', policy: ch.base.policy, priority: ch.base.priority, run: (st) => runChain(prog, ch.name, st) });
        }
      }
      return found.sort((a, b) => a.priority - b.priority);   // stable: equal priorities keep creation order
    },
  }, p, o);
}

function field(st: State, s: Sel, and: number | null): string | number {
  switch (s) {
    case 'ip saddr': return st.src;
    case 'ip daddr': return st.dst;
    case 'meta l4proto': case 'ip protocol': return st.proto;
    case 'th dport': return st.dport;
    case 'th sport': return st.sport;
    case 'meta mark': return and === null ? st.mark : (st.mark & and) >>> 0;
    case 'ct state': return st.ctState.toLowerCase();
    case 'meta iifname': return st.inIf;
    case 'meta oifname': return st.outIf;
  }
}

/** The element of a set/map whose key the packet has (dynamic entries of timed-out sets included while fresh). */
function lookup(set: NftSet, e: Expr, st: State): { value: NftVerdict | null } | null {
  const have = e.sels.map((s) => field(st, s, e.and));
  for (const el of set.elements.values()) if (el.key.every((v, i) => valueMatches(v, have[i]!))) return el;
  const dyn = st.recent.get(set.name);
  if (dyn && e.sels.length === 1) {
    const at = dyn.get(String(have[0]));
    if (at !== undefined && (set.timeout === null || st.now - at <= set.timeout)) return { value: null };
  }
  return null;
}

const toStep = (st: State, v: NftVerdict): Step => {
  switch (v.v) {
    case 'accept': return { st, to: 'ACCEPT' };
    case 'drop': return { st, to: 'DROP' };
    case 'return': return { st, to: 'RETURN' };
    case 'continue': return { st, to: 'next' };
    default: return { st, to: v.v, chain: v.chain };
  }
};

/** Evaluates one rule's statements left to right; numgen forks the state. */
function evalRule(t: NftTable, r: NftRule, st0: State): Step[] {
  const err = (m: string): TraceError => new TraceError(m, r.line, r.text);
  const out: Step[] = [];
  let live: State[] = [st0];
  const logged = new Set<State>();
  const log = (st: State): void => { if (!logged.has(st)) { logged.add(st); st.path.push(`  ${r.chain} line ${r.line}: ${r.text}`); } };
  for (const s of r.stmts) {
    const next: State[] = [];
    for (const st of live) {
      const keep = (ok: boolean): void => { if (ok) next.push(st); else out.push({ st, to: 'next' }); };
      switch (s.k) {
        case 'cmp': {
          if (s.e.l4 && st.proto !== s.e.l4) { keep(false); break; }
          const v = field(st, s.e.sels[0]!, s.e.and);
          keep(s.values.some((x: Value) => valueMatches(x, v)) !== s.neg);
          break;
        }
        case 'lookup': keep((lookup(t.sets.get(s.set)!, s.e, st) !== null) !== s.neg); break;
        case 'fib': keep(local(st, s.dir === 'src' ? st.src : st.dst) !== s.neg); break;
        case 'numgen': {
          const hits = Array.from({ length: s.mod }, (_, i) => s.values.includes(i) !== s.neg);
          const any = hits.some(Boolean), all = hits.every(Boolean);
          if (any && !all) { next.push(fork(st)); out.push({ st, to: 'next' }); } else keep(any);
          break;
        }
        case 'numgen-vmap': {
          const ends: Array<NftVerdict | null> = Array.from({ length: s.mod }, (_, i) => s.entries.get(i) ?? null);
          const distinct = [...new Map(ends.map((v) => [JSON.stringify(v), v])).values()];
          distinct.forEach((v, i) => {
            const b = i === distinct.length - 1 ? st : fork(st);
            if (v) { log(b); out.push(toStep(b, v)); } else out.push({ st: b, to: 'next' });
          });
          break;
        }
        case 'vmap': {
          const el = lookup(t.sets.get(s.map)!, s.e, st);
          if (!el) { keep(false); break; }
          log(st); out.push(toStep(st, el.value!));
          break;
        }
        case 'mark-set':
          st.mark = (s.op === 'or' ? st.mark | s.value : s.op === 'xor' ? st.mark ^ s.value : s.op === 'and' ? st.mark & s.value : s.value) >>> 0;
          next.push(st); break;
        case 'update': {
          let m = st.recent.get(s.set);
          if (!m) st.recent.set(s.set, (m = new Map()));
          m.set(String(field(st, s.e.sels[0]!, null)), st.now);
          next.push(st); break;
        }
        case 'dnat':
          if (st.hook !== 'prerouting' && st.hook !== 'output') throw err(`dnat reached from the ${st.hook} hook`);
          st.dst = s.ip; if (s.port !== null) st.dport = s.port;
          st.dnat = `${st.dst}:${st.dport}`;
          log(st); out.push({ st, to: 'ACCEPT' }); break;
        case 'masquerade':
          if (st.hook !== 'postrouting') throw err(`masquerade reached from the ${st.hook} hook`);
          st.masqueraded = true;
          log(st); out.push({ st, to: 'ACCEPT' }); break;
        case 'reject': log(st); out.push({ st, to: 'REJECT' }); break;
        case 'verdict': log(st); out.push(toStep(st, s.v)); break;
      }
    }
    live = next;
  }
  for (const st of live) { log(st); out.push({ st, to: 'next' }); }
  return out;
}
