import { PodnetError } from '../../util/errors.js';

/** Layer-4 protocol of a traced packet, as nft and iptables spell it. */
export type L4 = 'tcp' | 'udp' | 'sctp';

/** The first packet of a connection, as the tracer sees it. */
export interface Packet {
  src: string;
  dst: string;
  dport: number;
  proto: L4;
  /** source port; default 40000 */
  sport?: number;
  /** generated on the node (OUTPUT hook) instead of arriving on an interface (PREROUTING) */
  fromLocal?: boolean;
  /** input interface (for -i / iifname); default '' for local packets, 'eth0' otherwise */
  inInterface?: string;
  /** output interface (for -o / oifname); default 'eth0' */
  outInterface?: string;
  /** connection-tracking state; default 'NEW' (nat chains run only for NEW) */
  ctState?: 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID';
  /** initial packet mark; default 0 */
  mark?: number;
}

export type Verdict = 'ACCEPT' | 'DROP' | 'REJECT';

/** One possible fate of the packet (a probabilistic rule splits a trace into several). */
export interface Outcome {
  verdict: Verdict;
  /** "ip:port" the packet was DNATed to, or null */
  dnat: string | null;
  /** the mark the packet carried when POSTROUTING began (null if it never got there) */
  markAtPostrouting: number | null;
  /** MASQUERADE / masquerade was hit */
  masqueraded: boolean;
  /** the recent lists / dynamic sets after this path (pass as `recent` to trace the connection's next one) */
  recent: RecentTable;
  /** hooks, chains entered and rules matched, in order */
  path: string[];
}

/** Every outcome plus the summary tests assert on. */
export interface TraceResult {
  outcomes: Outcome[];
  /** distinct verdicts, sorted, joined with '|': 'ACCEPT', 'DROP', 'ACCEPT|DROP' … */
  verdict: string;
  /** sorted distinct DNAT targets over the ACCEPTed outcomes (upstream's "output") */
  endpoints: string[];
  /** true/false when every ACCEPTed outcome agrees, 'mixed' otherwise (false when none was accepted) */
  masqueraded: boolean | 'mixed';
}

/** Recently-seen sources (iptables `-m recent`, nft dynamic sets): list → address → time set (seconds). */
export type RecentTable = Map<string, Map<string, number>>;

export interface TraceOptions {
  /** addresses that are local to the node (addrtype LOCAL / fib type local); 127.0.0.0/8 always is */
  nodeIPs: readonly string[];
  /** recent lists / dynamic sets before the packet (session affinity); not modified; default empty */
  recent?: RecentTable;
  /** the clock for `-m recent --seconds` and set timeouts; default 0 */
  nowSeconds?: number;
}

/** A rule the tracer cannot parse or evaluate, or a trace that cannot finish. Never ignored. */
export class TraceError extends PodnetError {
  constructor(message: string, readonly line?: number, readonly text?: string) {
    super('ETRACE', line !== undefined ? `line ${line}: ${message}: ${text ?? ''}` : message);
  }
}

/** Folds outcomes into the summary. */
export function summarize(outcomes: Outcome[]): TraceResult {
  const verdict = [...new Set(outcomes.map((o) => o.verdict))].sort().join('|');
  const accepted = outcomes.filter((o) => o.verdict === 'ACCEPT');
  const endpoints = [...new Set(accepted.map((o) => o.dnat).filter((d): d is string => d !== null))].sort();
  const masq = new Set(accepted.map((o) => o.masqueraded));
  const masqueraded = masq.size > 1 ? 'mixed' : masq.has(true);
  return { outcomes, verdict, endpoints, masqueraded };
}

/** Renders a result for assertion messages. */
export function describe(r: TraceResult): string {
  return r.outcomes.map((o, i) => `outcome ${i + 1}: ${o.verdict} dnat=${o.dnat ?? '-'} masq=${o.masqueraded}\n  ${o.path.join('\n  ')}`).join('\n');
}
