import { isLocal } from './ipv4.js';
import { summarize, TraceError, type L4, type Outcome, type Packet, type RecentTable, type TraceOptions, type TraceResult, type Verdict } from './types.js';

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

/** The packet and everything the rules did to it so far, on one path through the rules. */
export interface State {
  src: string; dst: string; sport: number; dport: number; proto: L4;
  inIf: string; outIf: string;
  ctState: NonNullable<Packet['ctState']>;
  mark: number;
  hook: Hook;
  dnat: string | null;
  masqueraded: boolean;
  markAtPostrouting: number | null;
  recent: RecentTable;
  now: number;
  nodeIPs: readonly string[];
  path: string[];
}

/** A copy for a fork: later changes on one path must not show on the other. */
export function fork(s: State): State {
  return { ...s, recent: new Map([...s.recent].map(([k, v]) => [k, new Map(v)])), path: [...s.path] };
}
export const local = (s: State, ip: string): boolean => isLocal(s.nodeIPs, ip);

/** What a rule did on one path: fall through to the next rule, jump/goto a chain, or end the chain. */
export type Step =
  | { st: State; to: 'next' }
  | { st: State; to: 'jump' | 'goto'; chain: string }
  | { st: State; to: 'RETURN' | Verdict };

/** A chain's end on one path: RETURN (returned or fell off the end) or a verdict. */
export interface Branch { st: State; end: 'RETURN' | Verdict }

/** The rules of one table family (one iptables table set, or one nft table), as the walker needs them. */
export interface Program<R> {
  rules(chain: string): readonly R[] | undefined;
  evaluate(rule: R, st: State): Step[];
}

const MAX_DEPTH = 64;

/** Runs one chain for one state; forks (probabilistic rules) give several branches. */
export function runChain<R>(prog: Program<R>, chain: string, st: State, depth = 0): Branch[] {
  if (depth > MAX_DEPTH) throw new TraceError(`chain nesting deeper than ${MAX_DEPTH} at ${chain} (a loop?)`);
  const rules = prog.rules(chain);
  if (!rules) throw new TraceError(`jump to a chain that does not exist: ${chain}`);
  const out: Branch[] = [];
  const work: Array<{ i: number; st: State }> = [{ i: 0, st }];
  for (let w = 0; w < work.length; w++) {
    const { i, st: s } = work[w]!;
    if (i >= rules.length) { out.push({ st: s, end: 'RETURN' }); continue; }
    for (const step of prog.evaluate(rules[i]!, s)) {
      if (step.to === 'next') work.push({ i: i + 1, st: step.st });
      else if (step.to === 'jump') {
        for (const b of runChain(prog, step.chain, step.st, depth + 1)) {
          if (b.end === 'RETURN') work.push({ i: i + 1, st: b.st }); else out.push(b);
        }
      } else if (step.to === 'goto') out.push(...runChain(prog, step.chain, step.st, depth + 1));
      else out.push({ st: step.st, end: step.to });
    }
  }
  return out;
}

/** A base chain attached to a hook, in the order the kernel runs them (by priority). */
export interface HookChain {
  label: string;
  /** nat chains see only a connection's first packet */
  nat: boolean;
  /** verdict when the chain returns or runs off its end */
  policy: Verdict;
  run(st: State): Branch[];
}
export interface Ruleset { chainsFor(hook: Hook): HookChain[] }

/** After `hook`, where the packet goes (routing decisions use the destination after DNAT). */
function nextHook(hook: Hook, st: State, fromLocal: boolean): Hook | null {
  switch (hook) {
    case 'prerouting': return local(st, st.dst) ? 'input' : 'forward';
    case 'forward': case 'output': return 'postrouting';
    case 'postrouting': return fromLocal && local(st, st.dst) ? 'input' : null; // looped back over lo
    case 'input': return null;
  }
}

/** Walks a packet through the hooks in kernel order and returns every possible outcome. */
export function walk(rs: Ruleset, p: Packet, o: TraceOptions): TraceResult {
  const fromLocal = !!p.fromLocal;
  const st0: State = {
    src: p.src, dst: p.dst, sport: p.sport ?? 40000, dport: p.dport, proto: p.proto,
    inIf: p.inInterface ?? (fromLocal ? '' : 'eth0'), outIf: p.outInterface ?? 'eth0',
    ctState: p.ctState ?? 'NEW', mark: p.mark ?? 0, hook: fromLocal ? 'output' : 'prerouting',
    dnat: null, masqueraded: false, markAtPostrouting: null,
    recent: new Map([...(o.recent ?? [])].map(([k, v]) => [k, new Map(v)])), now: o.nowSeconds ?? 0, nodeIPs: o.nodeIPs, path: [],
  };
  const outcomes: Outcome[] = [];
  const finish = (st: State, verdict: Verdict): void => {
    outcomes.push({ verdict, dnat: st.dnat, markAtPostrouting: st.markAtPostrouting, masqueraded: st.masqueraded, recent: st.recent, path: st.path });
  };
  const visit = (hook: Hook, start: State): void => {
    start.hook = hook;
    start.path.push(`[${hook}]`);
    if (hook === 'postrouting') start.markAtPostrouting = start.mark;
    if (hook === 'input' && fromLocal) start.inIf = 'lo';
    let live: State[] = [start];
    for (const hc of rs.chainsFor(hook)) {
      const next: State[] = [];
      for (const st of live) {
        if (hc.nat && st.ctState !== 'NEW') { next.push(st); continue; }
        st.path.push(`${hc.label}:`);
        for (const b of hc.run(st)) {
          const v = b.end === 'RETURN' ? hc.policy : b.end;
          if (v === 'ACCEPT') next.push(b.st); else finish(b.st, v);
        }
      }
      live = next;
    }
    for (const st of live) {
      const n = nextHook(hook, st, fromLocal);
      if (n) visit(n, st); else finish(st, 'ACCEPT');
    }
  };
  visit(st0.hook, st0);
  return summarize(outcomes);
}
