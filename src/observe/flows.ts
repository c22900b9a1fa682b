/**
 * `podnet flows`, the pure part: conntrack's text (`conntrack -L -o extended` entries and `conntrack -E
 * -o timestamp,extended` events) into flow records, addresses into names (pods, Services, nodes) from
 * API objects, and the lines the command prints (kubectl-like columns) or their JSON.
 *
 * An entry has two tuples: the original (what the client sent: src → the address it dialled) and the
 * reply (what the server answers: src is the endpoint that was really reached, dst who it answers to).
 * A DNAT (a Service's ClusterIP or NodePort rewritten to an endpoint by kube-proxy) shows as a reply
 * source that differs from the original destination; a SNAT (masquerade) as a reply destination that
 * differs from the original source.
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { DropRecord } from '../netpol/droplog.js';
import { PodnetError } from '../util/errors.js';

export class FlowParseError extends PodnetError {
  constructor(message: string) { super('EFLOWPARSE', message); }
}

export interface Tuple { src: string; dst: string; sport?: number; dport?: number }

/** One conntrack entry or event, as the kernel reports it. */
export interface ConntrackEntry {
  /** NEW / UPDATE / DESTROY for an event; undefined for a table entry */
  event?: 'NEW' | 'UPDATE' | 'DESTROY';
  /** event time (ms since the epoch) when the line carried one */
  timeMs?: number;
  family: 'ipv4' | 'ipv6';
  protocol: string;
  /** seconds until the entry expires (absent on DESTROY) */
  timeout?: number;
  /** TCP state (SYN_SENT, ESTABLISHED, …); undefined for other protocols */
  state?: string;
  orig: Tuple;
  reply: Tuple;
  /** ASSURED, UNREPLIED, … */
  flags: string[];
  mark?: number;
}

const PROTO_BY_NUMBER: Record<number, string> = { 1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 132: 'sctp' };
const EVENT = /^\s*\[(NEW|UPDATE|DESTROY)\]\s*/;
const TIME = /^\s*\[(\d+)\.(\d+)\]\s*/;

/**
 * One line of conntrack's extended output (an entry of `-L`, or an event of `-E` with or without its
 * `[sec.usec]` time); undefined for a blank line or conntrack's summary line.
 */
export function parseConntrackLine(line: string): ConntrackEntry | undefined {
  let s = line.replace(/\r$/, '');
  if (!s.trim() || /^conntrack v[\d.]+/.test(s.trim())) return undefined;
  let timeMs: number | undefined;
  const t = TIME.exec(s);
  if (t) { timeMs = Number(t[1]) * 1000 + Math.floor(Number(`0.${t[2]}`) * 1000); s = s.slice(t[0].length); }
  let event: ConntrackEntry['event'];
  const e = EVENT.exec(s);
  if (e) { event = e[1] as ConntrackEntry['event']; s = s.slice(e[0].length); }
  const words = s.trim().split(/\s+/);
  // ipv4 2 tcp 6 [timeout] [STATE] key=value … [FLAG] key=value … [FLAG]
  if (words.length < 4 || (words[0] !== 'ipv4' && words[0] !== 'ipv6')) throw new FlowParseError(`not a conntrack entry: ${line}`);
  const family = words[0];
  const protoNum = Number(words[3]);
  if (!Number.isInteger(protoNum)) throw new FlowParseError(`no protocol number in: ${line}`);
  const protocol = words[2] === 'unknown' ? (PROTO_BY_NUMBER[protoNum] ?? `proto-${protoNum}`) : words[2]!;
  let i = 4;
  let timeout: number | undefined;
  if (i < words.length && /^\d+$/.test(words[i]!)) timeout = Number(words[i++]);
  let state: string | undefined;
  if (i < words.length && /^[A-Z_]+$/.test(words[i]!) && !words[i]!.includes('=')) state = words[i++];
  const tuples: Partial<Tuple>[] = [];
  const flags: string[] = [];
  let mark: number | undefined;
  let cur: Partial<Tuple> | undefined;
  for (; i < words.length; i++) {
    const w = words[i]!;
    const flag = /^\[([A-Z_]+)\]$/.exec(w);
    if (flag) { flags.push(flag[1]!); continue; }
    const kv = /^([a-z_-]+)=(.*)$/.exec(w);
    if (!kv) continue;
    const [, k, v] = kv;
    if (k === 'src') { cur = { src: v }; tuples.push(cur); }
    else if (!cur) continue;
    else if (k === 'dst' && tuples.length <= 2) cur.dst = v;
    else if (k === 'sport') cur.sport = Number(v);
    else if (k === 'dport') cur.dport = Number(v);
    else if (k === 'mark') mark = Number(v);
  }
  const [o, r] = tuples;
  if (!o?.src || !o.dst || !r?.src || !r.dst) throw new FlowParseError(`no original and reply tuple in: ${line}`);
  return {
    ...(event ? { event } : {}), ...(timeMs !== undefined ? { timeMs } : {}), family, protocol,
    ...(timeout !== undefined ? { timeout } : {}), ...(state ? { state } : {}),
    orig: o as Tuple, reply: r as Tuple, flags, ...(mark !== undefined ? { mark } : {}),
  };
}

