/**
 * `podnet inspect node`: one node's network as its kernel has it — links with addresses, bridges and
 * their ports, tunnels (VXLAN with VNI/port/local VTEP, its FDB and neighbours = the remote VTEPs; the
 * TUN of flannel's udp backend), routes, the subnet lease (flannel: subnet.env and the Node's
 * annotations) or the IPAM blocks affine to the node (calico) and BIRD's BGP peers, the proxy mode with
 * rule counts per chain family, and the NetworkPolicy table's objects. Read-only.
 */
import { readFileSync } from 'node:fs';
import { createClient, loadKubeconfig, R } from '../client/index.js';
import type { KObject } from '../meta/types.js';
import { listAddrs } from '../net/addr.js';
import { birdc, birdPid, parseProtocols } from '../net/bird.js';
import { listFdb, type FdbInfo } from '../net/fdb.js';
import { listLinks, type LinkInfo } from '../net/link.js';
import { listNeigh, type NeighInfo } from '../net/neigh.js';
import { nftTableObjects } from '../net/nft.js';
import { listRoutes, type RouteInfo } from '../net/route.js';
import { calicoPaths } from '../calico/paths.js';
import { peerStatuses, type PeerStatus } from '../calico/bgp/status.js';
import type { IPAMBlock } from '../calico/ipam/allocator.js';
import { locateNode, type NodeLocation } from './locate.js';
import { countFamilies, nftChainFamily, type FamilyCount } from './proxyrules.js';
import { readProxyState, type KernelProxyMode } from './proxystate.js';
import { ObserveError } from './runtimestate.js';

export interface NodeObject extends KObject {
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: { type: string; address: string }[] };
}

export interface NodeLink { name: string; ifindex: number; kind: string; mtu: number; state: string; mac: string; master?: string; addresses: string[] }
export interface BridgeView { name: string; ports: { name: string; state: string }[] }
export interface TunnelView {
  name: string; kind: string;
  vni?: number; port?: number; local?: string; dev?: string; learning?: boolean;
  /** vxlan: the forwarding entries (remote VTEP MAC → underlay IP). */
  fdb: FdbInfo[];
  /** vxlan: the neighbours (remote VTEP IP → MAC), what flannel programs for each lease. */
  neighbours: NeighInfo[];
}
export interface FlannelLease { subnetEnv?: Record<string, string>; annotations: Record<string, string> }
export interface IpamBlockView { cidr: string; allocated: number; size: number }
export interface ProxyView { mode: KernelProxyMode; families: FamilyCount[]; nftMaps?: { name: string; elements: number }[] }
export interface PolicyTableView { table: boolean; chains: number; sets: number; maps: number; counters: number }

export interface NodeInspection {
  node: string;
  network: 'flannel' | 'calico';
  podCIDRs: string[];
  internalIP?: string;
  links: NodeLink[];
  bridges: BridgeView[];
  tunnels: TunnelView[];
  caliInterfaces: string[];
  routes: RouteInfo[];
  lease?: FlannelLease;
  ipamBlocks?: IpamBlockView[];
  bgp?: { running: boolean; peers: PeerStatus[] };
  proxy: ProxyView;
  networkPolicy: PolicyTableView;
}

const TUNNEL_KINDS = new Set(['vxlan', 'tun', 'ipip', 'wireguard']);
const FLANNEL_ANN = 'flannel.alpha.coreos.com/';

function kindOf(l: LinkInfo): string { return l.linkinfo?.info_kind ?? (l.ifname === 'lo' ? 'loopback' : 'device'); }

function tunnelOf(l: LinkInfo): Omit<TunnelView, 'fdb' | 'neighbours'> {
  const d = l.linkinfo?.info_data ?? {};
  const num = (k: string): number | undefined => (typeof d[k] === 'number' ? d[k] as number : undefined);
  const str = (k: string): string | undefined => (typeof d[k] === 'string' ? d[k] as string : undefined);
  const kind = kindOf(l) === 'tun' ? `tun${str('type') && str('type') !== 'tun' ? `/${str('type')}` : ''}` : kindOf(l);
  const vni = num('id'), port = num('port'), local = str('local'), dev = str('link') ?? l.link;
  return {
    name: l.ifname, kind,
    ...(vni !== undefined ? { vni } : {}), ...(port !== undefined ? { port } : {}), ...(local ? { local } : {}), ...(dev ? { dev } : {}),
    ...(typeof d.learning === 'boolean' ? { learning: d.learning } : {}),
  };
}

