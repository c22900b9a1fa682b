/**
 * Which rules a probe's packets matched, from the kernel's own tracing (pure): the script of the
 * short-lived `inet podnet-trace` table that sets `meta nftrace` on the probe's first packet, the
 * parser of `nft monitor trace` output (every nf_tables table: iptables-nft's `ip nat`/`ip filter`,
 * kube-proxy's `ip kube-proxy`, the enforcer's `inet podnet-policy`), the hops those events make,
 * and the probe's conntrack entry (the DNAT target chosen, the SNAT applied).
 */
import type { TraceHop, TraceProtocol, TraceStep } from './tracetypes.js';

export interface ProbeMatch { protocol: TraceProtocol; src?: string; sport?: number; dst: string }

/**
 * The trace table: at priority -350 (before raw, conntrack and NAT) in prerouting and output, mark
 * the probe's first packet (TCP: the SYN; UDP: its source port; ICMP: an echo request from the
 * source to the destination). Matching on the source, not the destination, follows the packet after
 * DNAT and on the next node.
 */
export function traceTableScript(m: ProbeMatch, table = 'podnet-trace'): string {
  const l4 = m.protocol === 'tcp' ? `tcp sport ${m.sport} tcp flags & (syn | ack) == syn`
    : m.protocol === 'udp' ? `udp sport ${m.sport}` : 'icmp type echo-request';
  const match = `${m.src ? `ip saddr ${m.src} ` : ''}${l4} meta nftrace set 1`;
  return [
    `add table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    `  chain pre { type filter hook prerouting priority -350; policy accept; ${match}; }`,
    `  chain out { type filter hook output priority -350; policy accept; ${match}; }`,
    '}',
  ].join('\n') + '\n';
}

export interface TraceEvent {
  id: string;
  family: string;
  table: string;
  chain: string;
  kind: 'packet' | 'rule' | 'policy' | 'verdict';
  /** rule: the rule as nft prints it (counters stripped); policy/verdict: the verdict */
  text: string;
  verdict?: string;
  iif?: string;
  oif?: string;
  /** the base chain's packet had an output interface: the kernel had routed it (forward, postrouting, output) */
  routed: boolean;
}

/** `nft monitor trace` lines → events (lines of other shapes are skipped). */
export function parseTraceEvents(out: string): TraceEvent[] {
  const ev: TraceEvent[] = [];
  const routedOf = new Map<string, boolean>();
  for (const line of out.split('\n')) {
    const m = /^trace id (\S+) (\S+) (\S+) (\S+) (packet|rule|policy|verdict):? ?(.*)$/.exec(line.trimEnd());
    if (!m) continue;
    const [, id, family, table, chain, kind, rest] = m as unknown as [string, string, string, string, string, TraceEvent['kind'], string];
    if (kind === 'packet') {
      const iif = /\biif "([^"]+)"/.exec(rest)?.[1], oif = /\boif "([^"]+)"/.exec(rest)?.[1];
      routedOf.set(id, oif !== undefined);
      ev.push({ id, family, table, chain, kind, text: rest.trim(), ...(iif ? { iif } : {}), ...(oif ? { oif } : {}), routed: oif !== undefined });
    } else if (kind === 'rule') {
      const v = /^(.*) \(verdict ([^)]+)\)$/.exec(rest);
      const text = (v ? v[1]! : rest).replace(/\s*counter packets \d+ bytes \d+/g, ' counter').replace(/\s+/g, ' ').trim();
      ev.push({ id, family, table, chain, kind, text, ...(v ? { verdict: v[2]!.trim() } : {}), routed: routedOf.get(id) ?? false });
    } else {
      ev.push({ id, family, table, chain, kind, text: rest.trim(), verdict: rest.trim(), routed: routedOf.get(id) ?? false });
    }
  }
  return ev;
}

/** Chains whose entry is worth a hop of its own (a Service's or endpoint's chain, a policy's). */
const NAMED_CHAIN = /^(KUBE-(SVC|SVL|EXT|FW|SEP|XLB)-|KUBE-NODEPORTS$|KUBE-MARK-MASQ$|(service|local|external|endpoint|firewall)-[A-Z2-7]{8}-|reject-chain$|mark-for-masquerade$|pod-(in|out)\/|pol-(in|out)\/)/;

/** The step an event stands for: DNAT, SNAT/masquerade, a policy decision, a drop, or a rule. */
export function stepOf(e: TraceEvent): TraceStep {
  const t = e.text;
  if (e.table === 'podnet-policy') return e.verdict === 'drop' ? 'drop' : 'policy';
  if (/\bdnat to\b|DNAT/.test(t)) return 'dnat';
  if (/\bmasquerade\b|\bsnat to\b|MASQUERADE|SNAT/.test(t)) return 'snat';
  if (e.verdict === 'drop' || /\breject\b|REJECT/.test(t)) return 'drop';
  return 'rule';
}

/** Is the event one a reader of the path wants (not the trace table's own, not bookkeeping jumps)? */
export function interesting(e: TraceEvent, traceTable = 'podnet-trace'): boolean {
  if (e.table === traceTable || e.kind === 'packet') return false;
  if (e.kind === 'policy' || e.kind === 'verdict') return e.verdict === 'drop';
  if (e.table === 'podnet-policy') return true;
  const v = e.verdict ?? '';
  if (v === 'drop' || /\breject\b|REJECT/.test(e.text)) return true;
  if (/\bdnat to\b|\bmasquerade\b|\bsnat to\b/.test(e.text)) return true;
  const target = /^(?:jump|goto) (\S+)$/.exec(v)?.[1];
  if (target && NAMED_CHAIN.test(target)) return true;
  if (NAMED_CHAIN.test(e.chain) && v !== 'continue' && v !== 'return' && !/^meta mark/.test(e.text)) return true;
  // a vmap lookup that sends the packet to a service chain
  return false;
}

/** The iptables-save rules of a node by table ("nat", "filter"), to show an iptables-nft rule as iptables writes it. */
export type SavedRules = Map<string, Map<string, { rules: { rule: string }[] }>>;

/**
 * The `iptables-save` form of a rule the trace printed in nft syntax (iptables-nft keeps no comment
 * in what nft prints): the rule of the same chain whose addresses, ports and target all appear in
 * the nft text.
 */
export function savedRuleFor(e: TraceEvent, saved: SavedRules | undefined): string | undefined {
  if (e.family !== 'ip' || e.kind !== 'rule') return undefined;
  const chain = saved?.get(e.table)?.get(e.chain);
  if (!chain) return undefined;
  const v = e.verdict ?? '';
  const target = /^(?:jump|goto) (\S+)$/.exec(v)?.[1]
    ?? (/\bdnat to\b/.test(e.text) ? 'DNAT' : /\bmasquerade\b/.test(e.text) ? 'MASQUERADE' : /\breject\b/.test(e.text) ? 'REJECT'
      : v === 'accept' ? 'ACCEPT' : v === 'drop' ? 'DROP' : v === 'return' ? 'RETURN' : undefined);
  const fits = chain.rules.filter(({ rule }) => {
    const t = /(?:^| )-[jg] (\S+)/.exec(rule)?.[1];
    if (target && t !== target) return false;
    const addrs = [...rule.matchAll(/(?:^| )-[sd] ([\d.]+)(?:\/(\d+))?/g)].map((m) => (m[2] === '32' || !m[2] ? m[1]! : `${m[1]}/${m[2]}`));
    const ports = [...rule.matchAll(/--dport (\d+)/g)].map((m) => m[1]!);
    const dnat = /--to-destination (\S+)/.exec(rule)?.[1];
    return addrs.every((a) => e.text.includes(a)) && ports.every((p) => new RegExp(`dport ${p}\\b`).test(e.text)) && (!dnat || e.text.includes(dnat));
  });
  return fits[0]?.rule;
}

/** Events → hops of one node (index 0; the caller numbers them), deduplicated (retransmissions repeat them). */
export function ruleHops(events: readonly TraceEvent[], node: string, netns: string, saved?: SavedRules): TraceHop[] {
  const seen = new Set<string>();
  const out: TraceHop[] = [];
  for (const e of events) {
    if (!interesting(e)) continue;
    const key = `${e.family} ${e.table} ${e.chain} ${e.kind} ${e.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const step = stepOf(e);
    const verdict = e.verdict ? ` → ${e.verdict}` : '';
    const ipt = savedRuleFor(e, saved);
    const detail = e.kind === 'rule' ? `${describe(e, ipt)}${verdict}` : `chain ${e.chain} policy ${e.verdict}`;
    out.push({ index: 0, node, netns, step, detail, ...(e.kind === 'rule' ? { rule: ipt ?? e.text } : {}), table: `${e.family} ${e.table}`, chain: e.chain });
  }
  return out;
}

function describe(e: TraceEvent, saved?: string): string {
  const comment = /comment "([^"]*)"/.exec(e.text)?.[1] ?? (saved ? /--comment (?:"([^"]*)"|(\S+))/.exec(saved)?.slice(1).find((x) => x !== undefined) : undefined);
  const dnat = /dnat to (\S+)/.exec(e.text)?.[1];
  if (dnat) return `${e.chain}: DNAT to ${dnat}`;
  if (/masquerade/.test(e.text)) return `${e.chain}: masquerade (SNAT to the outgoing address)`;
  if (e.table === 'podnet-policy') return `${e.chain}${comment ? ` (${comment})` : ''}`;
  return `${e.chain}${comment ? ` (${comment})` : ''}`;
}

