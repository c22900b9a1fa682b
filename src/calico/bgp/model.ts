/**
 * Who a node peers with, from the API objects (pure), as Calico's confd computes it:
 * - the node-to-node mesh (BGPConfiguration "default" nodeToNodeMeshEnabled, default on): every
 *   other node with an IPv4 address;
 * - global BGPPeers (no node, no nodeSelector): every node peers with them;
 * - node-specific BGPPeers (spec.node = this node, or a nodeSelector matching its labels);
 * - peerSelector BGPPeers (route reflectors): the Calico nodes the selector picks, each at its own
 *   address and AS; a node with a RouteReflectorClusterID treats non-reflector peers as rr clients.
 * Node facts come from the annotations calico-node keeps on Kubernetes Nodes:
 * projectcalico.org/IPv4Address, projectcalico.org/ASNumber, projectcalico.org/RouteReflectorClusterID.
 */
import type { KObject } from '../../meta/types.js';
import { parseAsNumber } from '../../api/kinds/calico.js';
import { parseCalicoSelector } from '../selector.js';

export const ANN_IPV4 = 'projectcalico.org/IPv4Address';
export const ANN_AS = 'projectcalico.org/ASNumber';
export const ANN_RR = 'projectcalico.org/RouteReflectorClusterID';
export const DEFAULT_AS = 64512;

export type PeerType = 'node-to-node mesh' | 'global' | 'node specific';
export interface BgpPeerModel { name: string; ip: string; as: number; type: PeerType; rrClient: boolean }
export interface BgpNodeModel {
  node: string;
  routerId: string;
  as: number;
  rrClusterId?: string;
  peers: BgpPeerModel[];
  holdTime: number;
  keepaliveTime: number;
}

export interface BgpInputs {
  node: string;
  nodes: KObject[];
  configs: KObject[];
  peers: KObject[];
}

interface NodeFacts { name: string; ip?: string; as?: number; rr?: string; labels: Record<string, string> }

function facts(n: KObject): NodeFacts {
  const a = n.metadata.annotations ?? {};
  const ip = (a[ANN_IPV4] ?? '').split('/')[0] || undefined;
  return { name: n.metadata.name ?? '', ip, as: a[ANN_AS] ? parseAsNumber(a[ANN_AS]) : undefined, rr: a[ANN_RR] || undefined, labels: n.metadata.labels ?? {} };
}

const spec = (o: KObject): Record<string, unknown> => (o.spec ?? {}) as Record<string, unknown>;
const protoName = (prefix: string, ip: string): string => `${prefix}_${ip.replace(/[.:]/g, '_')}`;

/** The BGP model of one node; undefined until the node has its IPv4 address annotation. */
export function bgpModel(i: BgpInputs): BgpNodeModel | undefined {
  const all = i.nodes.map(facts);
  const me = all.find((n) => n.name === i.node);
  if (!me?.ip) return undefined;
  const def = i.configs.find((c) => c.metadata.name === 'default');
  const ds = def ? spec(def) : {};
  const defaultAs = parseAsNumber(ds.asNumber) ?? DEFAULT_AS;
  const asOf = (n: NodeFacts): number => n.as ?? defaultAs;
  const mesh = ds.nodeToNodeMeshEnabled !== false;
  const peers = new Map<string, BgpPeerModel>();
  const put = (p: BgpPeerModel): void => { if (p.ip !== me.ip && !peers.has(p.ip)) peers.set(p.ip, p); };
  const rrClient = (peer?: NodeFacts): boolean => !!me.rr && !!peer && !peer.rr;
  if (mesh) {
    for (const n of all) if (n.name !== me.name && n.ip) put({ name: protoName('Mesh', n.ip), ip: n.ip, as: asOf(n), type: 'node-to-node mesh', rrClient: false });
  }
  for (const p of [...i.peers].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const s = spec(p);
    const node = typeof s.node === 'string' ? s.node : '';
    const nodeSel = typeof s.nodeSelector === 'string' ? s.nodeSelector : '';
    if (node && node !== me.name) continue;
    if (nodeSel && !parseCalicoSelector(nodeSel).matches(me.labels)) continue;
    const type: PeerType = node || nodeSel ? 'node specific' : 'global';
    const prefix = type === 'global' ? 'Global' : 'Node';
    if (typeof s.peerSelector === 'string' && s.peerSelector) {
      const sel = parseCalicoSelector(s.peerSelector);
      for (const n of all) if (n.name !== me.name && n.ip && sel.matches(n.labels)) put({ name: protoName(prefix, n.ip), ip: n.ip, as: asOf(n), type, rrClient: rrClient(n) });
    } else if (typeof s.peerIP === 'string') {
      const ip = s.peerIP.replace(/:\d+$/, '');
      const as = parseAsNumber(s.asNumber);
      if (as === undefined) continue;
      put({ name: protoName(prefix, ip), ip, as, type, rrClient: rrClient(all.find((n) => n.ip === ip)) });
    }
  }
  const hold = typeof ds.holdTime === 'number' ? ds.holdTime : 240;
  const keep = typeof ds.keepaliveTime === 'number' ? ds.keepaliveTime : Math.max(1, Math.floor(hold / 3));
  return { node: me.name, routerId: me.ip, as: asOf(me), ...(me.rr ? { rrClusterId: me.rr } : {}), peers: [...peers.values()], holdTime: hold, keepaliveTime: keep };
}
