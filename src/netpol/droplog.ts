/**
 * Drop logging (pure): the nflog prefix the policy table's log rules carry, the decode of one logged
 * packet (IPv4 header + TCP/UDP/SCTP ports), and its line for `podnet netpol drops`.
 *
 * Prefix: `np-drop in x/a` / `np-drop out x/a` — which direction of which pod denied the packet. The
 * kernel keeps at most NF_LOG_PREFIXLEN−1 = 127 bytes; we keep it within 63 (what the old xt NFLOG
 * target allowed), cutting a long `namespace/name` and marking the cut with `~` (a character no
 * Kubernetes name contains), so a reader knows the pod must come from the packet's address instead.
 */
import type { Direction } from './rules.js';
import { evaluate } from './evaluate.js';
import { type ClusterModel, type PodInfo, type Protocol, PROTOCOLS, policyKey, selectingPolicies } from './model.js';

export const DROP_PREFIX_MAX = 63;
const TAG = 'np-drop';

export function dropLogPrefix(dir: Direction, pod: { namespace: string; name: string }): string {
  const p = `${TAG} ${dir === 'ingress' ? 'in' : 'out'} ${pod.namespace}/${pod.name}`;
  return p.length <= DROP_PREFIX_MAX ? p : p.slice(0, DROP_PREFIX_MAX - 1) + '~';
}

export interface ParsedPrefix { direction: Direction; /** namespace/name; undefined when the prefix was cut */ pod?: string }

/** The prefix back; undefined for a prefix not ours. */
export function parseDropLogPrefix(s: string): ParsedPrefix | undefined {
  const m = /^np-drop (in|out) (\S+)$/.exec(s.replace(/\0+$/, ''));
  if (!m) return undefined;
  const direction: Direction = m[1] === 'in' ? 'ingress' : 'egress';
  return m[2]!.endsWith('~') || !m[2]!.includes('/') ? { direction } : { direction, pod: m[2]! };
}

export interface PacketSummary { src: string; dst: string; protocol: string; srcPort?: number; dstPort?: number }

const PROTO_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/** An IPv4 packet's addresses, protocol and ports; undefined if it is not IPv4 or too short. */
export function decodeIPv4(b: Uint8Array): PacketSummary | undefined {
  if (b.length < 20 || b[0]! >> 4 !== 4) return undefined;
  const ihl = (b[0]! & 0x0f) * 4;
  const proto = b[9]!;
  const ip = (o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  const out: PacketSummary = { src: ip(12), dst: ip(16), protocol: PROTO_NAMES[proto] ?? `proto-${proto}` };
  const fragOffset = ((b[6]! & 0x1f) << 8) | b[7]!;
  if ((proto === 6 || proto === 17 || proto === 132) && fragOffset === 0 && b.length >= ihl + 4) {
    out.srcPort = (b[ihl]! << 8) | b[ihl + 1]!;
    out.dstPort = (b[ihl + 2]! << 8) | b[ihl + 3]!;
  }
  return out;
}

/** One denied packet as `podnet netpol drops` shows it (and prints with -o json, one object a line). */
export interface DropRecord {
  time: string;
  node: string;
  direction: Direction;
  /** the pod whose policies denied it (namespace/name), from the prefix or the packet's address */
  pod?: string;
  src: { ip: string; port?: number; pod?: string };
  dst: { ip: string; port?: number; pod?: string };
  protocol: string;
  /** the policies isolating `pod` in `direction` (the evaluator's selectedBy) */
  policies: string[];
  /** the evaluator's reason for that direction, as `podnet netpol explain` prints it */
  reason: string;
}

export const DROP_COLUMNS = ['TIME', 'NODE', 'DIR', 'SOURCE', 'DESTINATION', 'PROTO', 'POLICIES'] as const;
const WIDTHS = [13, 8, 4, 24, 24, 10];

function end(e: DropRecord['src'], withPort: boolean): string { return (e.pod ?? e.ip) + (withPort && e.port !== undefined ? `:${e.port}` : ''); }

/** The table header (streaming output: fixed widths, growing past them when a name is longer). */
export function dropHeader(): string { return row([...DROP_COLUMNS]); }

export function dropLine(r: DropRecord): string {
  const t = r.time.slice(11, 23); // HH:MM:SS.mmm of the ISO time
  const proto = r.dst.port !== undefined ? `${r.protocol}/${r.dst.port}` : r.protocol;
  return row([t, r.node, r.direction === 'ingress' ? 'in' : 'out', end(r.src, false), end(r.dst, false), proto, r.policies.length ? r.policies.join(',') : `(${r.reason})`]);
}

function row(cells: string[]): string {
  return cells.map((c, i) => (i < WIDTHS.length ? c.padEnd(WIDTHS[i]! - 1) + ' ' : c)).join('').trimEnd() + '\n';
}

/**
 * The record of one logged packet (pure): addresses → pods of the model, and the evaluator's verdict
 * for the denied direction (which policies isolate the pod, the reason text of `netpol explain`).
 */
export function dropRecord(m: ClusterModel, node: string, timeMs: number, prefix: ParsedPrefix, pkt: PacketSummary): DropRecord {
  const podAt = (ip: string): PodInfo | undefined => m.pods.find((p) => p.ip === ip && !p.hostNetwork);
  const sp = podAt(pkt.src), dp = podAt(pkt.dst);
  const subject = prefix.direction === 'ingress' ? dp : sp;
  const pod = prefix.pod ?? (subject ? policyKey(subject) : undefined);
  const r: DropRecord = {
    time: new Date(timeMs).toISOString(), node, direction: prefix.direction, ...(pod ? { pod } : {}),
    src: { ip: pkt.src, ...(pkt.srcPort !== undefined ? { port: pkt.srcPort } : {}), ...(sp ? { pod: policyKey(sp) } : {}) },
    dst: { ip: pkt.dst, ...(pkt.dstPort !== undefined ? { port: pkt.dstPort } : {}), ...(dp ? { pod: policyKey(dp) } : {}) },
    protocol: pkt.protocol, policies: [], reason: '',
  };
  const protocol = pkt.protocol as Protocol;
  if (PROTOCOLS.includes(protocol) && pkt.dstPort !== undefined) {
    const v = evaluate(m, { src: sp ? { pod: sp } : { ip: pkt.src }, dst: dp ? { pod: dp } : { ip: pkt.dst }, protocol, port: pkt.dstPort });
    const d = v[prefix.direction];
    r.policies = d.selectedBy;
    r.reason = d.allowed ? `${d.reason || prefix.direction + ' allowed'} (now: the policies changed since)` : d.reason;
  } else {
    // ICMP and the like: no port to evaluate; the policies that select the pod still isolate it
    const p = subject ?? (pod ? m.pods.find((x) => policyKey(x) === pod) : undefined);
    r.policies = p ? selectingPolicies(m, p, prefix.direction).map(policyKey) : [];
    r.reason = r.policies.length ? `${prefix.direction} of ${policyKey(p!)} denied: selected by ${r.policies.join(', ')}, no rule allows ${pkt.protocol}` : `${prefix.direction} denied`;
  }
  return r;
}
