/** What a lab is made of, from `lab up` flags (pure). */
import { formatIP, nthAddress, parseCidr } from '../util/addr.js';
import type { ProxyMode } from '../proxy/modenames.js';

export type Backend = 'vxlan' | 'host-gw' | 'udp';
export type SubnetManagerKind = 'kube' | 'etcd';

export interface LabNode { name: string; ip: string; podCidr?: string; port: string; /** --racks: the node's rack (1-based) and BGP AS. */ rack?: number; asNumber?: number }
/** --racks: a top-of-rack router: its netns part name, core (underlay) address, rack subnet and gateway, AS. */
export interface LabRack { index: number; tor: string; coreIp: string; corePort: string; subnet: string; gateway: string; rackPort: string; bridge: string; asNumber: number }
export interface LabSpec {
  name: string;
  nodes: LabNode[];
  ext: { ip: string };
  /** The control-plane host: the nodes' default gateway, where pods reach the API server (the \`kubernetes\` Service's endpoint). */
  master: { ip: string; apiPort: number };
  clusterCidr: string;
  serviceCidr: string;
  nodePortRange: string;
  dnsIP: string;
  clusterDomain: string;
  /** The lab's own upstream zone, served by dnsmasq in the client netns. */
  upstreamZone: string;
  /** Addresses for Services of type LoadBalancer, on the underlay, routed by the client to the nodes. */
  lbPool: string;
  backend: Backend;
  subnetManager: SubnetManagerKind;
  proxyMode: ProxyMode;
  leaseTtlSeconds: number;
  example?: 'seed';
  /** The pod network: flannel (default) or calico (routed, BGP via BIRD in every node netns). */
  network: Network;
  /** calico: the default IPPool's blockSize. */
  blockSize: number;
  /** calico: BGP hold time in seconds (short in the lab, so a lost node's routes go quickly). */
  bgpHoldTime: number;
  /** calico --racks N: nodes in N underlay subnets behind top-of-rack routers running BIRD (mesh off, eBGP node↔ToR↔ToR). */
  racks?: LabRack[];
  /** calico: the default IPPool's vxlanMode (Never: BGP-routed; Always / CrossSubnet: vxlan.calico). */
  vxlanMode?: 'Never' | 'Always' | 'CrossSubnet';
  /** The agents log packets a NetworkPolicy denies (nflog group 7, rate-limited) for `podnet netpol drops`; default on (absent = on). */
  netpolLogDrops?: boolean;
  /** One agent process per node (default; absent = per-node) or one shared process for all nodes (src/lab/agentmode.ts). */
  agentMode?: 'per-node' | 'shared';
}

export type Network = 'flannel' | 'calico';

export interface LabFlags { name?: string; nodes?: number; backend?: Backend; subnetManager?: SubnetManagerKind; proxyMode?: ProxyMode; example?: string; network?: Network; blockSize?: number; bgpHoldTime?: number; racks?: number; vxlanMode?: 'Never' | 'Always' | 'CrossSubnet'; netpolLogDrops?: boolean; agentMode?: 'per-node' | 'shared' }

export const UNDERLAY_NET = '192.168.138';
export const FIRST_NODE_HOST = 221;
/** Seed 000's k8s-master (192.168.138.224): the lab's control-plane netns and the nodes' router. */
export const MASTER_HOST = 224;
/** The port the master netns serves the API on (kube-apiserver's --secure-port default). */
export const MASTER_API_PORT = 6443;

/** The most nodes a lab can have (the underlay is one /24; see nodeHosts). */
export const MAX_NODES = 117;

/**
 * Host numbers of `count` nodes on the underlay: 221, 222, 223, then past the master's 224 up to
 * 239 (the LoadBalancer pool is .240/28), then .1–.99 (the client is .100, ToRs .201+).
 */
export function nodeHosts(count: number): number[] {
  const out: number[] = [];
  for (let h = FIRST_NODE_HOST; out.length < count && h < 240; h++) if (h !== MASTER_HOST) out.push(h);
  for (let h = 1; out.length < count && h < 100; h++) out.push(h);
  return out;
}

