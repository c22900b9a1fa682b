/**
 * Trace hops → graph elements (pure): each hop of `podnet trace -o json` names a lab node (or
 * "underlay"), a netns and maybe a device; this finds the element that stands for it — the device
 * on that node, the pod whose sandbox netns it is, the underlay, else the node itself — and the
 * edges joining consecutive hops' elements, so the page can light the path up hop by hop.
 */
import { devId, nodeId, podId, UNDERLAY_ID, type Graph, type NodeData } from './graph.js';

export type TraceStep = 'route' | 'veth' | 'bridge' | 'cali' | 'tunnel' | 'underlay' | 'rule' | 'dnat' | 'snat' | 'policy' | 'deliver' | 'drop';
export type TraceVerdict = 'delivered' | 'dropped' | 'no-route' | 'rejected' | 'timeout';
export interface TraceHop { index: number; node: string; netns: string; step: TraceStep; device?: string; detail: string; rule?: string; table?: string; chain?: string }
export interface TraceEnd { kind: string; name?: string; namespace?: string; node?: string; ip: string; port?: number }
export interface Trace {
  apiVersion: 'podnet.io/v1';
  kind: 'Trace';
  protocol: string;
  source: TraceEnd & { name: string; node: string };
  destination: TraceEnd;
  verdict: TraceVerdict;
  reason?: string;
  hops: TraceHop[];
}

export interface HopHighlight { index: number; step: TraceStep; detail: string; elements: string[] }

/** Throws unless `v` has the Trace shape (the subprocess's output is checked, not trusted). */
export function asTrace(v: unknown): Trace {
  const t = v as Partial<Trace> | null;
  if (!t || t.kind !== 'Trace' || !Array.isArray(t.hops) || typeof t.verdict !== 'string' || !t.source || !t.destination) throw new Error('not a podnet Trace object');
  for (const h of t.hops) if (typeof h?.node !== 'string' || typeof h.step !== 'string' || typeof h.index !== 'number') throw new Error(`bad trace hop ${JSON.stringify(h)}`);
  return t as Trace;
}

/** The element for one hop. `ends` are the trace's source/destination pods (for hops in an unnamed pod netns). */
export function hopElement(h: TraceHop, byId: ReadonlyMap<string, NodeData>, t: Pick<Trace, 'source' | 'destination'>, hopCount: number): string | undefined {
  if (h.node === 'underlay' || h.step === 'underlay') return UNDERLAY_ID;
  const pods = [...byId.values()].filter((n) => n.kind === 'pod' && n.node === h.node);
  const inPod = pods.find((p) => p.netns && p.netns === h.netns);
  if (inPod) return inPod.id;
  if (h.step === 'deliver' && t.destination.kind !== 'node') {
    // delivered: into the destination pod (by name, or the pod with the address the packet went to)
    const d = t.destination;
    const byName = d.name && d.kind === 'pod' ? podId(d.namespace ?? 'default', d.name) : undefined;
    const pod = byName && byId.has(byName) ? byName : pods.find((p) => p.ip === d.ip)?.id;
    if (pod) return pod;
  }
  if (h.device) {
    const d = devId(h.node, h.device);
    // eth0 of a pod netns is not the node's eth0: a hop in a netns that is not the node's, naming eth0, is in a pod
    const nodeNetns = h.netns === '' || h.netns === h.node || h.netns.endsWith(`-${h.node}`);
    if (byId.has(d) && (h.device !== 'eth0' || nodeNetns)) return d;
  }
  if (!h.netns.endsWith(`-${h.node}`) && h.netns !== h.node && h.netns !== '') {
    // an unnamed pod netns: the trace's source pod near its start, its destination pod near its end
    const ends = [t.source, t.destination].filter((e) => e.kind === 'pod' && e.name && e.node === h.node);
    const end = ends.length === 2 ? (h.index < hopCount / 2 ? ends[0] : ends[1]) : ends[0];
    if (end?.name) { const id = podId(end.namespace ?? 'default', end.name); if (byId.has(id)) return id; }
  }
  return byId.has(nodeId(h.node)) ? nodeId(h.node) : undefined;
}

/**
 * Every hop with the elements to light: its own element and the edge from the previous hop's, if one
 * joins them. A packet that left one node through a tunnel device (a `tunnel` hop) and shows up on
 * another node came out of that node's device of the same name (flannel.1, flannel0, vxlan.calico:
 * each node has its own end): that device and the peering edge light up with the first hop there,
 * whether or not the trace names the receiving end.
 */
export function mapHops(t: Trace, g: Graph): HopHighlight[] {
  const byId = new Map(g.nodes.map((n) => [n.data.id, n.data]));
  const out: HopHighlight[] = [];
  let prev: string | undefined;
  let lastTunnel: string | undefined;
  let sent: { node: string; device: string; el: string } | undefined;
  const edgeBetween = (a: string, b: string): string | undefined =>
    g.edges.find((x) => (x.data.source === a && x.data.target === b) || (x.data.source === b && x.data.target === a))?.data.id;
  // pod ⇄ bridge with no hop naming the veth between them: the veth (or cali interface) and both
  // edges; tunnel ⇄ underlay: the node's eth0 and both edges
  const throughPort = (a: string, b: string): string[] => {
    for (const e of g.edges) {
      const x = e.data.source === a ? e.data.target : e.data.target === a ? e.data.source : undefined;
      const k = x ? byId.get(x)?.kind : undefined;
      if (!x || (k !== 'veth' && k !== 'cali' && k !== 'nic')) continue;
      const e2 = edgeBetween(x, b);
      if (e2) return [x, e.data.id, e2];
    }
    return [];
  };
  for (const h of [...t.hops].sort((a, b) => a.index - b.index)) {
    const el = hopElement(h, byId, t, t.hops.length);
    const elements: string[] = [];
    if (el) {
      elements.push(el);
      const e = prev && prev !== el ? edgeBetween(prev, el) : undefined;
      if (e) elements.push(e);
      else if (prev && prev !== el) elements.push(...throughPort(prev, el));
      if (byId.get(el)?.kind === 'tunnel') {
        // encapsulated on one node, decapsulated on the other: the peering between them
        const peer = lastTunnel && lastTunnel !== el ? edgeBetween(lastTunnel, el) : undefined;
        if (peer && peer !== e) elements.push(peer);
        lastTunnel = el;
      }
      if (sent && h.node !== 'underlay' && h.node !== sent.node) {
        const arrival = devId(h.node, sent.device);
        if (byId.has(arrival) && arrival !== el) {
          elements.push(arrival);
          const peer = edgeBetween(sent.el, arrival);
          if (peer) elements.push(peer);
          if (prev === UNDERLAY_ID) elements.push(...throughPort(UNDERLAY_ID, arrival));
          lastTunnel = arrival;
        }
        sent = undefined;
      }
      if (h.step === 'tunnel' && h.device && byId.get(el)?.kind === 'tunnel') sent = { node: h.node, device: h.device, el };
      prev = el;
    }
    out.push({ index: h.index, step: h.step, detail: h.detail, elements });
  }
  return out;
}
