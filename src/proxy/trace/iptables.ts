import { fork, local, runChain, walk, type Hook, type HookChain, type Program, type State, type Step } from './engine.js';
import { prefixContains } from './ipv4.js';
import type { IptMatch, IptRule, IptState } from './iptables-parse.js';
import { TraceError, type Packet, type TraceOptions, type TraceResult } from './types.js';

export { addRule, applyRestore, emptyIptables, type IptRule, type IptState } from './iptables-parse.js';

/** Tables per hook, in priority order (raw -300, mangle -150, nat DNAT -100, filter 0, nat SNAT 100). */
const HOOK_TABLES: Record<Hook, Array<[string, string]>> = {
  prerouting: [['raw', 'PREROUTING'], ['mangle', 'PREROUTING'], ['nat', 'PREROUTING']],
  input: [['mangle', 'INPUT'], ['filter', 'INPUT'], ['nat', 'INPUT']],
  forward: [['mangle', 'FORWARD'], ['filter', 'FORWARD']],
  output: [['raw', 'OUTPUT'], ['mangle', 'OUTPUT'], ['nat', 'OUTPUT'], ['filter', 'OUTPUT']],
  postrouting: [['mangle', 'POSTROUTING'], ['nat', 'POSTROUTING']],
};

/** Traces one packet through iptables state built by applyRestore/addRule. */
export function traceIptables(s: IptState, p: Packet, o: TraceOptions): TraceResult {
  return walk({
    chainsFor: (hook) => HOOK_TABLES[hook].flatMap(([tbl, chain]): HookChain[] => {
      const t = s.get(tbl), c = t?.get(chain);
      if (!t || !c) return [];
      const prog: Program<IptRule> = { rules: (n) => t.get(n)?.rules, evaluate: evalRule };
      return [{ label: `${tbl}/${chain}`, nat: tbl === 'nat', policy: c.policy ?? 'ACCEPT', run: (st) => runChain(prog, chain, st) }];
    }),
  }, p, o);
}

type Result = 'yes' | 'no' | 'both';

function matchOne(m: IptMatch, st: State, r: IptRule): Result {
  const yn = (b: boolean): Result => (b ? 'yes' : 'no');
  switch (m.kind) {
    case 'addr': return yn(prefixContains(m.prefix, m.dir === 'src' ? st.src : st.dst) !== m.neg);
    case 'proto': return yn((m.proto === 'all' || m.proto === st.proto) !== m.neg);
    case 'iface': {
      const have = m.dir === 'in' ? st.inIf : st.outIf;
      const eq = m.name.endsWith('+') ? have.startsWith(m.name.slice(0, -1)) : have === m.name;
      return yn(eq !== m.neg);
    }
    case 'port': {
      if (st.proto !== m.proto) return 'no';
      const v = m.dir === 'dst' ? st.dport : st.sport;
      return yn((v >= m.lo && v <= m.hi) !== m.neg);
    }
    case 'addrtype': return yn(local(st, m.dir === 'src' ? st.src : st.dst) !== m.neg);
    case 'mark': return yn((((st.mark & m.mask) >>> 0) === ((m.value & m.mask) >>> 0)) !== m.neg);
    case 'conntrack': return yn(m.states.includes(st.ctState) !== m.neg);
    case 'statistic': {
      const p = m.neg ? 1 - m.probability : m.probability;
      return p <= 0 ? 'no' : p >= 1 ? 'yes' : 'both';
    }
    case 'recent': {
      const ip = m.side === 'src' ? st.src : st.dst;
      let list = st.recent.get(m.name);
      if (m.op === 'set') {
        if (!list) st.recent.set(m.name, (list = new Map()));
        list.set(ip, st.now);
        return 'yes';
      }
      const at = list?.get(ip);
      const hit = at !== undefined && (m.seconds === null || st.now - at <= m.seconds);
      if (m.reap && m.seconds !== null && list) for (const [k, t] of list) if (st.now - t > m.seconds) list.delete(k);
      if (hit && m.op === 'update') list!.set(ip, st.now);
      if (hit && m.op === 'remove') list!.delete(ip);
      return yn(hit);
    }
    default: throw new TraceError('unhandled match', r.line, r.text);
  }
}

function evalRule(r: IptRule, st0: State): Step[] {
  let live: State[] = [st0];
  const out: Step[] = [];
  for (const m of r.matches) {
    const next: State[] = [];
    for (const st of live) {
      const res = matchOne(m, st, r);
      if (res === 'both') { next.push(fork(st)); out.push({ st, to: 'next' }); }
      else if (res === 'yes') next.push(st);
      else out.push({ st, to: 'next' });
    }
    live = next;
  }
  for (const st of live) out.push(applyTarget(r, st));
  return out;
}

function applyTarget(r: IptRule, st: State): Step {
  st.path.push(`  ${r.table}/${r.chain} ${r.line ? `line ${r.line}` : '(added)'}: ${r.text}`);
  const t = r.target;
  switch (t.kind) {
    case 'none': return { st, to: 'next' };
    case 'jump': case 'goto': return { st, to: t.kind, chain: t.chain };
    case 'verdict': return { st, to: t.verdict };
    case 'mark':
      st.mark = (t.op === 'or' ? st.mark | t.value : t.op === 'xor' ? st.mark ^ t.value : t.op === 'and' ? st.mark & t.value : (st.mark & ~t.mask) ^ t.value) >>> 0;
      return { st, to: 'next' };
    case 'dnat':
      if (st.hook !== 'prerouting' && st.hook !== 'output') throw new TraceError(`DNAT reached from the ${st.hook} hook (only PREROUTING/OUTPUT)`, r.line, r.text);
      st.dst = t.ip;
      if (t.port !== null) st.dport = t.port;
      st.dnat = `${st.dst}:${st.dport}`;
      return { st, to: 'ACCEPT' };
    case 'masquerade':
      if (st.hook !== 'postrouting') throw new TraceError(`MASQUERADE reached from the ${st.hook} hook (only POSTROUTING)`, r.line, r.text);
      st.masqueraded = true;
      return { st, to: 'ACCEPT' };
  }
}
