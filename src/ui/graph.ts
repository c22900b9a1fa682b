/**
 * The web view's graph (pure): lab nodes as compound boxes holding their devices (eth0, the cni0
 * bridge, veths, cali interfaces, tunnels) and pods; the underlay every node's eth0 joins; Services
 * with an edge to each endpoint's pod; VXLAN peers (from each tunnel's FDB) and BGP sessions between
 * nodes. Built from API objects plus per-node kernel views, in Cytoscape.js's element format.
 */
import type { NodeInspection } from '../observe/inspectnode.js';

export type ElementKind = 'node' | 'underlay' | 'nic' | 'bridge' | 'veth' | 'cali' | 'tunnel' | 'device' | 'pod' | 'service';
export type EdgeKind = 'uplink' | 'port' | 'pair' | 'encap' | 'vxlan-peer' | 'bgp' | 'endpoint' | 'route';

export interface NodeData {
  id: string;
  label: string;
  kind: ElementKind;
  parent?: string;
  /** The lab node this element is on (devices, pods). */
  node?: string;
  namespace?: string;
  name?: string;
  /** A device's interface name. */
  device?: string;
  ip?: string;
  /** A pod's sandbox netns name (so trace hops inside the pod map onto it). */
  netns?: string;
}
export interface EdgeData { id: string; source: string; target: string; kind: EdgeKind; label?: string }
export interface Graph { nodes: { data: NodeData }[]; edges: { data: EdgeData }[] }

export interface NodeInput { name: string; internalIP?: string; podCIDRs: string[]; ready?: boolean }
export interface PodInput { namespace: string; name: string; node?: string; ip?: string; phase?: string; hostNetwork?: boolean }
export interface ServiceInput { namespace: string; name: string; type: string; clusterIP?: string; ports: string[] }
export interface EndpointInput { namespace: string; service: string; ip: string; node?: string; pod?: string; ready: boolean }
/** What the kernel has on a node (inspect node's data) — the parts the graph draws. */
export type NodeKernel = Pick<NodeInspection, 'network' | 'links' | 'bridges' | 'tunnels' | 'caliInterfaces'> & Partial<Pick<NodeInspection, 'bgp'>>;
/** A pod's attachment as `inspect pod` reads it: its netns and the veth peer on the node. */
export interface PodAttachment { netns?: string; peer?: string; bridge?: string }

export interface GraphInput {
  nodes: NodeInput[];
  pods: PodInput[];
  services: ServiceInput[];
  endpoints: EndpointInput[];
  kernel: ReadonlyMap<string, NodeKernel>;
  attachments: ReadonlyMap<string, PodAttachment>;
}

export const UNDERLAY_ID = 'underlay';
export const nodeId = (node: string): string => `node:${node}`;
export const devId = (node: string, dev: string): string => `dev:${node}/${dev}`;
export const podId = (namespace: string, name: string): string => `pod:${namespace}/${name}`;
export const svcId = (namespace: string, name: string): string => `svc:${namespace}/${name}`;
export const podKey = (namespace: string, name: string): string => `${namespace}/${name}`;

const DEVICE_KINDS: Record<string, ElementKind> = { bridge: 'bridge', veth: 'veth', vxlan: 'tunnel', tun: 'tunnel', ipip: 'tunnel', wireguard: 'tunnel' };

function deviceKind(name: string, kind: string): ElementKind | undefined {
  if (name === 'lo') return undefined;
  if (name.startsWith('cali')) return 'cali';
  if (name === 'eth0') return 'nic';
  if (kind.startsWith('tun')) return 'tunnel';
  return DEVICE_KINDS[kind] ?? (kind === 'device' ? 'device' : undefined);
}

