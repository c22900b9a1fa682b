/**
 * `podnet trace SRC DST`: sends one real probe from the source's netns and explains its path hop by
 * hop from the kernel: while it runs, every lab node holds a short-lived `inet podnet-trace` table
 * that sets nftrace on the probe's first packet and `nft monitor trace` records what each chain of
 * each table did with it; afterwards the route lookups, devices, FDB/neighbours, conntrack entries
 * and the NetworkPolicy evaluator fill in the rest (tracepath.ts). Lab namespaces only.
 */
import { randomInt } from 'node:crypto';
import { netnsName } from '../lab/paths.js';
import { netnsPath } from '../net/netns.js';
import { conntrackList, installTraceTable, removeTraceTable, routeGet, sendProbe, startTraceMonitor, type TraceMonitor } from '../net/trace.js';
import { buildModel } from '../netpol/cluster.js';
import { evaluate, type Endpoint } from '../netpol/evaluate.js';
import type { Protocol } from '../netpol/model.js';
import { requireLab } from './locate.js';
import { RuntimeState } from './runtimestate.js';
import { labNodeStateDir, nodeStatePaths } from './runtimestate.js';
import { nodeIP, podByIP, readTraceCluster, type TraceCluster } from './tracecluster.js';
import { buildPath } from './tracepath.js';
import { parseConntrack, parseTraceEvents, traceTableScript, type ConntrackEntry, type SavedRules, type TraceEvent } from './tracerules.js';
import { readProxyState } from './proxystate.js';
import { parseDestination, parseProtocol, parseSource } from './tracetarget.js';
import { TraceError, type TraceDestination, type TraceProtocol, type TraceReport, type TraceSource } from './tracetypes.js';

export type { TraceReport, TraceHop, TraceVerdict, TraceStep } from './tracetypes.js';

export interface TraceOptions {
  src: string;
  dst: string;
  namespace?: string;
  protocol?: string;
  lab: string;
  kubeconfig: string;
  /** How long the probe waits for an answer (default 2000 ms). */
  timeoutMs?: number;
}

function podNetnsOf(lab: string, c: TraceCluster, ip: string): { path: string; name: string } | undefined {
  const pod = podByIP(c, ip);
  const node = pod?.spec?.nodeName;
  if (!pod || !node) return undefined;
  const sb = new RuntimeState(nodeStatePaths(labNodeStateDir(lab, node)).kubeletDir).sandboxOfPod(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', pod.metadata.uid);
  return sb && sb.state === 'SANDBOX_READY' ? { path: sb.netnsPath, name: sb.netnsName } : undefined;
}

async function resolveSource(o: TraceOptions, c: TraceCluster, ns: string): Promise<TraceSource & { netns: string; netnsName: string }> {
  const s = parseSource(o.src);
  if (s.kind === 'node') {
    const n = c.nodes.find((x) => x.metadata.name === s.name);
    if (!n) throw new TraceError('ENOTFOUND', `node "${s.name}" not found`);
    const ip = nodeIP(n) ?? '';
    return { kind: 'node', name: s.name, node: s.name, ip, netns: netnsPath(netnsName(o.lab, s.name)), netnsName: netnsName(o.lab, s.name) };
  }
  const pod = c.pods.find((p) => p.metadata.namespace === ns && p.metadata.name === s.name);
  if (!pod) throw new TraceError('ENOTFOUND', `pod "${s.name}" not found in namespace "${ns}"`);
  const node = pod.spec?.nodeName;
  const ip = pod.status?.podIP;
  if (!node || !ip) throw new TraceError('ENOTREADY', `pod ${ns}/${s.name} has no node or IP yet`);
  if (pod.spec?.hostNetwork) return { kind: 'pod', name: s.name, namespace: ns, node, ip, netns: netnsPath(netnsName(o.lab, node)), netnsName: netnsName(o.lab, node) };
  const sb = podNetnsOf(o.lab, c, ip);
  if (!sb) throw new TraceError('ENOTREADY', `pod ${ns}/${s.name} has no ready sandbox on ${node}`);
  return { kind: 'pod', name: s.name, namespace: ns, node, ip, netns: sb.path, netnsName: sb.name };
}

function resolveDestination(arg: string, c: TraceCluster, ns: string): TraceDestination & { protocolHint?: TraceProtocol } {
  const d = parseDestination(arg);
  if (d.kind === 'ip') {
    const pod = podByIP(c, d.ip);
    return { kind: 'ip', ip: d.ip, ...(d.port ? { port: d.port } : {}), ...(pod ? { name: pod.metadata.name, namespace: pod.metadata.namespace, node: pod.spec?.nodeName } : {}) };
  }
  if (d.kind === 'node') {
    const n = c.nodes.find((x) => x.metadata.name === d.name);
    if (!n) throw new TraceError('ENOTFOUND', `node "${d.name}" not found`);
    const ip = nodeIP(n);
    if (!ip) throw new TraceError('ENOTREADY', `node ${d.name} has no InternalIP`);
    return { kind: 'node', name: d.name, node: d.name, ip, port: d.port };
  }
  if (d.kind === 'pod') {
    const pod = c.pods.find((p) => p.metadata.namespace === ns && p.metadata.name === d.name);
    if (!pod) throw new TraceError('ENOTFOUND', `pod "${d.name}" not found in namespace "${ns}"`);
    const ip = pod.status?.podIP;
    if (!ip) throw new TraceError('ENOTREADY', `pod ${ns}/${d.name} has no IP yet`);
    return { kind: 'pod', name: d.name, namespace: ns, ip, ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}), ...(d.port ? { port: d.port } : {}) };
  }
  const svc = c.services.find((s) => s.metadata.namespace === ns && s.metadata.name === d.name);
  if (!svc) throw new TraceError('ENOTFOUND', `service "${d.name}" not found in namespace "${ns}"`);
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') throw new TraceError('EARG', `service ${ns}/${d.name} has no ClusterIP (headless): trace a pod instead`);
  const ports = svc.spec?.ports ?? [];
  const p = d.port !== undefined ? ports.find((x) => x.port === d.port) : d.portName !== undefined ? ports.find((x) => x.name === d.portName) : ports[0];
  if (!p) throw new TraceError('ENOTFOUND', `service ${ns}/${d.name} has no port ${d.port ?? d.portName ?? ''}`.trim());
  return { kind: 'svc', name: d.name, namespace: ns, ip, port: p.port, protocolHint: (p.protocol ?? 'TCP').toLowerCase() as TraceProtocol };
}