export function labSpec(f: LabFlags): LabSpec {
  const seed = f.example === 'seed';
  if (f.example !== undefined && !seed) throw new Error(`unknown example "${f.example}" (have: seed)`);
  const name = f.name ?? (seed ? 'seed' : 'lab');
  if (!/^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/.test(name)) throw new Error(`lab name "${name}" must be 1-16 lower-case letters, digits or '-'`);
  const count = seed ? 2 : (f.nodes ?? 2);
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) throw new Error(`--nodes must be 1-${MAX_NODES}, not ${f.nodes}`);
  const hosts = nodeHosts(count);
  if (f.network !== undefined && f.network !== 'flannel' && f.network !== 'calico') throw new Error(`--network must be flannel or calico, not "${String(f.network)}"`);
  if (f.blockSize !== undefined && (!Number.isInteger(f.blockSize) || f.blockSize < 20 || f.blockSize > 32)) throw new Error(`--block-size must be 20-32, not ${f.blockSize}`);
  const nodes: LabNode[] = hosts.map((h, i) => ({
    name: seed ? `k8s-node${i + 1}` : `node${i + 1}`,
    ip: `${UNDERLAY_NET}.${h}`,
    port: `vn${i + 1}`,
    ...(seed ? { podCidr: i === 0 ? '10.20.37.0/24' : '10.20.92.0/24' } : {}),
  }));
  if (f.vxlanMode !== undefined && !['Never', 'Always', 'CrossSubnet'].includes(f.vxlanMode)) throw new Error(`--vxlan-mode must be Never, Always or CrossSubnet, not "${String(f.vxlanMode)}"`);
  if (f.vxlanMode !== undefined && f.network !== 'calico') throw new Error('--vxlan-mode needs --network calico');
  let racks: LabRack[] | undefined;
  if (f.racks !== undefined) {
    if (f.network !== 'calico') throw new Error('--racks needs --network calico (top-of-rack routers speak BGP with the nodes)');
    if (!Number.isInteger(f.racks) || f.racks < 1 || f.racks > 8) throw new Error(`--racks must be 1-8, not ${f.racks}`);
    racks = [...Array(f.racks).keys()].map((i) => rackSpec(i + 1));
    nodes.forEach((n, i) => {
      const r = racks![i % racks!.length]!;
      const inRack = Math.floor(i / racks!.length);
      n.rack = r.index;
      n.ip = `${RACK_NET}.${r.index}.${11 + inRack}`;
      n.asNumber = NODE_AS_BASE + r.index;
    });
  }
  const clusterCidr = seed ? '10.20.0.0/16' : '10.244.0.0/16';
  const serviceCidr = seed ? '10.10.0.0/16' : '10.96.0.0/12';
  return {
    name, nodes, ext: { ip: `${UNDERLAY_NET}.100` }, master: { ip: `${UNDERLAY_NET}.${MASTER_HOST}`, apiPort: MASTER_API_PORT }, clusterCidr, serviceCidr, nodePortRange: '30000-32767',
    dnsIP: formatIP(nthAddress(parseCidr(serviceCidr), 10)), clusterDomain: 'cluster.local', upstreamZone: 'lab.test', lbPool: `${UNDERLAY_NET}.240/28`,
    backend: f.backend ?? 'vxlan', subnetManager: f.subnetManager ?? 'kube', proxyMode: f.proxyMode ?? 'iptables',
    leaseTtlSeconds: 10, example: seed ? 'seed' : undefined,
    network: f.network ?? 'flannel', blockSize: f.blockSize ?? 26, bgpHoldTime: f.bgpHoldTime ?? 3, ...(racks ? { racks } : {}), ...(f.vxlanMode ? { vxlanMode: f.vxlanMode } : {}), netpolLogDrops: f.netpolLogDrops ?? true,
    ...(f.agentMode === 'shared' ? { agentMode: 'shared' as const } : {}),
  };
}

/** --racks: rack r's subnet is 10.0.r.0/24 (ToR at .1, nodes from .11); ToRs sit on the core underlay at .201, .202 …; AS 65000+r for ToRs, 64600+r for the rack's nodes. */
export const RACK_NET = '10.0';
export const TOR_AS_BASE = 65000;
export const NODE_AS_BASE = 64600;

export function rackSpec(r: number): LabRack {
  return {
    index: r, tor: `tor${r}`, coreIp: `${UNDERLAY_NET}.${200 + r}`, corePort: `vt${r}c`, subnet: `${RACK_NET}.${r}.0/24`, gateway: `${RACK_NET}.${r}.1`,
    rackPort: `vt${r}r`, bridge: `rack${r}`, asNumber: TOR_AS_BASE + r,
  };
}