/** Parses subnet.env (KEY=VALUE lines). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) { const m = /^([A-Z_]+)=(.*)$/.exec(line.trim()); if (m) out[m[1]!] = m[2]!; }
  return out;
}

/** The kernel's part of a node: links, bridges, tunnels (with FDB and neighbours), routes. */
export async function readNodeKernel(loc: NodeLocation): Promise<Pick<NodeInspection, 'links' | 'bridges' | 'tunnels' | 'caliInterfaces' | 'routes'>> {
  const [links, addrs, routes] = await Promise.all([listLinks(loc.netns), listAddrs(loc.netns), listRoutes(loc.netns, { family: 4 })]);
  const nodeLinks: NodeLink[] = links.map((l) => ({
    name: l.ifname, ifindex: l.ifindex, kind: kindOf(l), mtu: l.mtu, state: l.operstate ?? '', mac: l.address ?? '',
    ...(l.master ? { master: l.master } : {}), addresses: addrs.filter((a) => a.dev === l.ifname).map((a) => a.cidr),
  }));
  const bridges: BridgeView[] = links.filter((l) => kindOf(l) === 'bridge').map((b) => ({
    name: b.ifname,
    ports: links.filter((p) => p.master === b.ifname).map((p) => ({ name: p.ifname, state: String(p.linkinfo?.info_slave_data?.state ?? p.operstate ?? '') })),
  }));
  const tunnels: TunnelView[] = [];
  for (const l of links.filter((x) => TUNNEL_KINDS.has(kindOf(x)))) {
    const isVxlan = kindOf(l) === 'vxlan';
    const [fdb, neighbours] = isVxlan ? await Promise.all([listFdb(loc.netns, l.ifname), listNeigh(loc.netns, l.ifname)]) : [[], []];
    tunnels.push({ ...tunnelOf(l), fdb, neighbours });
  }
  return { links: nodeLinks, bridges, tunnels, caliInterfaces: links.filter((l) => l.ifname.startsWith('cali')).map((l) => l.ifname), routes };
}

export interface InspectNodeOptions { kubeconfig: string; lab?: string; stateDir?: string }

/** `podnet inspect node NAME`: the Node and IPAM blocks from the API, the rest from the node's kernel and state. */
export async function inspectNodeCommand(name: string, o: InspectNodeOptions): Promise<NodeInspection> {
  const client = createClient({ ...loadKubeconfig(o.kubeconfig), userAgent: 'podnet-inspect' });
  let node: NodeObject;
  let blocks: IPAMBlock[] = [];
  try {
    node = await client.get<NodeObject>(R.nodes(), name);
    blocks = await client.list<IPAMBlock>(R.ipamblocks).then((l) => l.items, () => []);
  } finally { client.close(); }
  const loc = locateNode({ node: name, lab: o.lab, stateDir: o.stateDir });
  const cp = calicoPaths(loc.stateDir);
  const calico = birdPid(cp.birdPid) !== undefined || blocks.some((b) => b.spec.affinity === `host:${name}`);
  const [kernel, proxy, policy] = await Promise.all([readNodeKernel(loc), readProxyState(loc.netns), nftTableObjects(loc.netns, 'inet', 'podnet-policy')]);
  const proxyView: ProxyView = { mode: proxy.mode, families: [] };
  if (proxy.nft) {
    const fam = new Map<string, FamilyCount>();
    for (const c of proxy.nft.chains.values()) {
      const f = nftChainFamily(c.name);
      const e = fam.get(f) ?? { family: f, chains: 0, rules: 0 };
      e.chains++; e.rules += c.rules.length; fam.set(f, e);
    }
    proxyView.families = [...fam.values()].sort((a, b) => a.family.localeCompare(b.family));
    proxyView.nftMaps = [...proxy.nft.maps.values()].map((m) => ({ name: m.name, elements: m.elements.length }));
  } else {
    proxyView.families = [...countFamilies(proxy.nat).map((f) => ({ ...f, family: `nat ${f.family}` })), ...countFamilies(proxy.filter).map((f) => ({ ...f, family: `filter ${f.family}` }))];
  }
  const ann: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.metadata.annotations ?? {})) if (k.startsWith(FLANNEL_ANN)) ann[k] = v;
  let subnetEnv: Record<string, string> | undefined;
  try { subnetEnv = parseEnvFile(readFileSync(loc.paths.subnetFile, 'utf8')); } catch { /* no lease file */ }
  let bgp: NodeInspection['bgp'];
  if (calico) {
    const running = birdPid(cp.birdPid) !== undefined;
    const r = running ? await birdc(loc.netns, cp.birdSocket, ['show', 'protocols']) : { ok: false, text: '' };
    bgp = { running: running && r.ok, peers: r.ok ? peerStatuses(parseProtocols(r.text)) : [] };
  }
  const internalIP = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  return {
    node: name, network: calico ? 'calico' : 'flannel',
    podCIDRs: node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []),
    ...(internalIP ? { internalIP } : {}),
    ...kernel,
    ...(!calico ? { lease: { ...(subnetEnv ? { subnetEnv } : {}), annotations: ann } } : {}),
    ...(calico ? {
      ipamBlocks: blocks.filter((b) => b.spec.affinity === `host:${name}`).map((b) => ({
        cidr: b.spec.cidr, allocated: (b.spec.allocations ?? []).filter((a) => a !== null).length, size: (b.spec.allocations ?? []).length,
      })),
      bgp,
    } : {}),
    proxy: proxyView,
    networkPolicy: { table: policy.table, chains: policy.chains.length, sets: policy.sets.length, maps: policy.maps.length, counters: policy.counters.length },
  };
}

export { ObserveError };