/** Every entry of a `conntrack -L -o extended` listing. */
export function parseConntrackTable(text: string): ConntrackEntry[] {
  return text.split('\n').map(parseConntrackLine).filter((x): x is ConntrackEntry => x !== undefined);
}

// ---------------------------------------------------------------- naming

export type PeerKind = 'pod' | 'node' | 'service' | 'world';
export interface PeerName { kind: PeerKind; /** pod/service: namespace/name; node: its name */ name: string; namespace?: string }
export interface ServiceHit { namespace: string; name: string; port: number; portName: string; protocol: string; via: 'ClusterIP' | 'NodePort' | 'ExternalIP' | 'LoadBalancer' }

/** What the API says addresses are: pod IPs, node addresses, Service VIPs and NodePorts. */
export interface NameIndex {
  pods: Map<string, PeerName>;
  nodes: Map<string, PeerName>;
  /** `ip|proto|port` → the Service port it is (ClusterIP, external and LB addresses) */
  vips: Map<string, ServiceHit>;
  /** `proto|nodePort` → the Service port */
  nodePorts: Map<string, ServiceHit>;
}

function live(p: Pod): boolean { return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'; }

/** The index (pure): pods by IP (host-network pods are their node), nodes by address and by the addresses flannel gives them, Services by VIP/port and NodePort. */
export function buildNameIndex(pods: readonly Pod[], services: readonly Service[], nodes: readonly Node[]): NameIndex {
  const idx: NameIndex = { pods: new Map(), nodes: new Map(), vips: new Map(), nodePorts: new Map() };
  for (const n of nodes) {
    const name = n.metadata?.name ?? '';
    for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP' || a.type === 'ExternalIP') idx.nodes.set(a.address, { kind: 'node', name });
    // flannel: the podCIDR's network address is the node's VTEP (flannel.1/flannel0), the first host its bridge
    const c = n.spec?.podCIDR ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(n.spec.podCIDR) : null;
    if (c) {
      const base = ((Number(c[1]) << 24) >>> 0) + (Number(c[2]) << 16) + (Number(c[3]) << 8) + Number(c[4]);
      for (const off of [0, 1]) { const v = base + off; idx.nodes.set(`${v >>> 24}.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}`, { kind: 'node', name }); }
    }
  }
  for (const p of pods) {
    if (!live(p) || p.spec?.hostNetwork) continue;
    const ns = p.metadata?.namespace ?? 'default';
    const ips = new Set([...(p.status?.podIPs ?? []).map((x) => x.ip ?? ''), p.status?.podIP ?? ''].filter(Boolean));
    for (const ip of ips) { idx.pods.set(ip, { kind: 'pod', name: `${ns}/${p.metadata?.name ?? ''}`, namespace: ns }); idx.nodes.delete(ip); }
  }
  for (const s of services) {
    const ns = s.metadata?.namespace ?? 'default';
    const name = s.metadata?.name ?? '';
    const spec = s.spec ?? {};
    const cips = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
    const lbs = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(Boolean);
    for (const p of spec.ports ?? []) {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const hit = (via: ServiceHit['via']): ServiceHit => ({ namespace: ns, name, port: p.port, portName: p.name ?? '', protocol: proto, via });
      for (const ip of cips) idx.vips.set(`${ip}|${proto}|${p.port}`, hit('ClusterIP'));
      for (const ip of spec.externalIPs ?? []) idx.vips.set(`${ip}|${proto}|${p.port}`, hit('ExternalIP'));
      for (const ip of lbs) idx.vips.set(`${ip}|${proto}|${p.port}`, hit('LoadBalancer'));
      if (p.nodePort) idx.nodePorts.set(`${proto}|${p.nodePort}`, hit('NodePort'));
    }
  }
  return idx;
}

/** An address's name: a pod, a node, or nothing (the world). */
export function nameOf(idx: NameIndex, ip: string): PeerName | undefined {
  return idx.pods.get(ip) ?? idx.nodes.get(ip);
}

/** The Service port a connection to ip:port went through (its VIP, or a node address and NodePort). */
export function serviceOf(idx: NameIndex, protocol: string, ip: string, port: number | undefined): ServiceHit | undefined {
  if (port === undefined) return undefined;
  return idx.vips.get(`${ip}|${protocol}|${port}`) ?? (idx.nodes.has(ip) || ip === '127.0.0.1' ? idx.nodePorts.get(`${protocol}|${port}`) : undefined);
}

// ---------------------------------------------------------------- flows

export interface Endpoint { ip: string; port?: number; /** `pod/ns/name`-less: ns/name for a pod, the node's name for a node */ name?: string; kind?: PeerKind }

/** One flow line of `podnet flows` (its -o json object). */
export interface Flow {
  time?: string;
  node: string;
  /** new / update / destroy (an event), entry (the table without -f), dropped (a NetworkPolicy drop) */
  event: 'new' | 'update' | 'destroy' | 'entry' | 'dropped';
  protocol: string;
  state?: string;
  src: Endpoint;
  /** the address the client dialled (a Service VIP or NodePort when a Service was used) */
  dst: Endpoint;
  /** the Service port the flow went through, when its original destination is one */
  service?: { namespace: string; name: string; port: number; portName: string; via: ServiceHit['via'] };
  /** where the connection really went: the reply's source, when it differs from dst (DNAT) */
  endpoint?: Endpoint;
  /** the source address the server saw, when it differs from src (SNAT / masquerade) */
  snat?: string;
  flags: string[];
  timeout?: number;
  /** dropped: the policies that isolate the pod, and the evaluator's reason */
  verdict?: 'FORWARDED' | 'DROPPED';
  policies?: string[];
  reason?: string;
}

function endpoint(idx: NameIndex, ip: string, port?: number): Endpoint {
  const n = nameOf(idx, ip);
  return { ip, ...(port !== undefined ? { port } : {}), ...(n ? { name: n.name, kind: n.kind } : {}) };
}

/** A conntrack entry named (pure). */
export function flowOf(idx: NameIndex, node: string, e: ConntrackEntry): Flow {
  const dnat = e.reply.src !== e.orig.dst || (e.reply.sport !== undefined && e.reply.sport !== e.orig.dport);
  const snat = e.reply.dst !== e.orig.src;
  const svc = serviceOf(idx, e.protocol, e.orig.dst, e.orig.dport);
  return {
    ...(e.timeMs !== undefined ? { time: new Date(e.timeMs).toISOString() } : {}),
    node, event: e.event ? (e.event.toLowerCase() as Flow['event']) : 'entry', protocol: e.protocol,
    ...(e.state ? { state: e.state } : {}),
    src: endpoint(idx, e.orig.src, e.orig.sport),
    dst: endpoint(idx, e.orig.dst, e.orig.dport),
    ...(svc ? { service: { namespace: svc.namespace, name: svc.name, port: svc.port, portName: svc.portName, via: svc.via } } : {}),
    ...(dnat ? { endpoint: endpoint(idx, e.reply.src, e.reply.sport) } : {}),
    ...(snat ? { snat: e.reply.dst } : {}),
    flags: e.flags, ...(e.timeout !== undefined ? { timeout: e.timeout } : {}),
    verdict: 'FORWARDED',
  };
}

/** A NetworkPolicy drop (from the drop log) as a flow line. */
export function flowOfDrop(idx: NameIndex, d: DropRecord): Flow {
  return {
    time: d.time, node: d.node, event: 'dropped', protocol: d.protocol.toLowerCase(),
    src: endpoint(idx, d.src.ip, d.src.port), dst: endpoint(idx, d.dst.ip, d.dst.port),
    flags: [], verdict: 'DROPPED', policies: d.policies, reason: d.reason,
  };
}

// ---------------------------------------------------------------- filters

export interface FlowFilter {
  /** -n: a flow whose source or destination (or endpoint, or Service) is in this namespace */
  namespace?: string;
  /** --pod: the pod (namespace/name, or name in --namespace) at either end */
  pod?: string;
  /** --svc: the Service the flow went through (namespace/name, or name in --namespace) */
  svc?: string;
  /** --node: seen on this node */
  node?: string;
}

function nsOf(name: string | undefined): string | undefined { return name?.includes('/') ? name.split('/')[0] : undefined; }
function qualify(v: string, ns: string | undefined): string { return v.includes('/') ? v : `${ns ?? 'default'}/${v}`; }

/** Whether a flow passes the filters (pure). */
export function matchesFilter(f: Flow, o: FlowFilter): boolean {
  if (o.node && f.node !== o.node) return false;
  const ends = [f.src, f.dst, ...(f.endpoint ? [f.endpoint] : [])].filter((e) => e.kind === 'pod').map((e) => e.name!);
  const svcName = f.service ? `${f.service.namespace}/${f.service.name}` : undefined;
  if (o.pod && !ends.includes(qualify(o.pod.replace(/^pods?\//, ''), o.namespace))) return false;
  if (o.svc && svcName !== qualify(o.svc.replace(/^(svc|services?)\//, ''), o.namespace)) return false;
  if (o.namespace && !o.pod && !o.svc && ![...ends.map(nsOf), f.service?.namespace].includes(o.namespace)) return false;
  return true;
}

// ---------------------------------------------------------------- output

export const FLOW_COLUMNS = ['TIME', 'NODE', 'SOURCE', 'DESTINATION', 'SERVICE', 'PROTO', 'STATE/VERDICT'] as const;
const WIDTHS = [13, 10, 34, 34, 34, 6];

function shown(e: Endpoint): string {
  const who = e.kind === 'node' ? `node/${e.name}` : (e.name ?? e.ip);
  return e.port !== undefined ? `${who}:${e.port}` : who;
}

/** The columns of one flow: the destination is where the flow really went (the endpoint after a DNAT). */
export function flowCells(f: Flow): string[] {
  const t = f.time ? f.time.slice(11, 23) : '-';
  const dst = shown(f.endpoint ?? f.dst);
  const svc = f.service ? `${f.service.namespace}/${f.service.name}:${f.service.portName || f.service.port}` : (f.endpoint ? `(dnat ${f.dst.ip}:${f.dst.port ?? ''})` : '-');
  let verdict: string;
  if (f.event === 'dropped') verdict = `DROPPED by ${f.policies?.length ? f.policies.join(',') : (f.reason || 'policy')}`;
  else {
    const st = f.state ?? (f.flags.includes('UNREPLIED') ? 'UNREPLIED' : 'REPLIED');
    verdict = f.event === 'entry' ? st : `${f.event.toUpperCase()} ${f.event === 'destroy' ? 'CLOSED' : st}`;
  }
  return [t, f.node, shown(f.src), dst, svc, f.protocol.toUpperCase(), verdict];
}

/** A streaming line (fixed widths, longer cells push the rest right). */
export function flowLine(f: Flow): string {
  return flowCells(f).map((c, i) => (i < WIDTHS.length ? c.padEnd(WIDTHS[i]! - 1) + ' ' : c)).join('').trimEnd() + '\n';
}

export function flowHeader(): string {
  return [...FLOW_COLUMNS].map((c, i) => (i < WIDTHS.length ? c.padEnd(WIDTHS[i]! - 1) + ' ' : c)).join('').trimEnd() + '\n';
}

/**
 * Suppresses the second sighting of one event: a connection that crosses two nodes is tracked in both
 * (same reply tuple, same state); the copy that names the Service (the node that did the DNAT) wins
 * when it comes first, and a later copy that adds nothing is dropped. Keys expire after `ttlMs`.
 */
export class FlowDeduper {
  private readonly seen = new Map<string, { at: number; withService: boolean }>();
  constructor(private readonly ttlMs = 2000) {}
  admit(f: Flow, e: ConntrackEntry | undefined, nowMs: number): boolean {
    if (!e) return true;
    for (const [k, v] of this.seen) if (nowMs - v.at > this.ttlMs) this.seen.delete(k);
    const key = `${f.event}|${f.protocol}|${f.state ?? ''}|${e.reply.src}:${e.reply.sport ?? ''}>${e.reply.dst}:${e.reply.dport ?? ''}`;
    const prev = this.seen.get(key);
    if (prev && (prev.withService || !f.service)) return false;
    this.seen.set(key, { at: nowMs, withService: !!f.service || !!prev?.withService });
    return true;
  }
}