/** The evaluator's verdict for the probe, as a sentence (undefined when no policy exists). */
function policyNote(c: TraceCluster, src: TraceSource, dstIP: string, protocol: TraceProtocol, port: number | undefined): string | undefined {
  if (!c.policies.length || protocol === 'icmp') return undefined;
  const m = buildModel(c.namespaces, c.pods, c.policies, c.nodes);
  const ep = (ip: string): Endpoint => { const pod = m.pods.find((p) => p.ip === ip && !p.hostNetwork); return pod ? { pod } : { ip }; };
  const v = evaluate(m, { src: ep(src.ip), dst: ep(dstIP), protocol: protocol.toUpperCase() as Protocol, port: port ?? 0 });
  const dir = (name: string, d: typeof v.egress): string => !d.isolated ? `${name} not isolated`
    : d.allowed ? `${name} allowed by ${d.allowedBy.join(', ')}` : `${name} DENIED (isolated by ${d.selectedBy.join(', ')}; no rule allows it)`;
  return `NetworkPolicy evaluator: ${v.allowed ? 'allowed' : 'DENIED'} — ${dir('egress', v.egress)}; ${dir('ingress', v.ingress)}`;
}

export async function runTrace(o: TraceOptions): Promise<TraceReport> {
  requireLab(o.lab);
  const ns = o.namespace ?? 'default';
  // parse before touching anything (bad input leaves no state)
  parseSource(o.src);
  const dspec = parseDestination(o.dst);
  const c = await readTraceCluster(o.kubeconfig);
  const source = await resolveSource(o, c, ns);
  const dest = resolveDestination(o.dst, c, ns);
  const protocol = parseProtocol(o.protocol ?? (dest.protocolHint && dest.port ? dest.protocolHint : undefined), dest.port !== undefined || dspec.kind === 'svc');
  const { protocolHint: _hint, ...destination } = dest;
  const sport = randomInt(40000, 60000);
  let matchSrc: string | undefined = source.kind === 'pod' ? source.ip : undefined;
  if (!matchSrc && protocol === 'icmp') matchSrc = (await routeGet(source.netns, destination.ip)).prefsrc ?? source.ip;
  const nodes = c.nodes.map((n) => n.metadata.name ?? '').filter((n) => n);
  const script = traceTableScript({ protocol, ...(matchSrc ? { src: matchSrc } : {}), sport, dst: destination.ip });
  const monitors = new Map<string, TraceMonitor>();
  const events = new Map<string, TraceEvent[]>();
  const conntrack = new Map<string, ConntrackEntry[]>();
  let probe;
  try {
    for (const n of nodes) await installTraceTable(netnsPath(netnsName(o.lab, n)), script);
    for (const n of nodes) monitors.set(n, startTraceMonitor(netnsPath(netnsName(o.lab, n))));
    await new Promise((r) => setTimeout(r, 300)); // let the monitors subscribe
    probe = await sendProbe(source.netns, { protocol, dst: destination.ip, ...(destination.port ? { port: destination.port } : {}), sport, timeoutMs: o.timeoutMs ?? 2000 });
    await new Promise((r) => setTimeout(r, 300)); // the last trace events
  } finally {
    for (const [n, m] of monitors) events.set(n, parseTraceEvents(await m.stop()));
    for (const n of nodes) await removeTraceTable(netnsPath(netnsName(o.lab, n)));
  }
  for (const n of nodes) {
    const text = await conntrackList(netnsPath(netnsName(o.lab, n)), { protocol, ...(protocol !== 'icmp' ? { sport } : {}), ...(matchSrc ? { origSrc: matchSrc } : {}) });
    conntrack.set(n, parseConntrack(text).filter((e) => protocol === 'icmp' ? e.orig.dst === destination.ip : e.orig.sport === sport));
  }
  const saved = new Map<string, SavedRules>();
  for (const n of nodes) {
    const st = await readProxyState(netnsPath(netnsName(o.lab, n))).catch(() => undefined);
    if (st) saved.set(n, new Map([['nat', st.nat], ['filter', st.filter]]));
  }
  const path = await buildPath({ saved,
    lab: o.lab, cluster: c, source, dstIP: destination.ip, ...(destination.port ? { dstPort: destination.port } : {}),
    podNetns: async (ip) => podNetnsOf(o.lab, c, ip), events, conntrack, probe,
    policyNote: (dstIP) => policyNote(c, source, dstIP, protocol, conntrack.get(source.node)?.[0]?.reply.sport ?? destination.port),
  });
  const { netns: _p, netnsName: _n, ...src } = source;
  return {
    apiVersion: 'podnet.io/v1', kind: 'Trace', protocol, source: src, destination,
    verdict: path.verdict, ...(path.reason ? { reason: path.reason } : {}), hops: path.hops,
  };
}
