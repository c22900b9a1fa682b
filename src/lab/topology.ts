/**
 * The lab's wiring, all inside namespaces the lab creates: an underlay netns with a bridge, one
 * netns per node with eth0 on that bridge and a default route through the master (control-plane)
 * netns on it, and an external-client netns on it too. Nothing is
 * created in the root network namespace (links are made inside the underlay netns and their
 * peers moved straight into the node netns).
 */
import { addAddr, listAddrs } from '../net/addr.js';
import { createBridge, createVeth, deleteLink, getLink, setMaster, setUp } from '../net/link.js';
import { createNamedNetns, ipBatchInNamedNetns, netnsPath } from '../net/netns.js';
import { replaceRoute, type RouteSpec } from '../net/route.js';
import { setSysctls } from '../net/sysctl.js';

export const UNDERLAY_BRIDGE = 'underlay';
const UNDERLAY_PREFIX = 24;

export interface Host { name: string; netns: string; ip: string; port: string; /** The underlay bridge to plug into (default: the core \`underlay\`). */ bridge?: string; /** The host's interface (default eth0). */ ifname?: string }

/** The underlay netns and its bridge. */
export async function ensureUnderlay(netns: string): Promise<void> {
  const ns = await createNamedNetns(netns);
  if (!(await getLink(ns, UNDERLAY_BRIDGE))) await createBridge(ns, UNDERLAY_BRIDGE);
  await setUp(ns, UNDERLAY_BRIDGE);
  // The underlay is a plain L2 segment: its bridge must not run our traffic through iptables.
  await setSysctls(ns, { 'net.ipv4.ip_forward': 0 });
}

/** A host (node or client) netns with eth0 (ip/24) plugged into the underlay bridge by port `port`. */
export async function ensureHost(underlayNetns: string, h: Host): Promise<void> {
  const ns = await createNamedNetns(h.netns);
  const u = netnsPath(underlayNetns);
  const dev = h.ifname ?? 'eth0';
  if (!(await getLink(ns, dev))) {
    if (await getLink(u, h.port)) await deleteLink(u, h.port);
    await createVeth(u, h.port, dev, ns);
  }
  await setMaster(u, h.port, h.bridge ?? UNDERLAY_BRIDGE);
  await setUp(u, h.port);
  const want = `${h.ip}/${UNDERLAY_PREFIX}`;
  if (!(await listAddrs(ns, { dev, family: 4 })).some((a) => a.cidr === want)) await addAddr(ns, dev, want);
  await setUp(ns, dev);
}

/** Another L2 segment in the underlay netns (a rack's subnet). */
export async function ensureSegment(underlayNetns: string, bridge: string): Promise<void> {
  const u = netnsPath(underlayNetns);
  if (!(await getLink(u, bridge))) await createBridge(u, bridge);
  await setUp(u, bridge);
}

/**
 * The routes a node adds beside its connected underlay /24: a default route through the master, as
 * a real node has one. Without it a node's own connect() to a ClusterIP fails its route lookup
 * (ENETUNREACH) before kube-proxy's DNAT in OUTPUT can rewrite the destination (pure).
 */
export function nodeRoutes(masterIp: string): RouteSpec[] {
  return [{ dst: 'default', via: masterIp, dev: 'eth0' }];
}

/** A node's routes (nodeRoutes), replacing what is there. */
export async function ensureNodeRoutes(netns: string, masterIp: string): Promise<void> {
  for (const r of nodeRoutes(masterIp)) await replaceRoute(netnsPath(netns), r);
}

/** The master's netns is the nodes' router: it forwards (pod traffic to the outside arrives here masqueraded by flannel). */
export async function masterSysctls(netns: string): Promise<void> {
  await setSysctls(netnsPath(netns), { 'net.ipv4.ip_forward': 1 });
}

export async function nodeSysctls(netns: string): Promise<void> {
  await setSysctls(netnsPath(netns), { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 });
}


/**
 * A whole fresh lab's wiring as `ip` batches, one per namespace (pure): the underlay's bridges and
 * every veth (each peer created straight in its host's netns), then in each host netns its
 * addresses, links and routes. `build` runs them: one `ip -n <ns> -batch` per namespace, the hosts
 * and the sysctls in parallel — a dozen processes for a lab instead of ~10 per host.
 */
export interface TopologyPlan {
  underlay: string;
  /** Extra L2 segments (racks) in the underlay netns. */
  segments: string[];
  hosts: Host[];
  /** Routes per netns name, added after its addresses. */
  routes: Record<string, RouteSpec[]>;
  /** ECMP routes per netns name: dst over gateways. */
  multipath: Record<string, { dst: string; gateways: string[] }[]>;
  sysctls: Record<string, Record<string, string | number>>;
}

function routeLine(r: RouteSpec): string {
  return ['route', 'replace', r.dst, ...(r.via ? ['via', r.via] : []), ...(r.dev ? ['dev', r.dev] : [])].join(' ');
}

/** The `ip -batch` lines per namespace name, the underlay's first (it creates the veths). */
export function topologyBatches(p: TopologyPlan): { underlay: string[]; hosts: Map<string, string[]> } {
  const underlay = ['link set lo up', `link add ${UNDERLAY_BRIDGE} type bridge`, `link set ${UNDERLAY_BRIDGE} up`];
  for (const s of p.segments) underlay.push(`link add ${s} type bridge`, `link set ${s} up`);
  const hosts = new Map<string, string[]>();
  for (const h of p.hosts) {
    const dev = h.ifname ?? 'eth0';
    underlay.push(`link add ${h.port} type veth peer name ${dev} netns ${h.netns}`, `link set ${h.port} master ${h.bridge ?? UNDERLAY_BRIDGE} up`);
    if (!hosts.has(h.netns)) hosts.set(h.netns, ['link set lo up']);
    hosts.get(h.netns)!.push(`addr add ${h.ip}/${UNDERLAY_PREFIX} dev ${dev}`, `link set ${dev} up`);
  }
  for (const [ns, rs] of Object.entries(p.routes)) for (const r of rs) hosts.get(ns)?.push(routeLine(r));
  for (const [ns, ms] of Object.entries(p.multipath)) for (const m of ms) hosts.get(ns)?.push(`route replace ${m.dst} ${m.gateways.map((g) => `nexthop via ${g}`).join(' ')}`);
  return { underlay, hosts };
}

/** Builds a fresh lab's wiring (namespaces must not exist yet, as `lab up` guarantees). */
export async function buildTopology(p: TopologyPlan): Promise<void> {
  const names = [p.underlay, ...new Set(p.hosts.map((h) => h.netns))];
  await Promise.all(names.map((n) => createNamedNetns(n, { loUp: false })));
  const { underlay, hosts } = topologyBatches(p);
  await ipBatchInNamedNetns(p.underlay, underlay);
  await Promise.all([
    ...[...hosts].map(([ns, lines]) => ipBatchInNamedNetns(ns, lines)),
    ...Object.entries(p.sysctls).map(([ns, kv]) => setSysctls(netnsPath(ns), kv)),
  ]);
}

/** The sysctls of the lab's namespaces by role (see masterSysctls, nodeSysctls, ensureUnderlay). */
export const SYSCTLS = {
  underlay: { 'net.ipv4.ip_forward': 0 },
  master: { 'net.ipv4.ip_forward': 1 },
  node: { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 },
} as const;