/** The graph for these objects and kernel views (deterministic: elements sorted by id). */
export function buildGraph(g: GraphInput): Graph {
  const nodes = new Map<string, NodeData>();
  const edges = new Map<string, EdgeData>();
  const addEdge = (e: EdgeData): void => { if (nodes.has(e.source) && nodes.has(e.target) && e.source !== e.target) edges.set(e.id, e); };
  nodes.set(UNDERLAY_ID, { id: UNDERLAY_ID, label: 'underlay', kind: 'underlay' });
  const byIP = new Map<string, string>();
  for (const n of g.nodes) {
    if (n.internalIP) byIP.set(n.internalIP, n.name);
    nodes.set(nodeId(n.name), { id: nodeId(n.name), label: [n.name, n.internalIP, ...n.podCIDRs].filter(Boolean).join('  '), kind: 'node', name: n.name, ...(n.internalIP ? { ip: n.internalIP } : {}) });
  }
  for (const n of g.nodes) {
    const k = g.kernel.get(n.name);
    const parent = nodeId(n.name);
    const eth0 = devId(n.name, 'eth0');
    nodes.set(eth0, { id: eth0, label: `eth0${n.internalIP ? ` ${n.internalIP}` : ''}`, kind: 'nic', parent, node: n.name, device: 'eth0', ...(n.internalIP ? { ip: n.internalIP } : {}) });
    addEdge({ id: `uplink:${n.name}`, source: eth0, target: UNDERLAY_ID, kind: 'uplink' });
    if (!k) continue;
    for (const l of k.links) {
      const kind = deviceKind(l.name, l.kind);
      if (!kind || kind === 'nic' || kind === 'device') continue;
      // a veth that is nobody's pod peer and on no bridge is drawn anyway: it is what the kernel has
      const id = devId(n.name, l.name);
      const addr = l.addresses.find((a) => !a.includes(':'));
      nodes.set(id, { id, label: `${l.name}${addr ? ` ${addr}` : ''}`, kind, parent, node: n.name, device: l.name, ...(addr ? { ip: addr.split('/')[0]! } : {}) });
    }
  }
  // edges once every node's devices exist (a VXLAN peer or BGP session joins two nodes)
  for (const n of g.nodes) {
    const k = g.kernel.get(n.name);
    const eth0 = devId(n.name, 'eth0');
    if (!k) continue;
    for (const b of k.bridges) for (const p of b.ports) addEdge({ id: `port:${n.name}/${p.name}`, source: devId(n.name, p.name), target: devId(n.name, b.name), kind: 'port' });
    for (const t of k.tunnels) {
      const tid = devId(n.name, t.name);
      addEdge({ id: `encap:${n.name}/${t.name}`, source: tid, target: eth0, kind: 'encap', ...(t.vni !== undefined ? { label: `VNI ${t.vni}${t.port ? ` :${t.port}` : ''}` } : {}) });
      for (const f of t.fdb) {
        const peer = f.dst ? byIP.get(f.dst) : undefined;
        if (!peer || peer === n.name) continue;
        const peerTun = devId(peer, t.name);
        const [a, b] = [tid, peerTun].sort();
        addEdge({ id: `vxlan:${a}~${b}`, source: a!, target: b!, kind: 'vxlan-peer' });
      }
    }
    for (const p of k.bgp?.peers ?? []) {
      const peer = byIP.get(p.peerAddress);
      if (!peer) continue;
      const [a, b] = [eth0, devId(peer, 'eth0')].sort();
      const id = `bgp:${a}~${b}`;
      if (!edges.has(id) || p.state !== 'up') addEdge({ id, source: a!, target: b!, kind: 'bgp', label: `BGP ${p.info || p.state}` });
    }
  }
  for (const p of g.pods) {
    const id = podId(p.namespace, p.name);
    const att = g.attachments.get(podKey(p.namespace, p.name));
    const parent = p.node && nodes.has(nodeId(p.node)) ? nodeId(p.node) : undefined;
    nodes.set(id, {
      id, label: `${p.name}${p.ip ? ` ${p.ip}` : ''}`, kind: 'pod', namespace: p.namespace, name: p.name,
      ...(parent ? { parent, node: p.node } : {}), ...(p.ip ? { ip: p.ip } : {}), ...(att?.netns ? { netns: att.netns } : {}),
    });
    if (p.node && att?.peer) addEdge({ id: `pair:${p.namespace}/${p.name}`, source: id, target: devId(p.node, att.peer), kind: 'pair' });
    else if (p.node && p.hostNetwork) addEdge({ id: `pair:${p.namespace}/${p.name}`, source: id, target: devId(p.node, 'eth0'), kind: 'pair', label: 'hostNetwork' });
  }
  for (const s of g.services) {
    const id = svcId(s.namespace, s.name);
    nodes.set(id, { id, label: `svc/${s.name} ${s.clusterIP && s.clusterIP !== 'None' ? s.clusterIP : s.type}`, kind: 'service', namespace: s.namespace, name: s.name, ...(s.clusterIP ? { ip: s.clusterIP } : {}) });
  }
  for (const e of g.endpoints) {
    const src = svcId(e.namespace, e.service);
    const pod = e.pod ? podId(e.namespace, e.pod) : [...nodes.values()].find((n) => n.kind === 'pod' && n.ip === e.ip)?.id;
    if (pod) addEdge({ id: `ep:${e.namespace}/${e.service}/${e.ip}`, source: src, target: pod, kind: 'endpoint', ...(e.ready ? {} : { label: 'not ready' }) });
  }
  const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { nodes: [...nodes.values()].sort(byId).map((data) => ({ data })), edges: [...edges.values()].sort(byId).map((data) => ({ data })) };
}