/** The rule that dropped or rejected the probe, if the trace saw one. */
export function dropEvent(events: readonly TraceEvent[]): TraceEvent | undefined {
  return events.find((e) => e.table !== 'podnet-trace' && (e.verdict === 'drop' || (e.kind === 'rule' && /\breject\b/.test(e.text))));
}

/** One conntrack entry: the original tuple and the reply tuple (whose source is the DNAT target). */
export interface ConntrackEntry {
  protocol: string;
  orig: { src: string; dst: string; sport?: number; dport?: number };
  reply: { src: string; dst: string; sport?: number; dport?: number };
  state?: string;
  flags: string[];
}

/** `conntrack -L` text → entries. */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(tcp|udp|icmp)\s+\d+\s+\d+\s+(?:([A-Z_]+)\s+)?(.*)$/.exec(line.trim());
    if (!m) continue;
    const tuples: Record<string, string>[] = [];
    let cur: Record<string, string> = {};
    for (const tok of m[3]!.split(/\s+/)) {
      const kv = /^(\w+)=(\S+)$/.exec(tok);
      if (!kv) continue;
      if (kv[1] === 'src' && cur.src !== undefined) { tuples.push(cur); cur = {}; }
      cur[kv[1]!] = kv[2]!;
    }
    tuples.push(cur);
    const [o, r] = tuples;
    if (!o?.src || !o.dst || !r?.src || !r.dst) continue;
    const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
    const t = (x: Record<string, string>): ConntrackEntry['orig'] => ({ src: x.src!, dst: x.dst!, ...(x.sport ? { sport: num(x.sport) } : {}), ...(x.dport ? { dport: num(x.dport) } : {}) });
    out.push({ protocol: m[1]!, orig: t(o), reply: t(r), ...(m[2] ? { state: m[2] } : {}), flags: [...line.matchAll(/\[([A-Z]+)\]/g)].map((x) => x[1]!) });
  }
  return out;
}

/** Where a conntrack entry sent the flow: the DNAT target (reply source) and the SNAT address (reply destination), if changed. */
export function natOf(e: ConntrackEntry): { dnat?: { ip: string; port?: number }; snat?: { ip: string; port?: number } } {
  const out: { dnat?: { ip: string; port?: number }; snat?: { ip: string; port?: number } } = {};
  if (e.reply.src !== e.orig.dst || (e.reply.sport !== undefined && e.reply.sport !== e.orig.dport)) out.dnat = { ip: e.reply.src, ...(e.reply.sport !== undefined ? { port: e.reply.sport } : {}) };
  if (e.reply.dst !== e.orig.src || (e.reply.dport !== undefined && e.reply.dport !== e.orig.sport)) out.snat = { ip: e.reply.dst, ...(e.reply.dport !== undefined ? { port: e.reply.dport } : {}) };
  return out;
}
