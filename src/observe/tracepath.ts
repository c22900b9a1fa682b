/**
 * The hops of one probe, node by node, from the kernel's state: the route lookup in each netns
 * (`ip route get` with iif/from for forwarded packets), veth → bridge or cali interface, the
 * overlay (VXLAN device with VNI/port, its neighbour and FDB entry = the remote VTEP; flannel udp's
 * TUN and the lease's public IP:8285), the host-gw or BGP (proto bird) route, the lab's underlay and
 * router, the rules the kernel's trace saw on each node, the conntrack entry (DNAT target, SNAT),
 * the NetworkPolicy verdict and the delivery or the drop.
 */
import { listFdb } from '../net/fdb.js';
import { listLinks, type LinkInfo } from '../net/link.js';
import { listNeigh } from '../net/neigh.js';
import { listRoutes, type RouteInfo } from '../net/route.js';
import { listAddrs } from '../net/addr.js';
import { netnsPath } from '../net/netns.js';
import { routeGet, type ProbeResult, type RouteLookup } from '../net/trace.js';
import type { NetnsPath } from '../net/exec.js';
import { netnsName } from '../lab/paths.js';
import { inCidr, nodeByIP, nodeByPodCIDR, nodeIP, podByIP, type TraceCluster } from './tracecluster.js';
import { natOf, ruleHops, type ConntrackEntry, type SavedRules, type TraceEvent } from './tracerules.js';
import type { TraceHop, TraceSource, TraceVerdict } from './tracetypes.js';

export interface PathInput {
  lab: string;
  cluster: TraceCluster;
  source: TraceSource & { netns: NetnsPath; netnsName: string };
  /** The address the probe was sent to (a ClusterIP, a node's, a pod's). */
  dstIP: string;
  dstPort?: number;
  /** The destination pod's netns, when the destination (after DNAT) is a pod. */
  podNetns: (ip: string) => Promise<{ path: NetnsPath; name: string } | undefined>;
  events: Map<string, TraceEvent[]>;
  /** iptables-save of each node (nat, filter), to show iptables-nft rules in iptables' words */
  saved?: Map<string, SavedRules>;
  conntrack: Map<string, ConntrackEntry[]>;
  probe: ProbeResult;
  policyNote?: (dstIP: string) => string | undefined;
}

export interface PathResult { hops: TraceHop[]; verdict: TraceVerdict; reason?: string }

const kindOf = (l: LinkInfo | undefined): string => l?.linkinfo?.info_kind ?? '';

function prefixLen(cidr: string): number { return cidr === 'default' ? 0 : Number(cidr.split('/')[1] ?? 32); }

/** The route entry the lookup used: the longest prefix holding dst on the same device. */
export function matchedRoute(routes: readonly RouteInfo[], dst: string, dev: string | undefined): RouteInfo | undefined {
  return routes.filter((r) => (!dev || r.dev === dev) && (r.dst === 'default' || inCidr(dst, r.dst.includes('/') ? r.dst : `${r.dst}/32`)))
    .sort((a, b) => prefixLen(b.dst) - prefixLen(a.dst))[0];
}

function routeText(rg: RouteLookup, r: RouteInfo | undefined): string {
  const via = `${rg.gateway ? ` via ${rg.gateway}` : ''} dev ${rg.dev ?? '?'}`;
  const rt = r ? ` (route ${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.protocol && r.protocol !== 'boot' ? ` proto ${r.protocol}` : ''}${r.scope && r.scope !== 'global' ? ` scope ${r.scope}` : ''}${r.flags.length ? ` ${r.flags.join(' ')}` : ''})` : '';
  return `${rg.dst}${via}${rt}`;
}

export async function buildPath(inp: PathInput): Promise<PathResult> {
  const hops: TraceHop[] = [];
  const add = (h: Omit<TraceHop, 'index'>): void => { hops.push({ ...h, index: hops.length + 1 }); };
  const { lab, cluster, source } = inp;
  const nodeNs = (n: string): { path: NetnsPath; name: string } => ({ path: netnsPath(netnsName(lab, n)), name: netnsName(lab, n) });
  let noRoute: string | undefined;
  let iif: string | undefined;
  let from: string | undefined;
  let dst = inp.dstIP;

  // ---- the source pod: its route, its veth, the bridge or cali interface on the node
  if (source.kind === 'pod') {
    const rg = await routeGet(source.netns, dst);
    if (!rg.ok) {
      add({ node: source.node, netns: source.netnsName, step: 'drop', detail: `no route to ${dst} in the pod (ip route get: ${rg.error})` });
      return { hops, verdict: 'no-route', reason: `pod ${source.name} has no route to ${dst}: ${rg.error}` };
    }
    const podRoutes = await listRoutes(source.netns);
    add({ node: source.node, netns: source.netnsName, step: 'route', device: rg.dev, detail: routeText(rg, matchedRoute(podRoutes, dst, rg.dev)) });
    const [podLinks, nodeLinks] = await Promise.all([listLinks(source.netns), listLinks(nodeNs(source.node).path)]);
    const eth = podLinks.find((l) => l.ifname === rg.dev);
    const peer = eth?.link_index !== undefined ? nodeLinks.find((l) => l.ifindex === eth.link_index && kindOf(l) === 'veth') : undefined;
    if (eth && peer) {
      add({ node: source.node, netns: source.netnsName, step: 'veth', device: eth.ifname, detail: `${eth.ifname} (if${eth.ifindex}) ⇄ ${peer.ifname} (if${peer.ifindex}) in ${nodeNs(source.node).name}` });
      if (peer.master) {
        add({ node: source.node, netns: nodeNs(source.node).name, step: 'bridge', device: peer.master, detail: `${peer.ifname} is a port of bridge ${peer.master}; the frame is for the bridge's MAC (the pod's gateway ${rg.gateway ?? ''}), so the node routes it` });
        iif = peer.master;
      } else {
        add({ node: source.node, netns: nodeNs(source.node).name, step: peer.ifname.startsWith('cali') ? 'cali' : 'veth', device: peer.ifname, detail: `${peer.ifname}: no bridge; the node answers ARP for the pod's gateway ${rg.gateway ?? ''} (proxy ARP) and routes the packet` });
        iif = peer.ifname;
      }
      from = source.ip;
    }
  }

  // ---- node by node
  let node = source.node;
  const visited = new Set<string>();
  for (let step = 0; step < 6; step++) {
    if (visited.has(node)) break;
    visited.add(node);
    const ns = nodeNs(node);
    const evs = inp.events.get(node) ?? [];
    for (const h of ruleHops(evs.filter((e) => !e.routed), node, ns.name, inp.saved?.get(node))) add(h);
    const ct = (inp.conntrack.get(node) ?? [])[0];
    if (ct) {
      const nat = natOf(ct);
      if (nat.dnat) {
        const pod = podByIP(cluster, nat.dnat.ip);
        add({ node, netns: ns.name, step: 'dnat', detail: `conntrack: ${ct.orig.src}${ct.orig.sport ? `:${ct.orig.sport}` : ''} → ${ct.orig.dst}${ct.orig.dport ? `:${ct.orig.dport}` : ''} DNAT to ${nat.dnat.ip}${nat.dnat.port ? `:${nat.dnat.port}` : ''}${pod ? ` (endpoint pod/${pod.metadata.name})` : ''}` });
        dst = nat.dnat.ip;
      }
      if (nat.snat) add({ node, netns: ns.name, step: 'snat', detail: `conntrack: source ${ct.orig.src} masqueraded to ${nat.snat.ip}${nat.snat.port ? `:${nat.snat.port}` : ''}` });
    }
    const dropped = hops.find((h) => h.node === node && h.step === 'drop');
    if (dropped) break;
    const rg = await routeGet(ns.path, dst, iif ? { iif, ...(from ? { from } : {}) } : {});
    if (!rg.ok) {
      noRoute = `node ${node} has no route to ${dst} (ip route get: ${rg.error})`;
      add({ node, netns: ns.name, step: 'drop', detail: `no route to ${dst}${iif ? ` for a packet from ${from ?? '?'} on ${iif}` : ''} (ip route get: ${rg.error})` });
      break;
    }
    if (rg.type === 'local') {
      add({ node, netns: ns.name, step: 'route', device: rg.dev, detail: `${dst} is local to node ${node} (delivered to its own stack)` });
      break;
    }
    const [routes, links] = await Promise.all([listRoutes(ns.path), listLinks(ns.path)]);
    const r = matchedRoute(routes, dst, rg.dev);
    const via = links.find((l) => l.ifname === rg.dev);
    const kind = kindOf(via);
    const gwNode = rg.gateway ? nodeByIP(cluster, rg.gateway) : undefined;
    const how = r?.protocol === 'bird' ? 'BGP route (proto bird): ' : gwNode && !rg.dev?.startsWith('flannel') ? 'host-gw route: ' : '';
    add({ node, netns: ns.name, step: 'route', device: rg.dev, detail: `${how}${routeText(rg, r)}` });
    for (const h of ruleHops(evs.filter((e) => e.routed), node, ns.name, inp.saved?.get(node))) add(h);
    if (hops.some((h) => h.node === node && h.step === 'drop')) break;

    // delivered on this node: a bridge port or a cali interface
    if (kind === 'bridge' || /^(cali|veth)/.test(rg.dev ?? '')) {
      const podNs = await inp.podNetns(dst);
      let port: LinkInfo | undefined;
      if (podNs) {
        const eth = (await listLinks(podNs.path)).find((l) => l.ifname === 'eth0');
        port = eth?.link_index !== undefined ? links.find((l) => l.ifindex === eth.link_index) : undefined;
      }
      const pod = podByIP(cluster, dst);
      if (kind === 'bridge') add({ node, netns: ns.name, step: 'bridge', device: rg.dev, detail: `bridge ${rg.dev} → port ${port?.ifname ?? '?'}${pod ? ` (pod/${pod.metadata.name} eth0)` : ''}` });
      else add({ node, netns: ns.name, step: rg.dev?.startsWith('cali') ? 'cali' : 'veth', device: rg.dev, detail: `${rg.dev} (/32 route) ⇄ ${pod ? `pod/${pod.metadata.name}` : dst} eth0` });
      const note = inp.policyNote?.(dst);
      if (note) add({ node, netns: ns.name, step: 'policy', detail: note });
      break;
    }

    // leaving the node: through a tunnel or onto the underlay
    let next: string | undefined;
    let outerDst: string | undefined;
    if (kind === 'vxlan') {
      const d = via?.linkinfo?.info_data ?? {};
      const neigh = rg.gateway ? (await listNeigh(ns.path, rg.dev!)).find((n) => n.dst === rg.gateway) : undefined;
      const fdb = neigh?.lladdr ? (await listFdb(ns.path, rg.dev!)).find((f) => f.mac === neigh.lladdr && f.dst) : undefined;
      outerDst = fdb?.dst;
      add({ node, netns: ns.name, step: 'tunnel', device: rg.dev,
        detail: `VXLAN VNI ${String(d.id ?? '?')} UDP port ${String(d.port ?? '?')}: ${rg.gateway ?? dst} is ${neigh?.lladdr ?? '?'} (neighbour), FDB ${neigh?.lladdr ?? '?'} → remote VTEP ${outerDst ?? '?'}${d.local ? ` (local VTEP ${String(d.local)})` : ''}` });
      next = outerDst ? nodeByIP(cluster, outerDst)?.metadata.name : undefined;
    } else if (kind === 'tun') {
      const remote = nodeByPodCIDR(cluster, dst);
      const pub = remote?.metadata.annotations?.['flannel.alpha.coreos.com/public-ip'] ?? (remote ? nodeIP(remote) : undefined);
      outerDst = pub;
      add({ node, netns: ns.name, step: 'tunnel', device: rg.dev, detail: `flannel udp: TUN ${rg.dev} → flanneld → UDP to ${pub ?? '?'}:8285 (the lease of ${remote?.spec?.podCIDR ?? '?'}, node ${remote?.metadata.name ?? '?'})` });
      next = remote?.metadata.name;
    } else {
      outerDst = rg.gateway ?? dst;
      next = nodeByIP(cluster, outerDst)?.metadata.name;
    }
    if (!outerDst) break;
    const out = await routeGet(ns.path, outerDst);
    const underlay = { name: netnsName(lab, 'underlay') };
    if (next) {
      add({ node: 'underlay', netns: underlay.name, step: 'underlay', device: 'underlay', detail: `${out.dev ?? 'eth0'} of ${node} → bridge underlay → eth0 of ${next} (${outerDst}${kind === 'vxlan' || kind === 'tun' ? ', encapsulated' : ''})` });
      iif = kind === 'vxlan' || kind === 'tun' ? rg.dev : 'eth0';
      from = from ?? undefined;
      node = next;
      continue;
    }
    // not a node: the lab's router (or something else on the underlay)
    const router = await labNetnsHolding(lab, outerDst);
    add({ node: 'underlay', netns: underlay.name, step: 'underlay', device: 'underlay', detail: `${out.dev ?? 'eth0'} of ${node} → bridge underlay → ${outerDst}${router ? ` (${router.name})` : ''}` });
    if (router) {
      const rr = await routeGet(router.path, dst, { iif: router.dev, ...(from ? { from } : {}) });
      if (!rr.ok) {
        noRoute = `the lab router ${router.name} has no route to ${dst} (ip route get: ${rr.error})`;
        add({ node: 'underlay', netns: router.name, step: 'drop', device: router.dev, detail: `no route to ${dst} (ip route get: ${rr.error}); the router answers ICMP net unreachable` });
      } else {
        add({ node: 'underlay', netns: router.name, step: 'route', device: rr.dev, detail: routeText(rr, undefined) });
      }
    }
    break;
  }
  return finish(hops, inp, noRoute);
}

/** The namespace of the lab (pn-LAB-*) with `ip` on one of its links, and that link. */
async function labNetnsHolding(lab: string, ip: string): Promise<{ path: NetnsPath; name: string; dev: string } | undefined> {
  const { readdirSync } = await import('node:fs');
  const names = readdirSync('/run/netns').filter((n) => n.startsWith(`pn-${lab}-`));
  for (const n of names) {
    const addrs = await listAddrs(netnsPath(n)).catch(() => []);
    const a = addrs.find((x) => x.cidr.split('/')[0] === ip);
    if (a) return { path: netnsPath(n), name: n, dev: a.dev };
  }
  return undefined;
}

function finish(hops: TraceHop[], inp: PathInput, noRoute: string | undefined): PathResult {
  const add = (h: Omit<TraceHop, 'index'>): void => { hops.push({ ...h, index: hops.length + 1 }); };
  const p = inp.probe;
  const last = hops[hops.length - 1];
  const where = { node: last?.node ?? inp.source.node, netns: last?.netns ?? inp.source.netnsName };
  const drop = hops.find((h) => h.step === 'drop' && h.rule);
  const dst = `${inp.dstIP}${inp.dstPort ? `:${inp.dstPort}` : ''}`;
  if (p.outcome === 'connected' || p.outcome === 'replied') {
    add({ ...where, step: 'deliver', detail: `${dst}: ${p.detail} (${p.ms} ms)` });
    return { hops, verdict: 'delivered' };
  }
  if (p.outcome === 'refused') {
    if (drop) return { hops, verdict: 'rejected', reason: `rejected by ${drop.table ?? ''} ${drop.chain ?? ''}: ${drop.rule ?? ''}`.replace(/\s+/g, ' ') };
    add({ ...where, step: 'drop', detail: `${dst}: ${p.detail} (nothing listening, or the host refused)` });
    return { hops, verdict: 'rejected', reason: `${dst} refused the connection: ${p.detail}` };
  }
  if (p.outcome === 'unreachable' || noRoute) {
    if (!hops.some((h) => h.step === 'drop')) add({ ...where, step: 'drop', detail: `${dst}: ${p.detail}` });
    return { hops, verdict: 'no-route', reason: noRoute ?? p.detail };
  }
  if (drop) return { hops, verdict: 'dropped', reason: `dropped by ${drop.table ?? ''} ${drop.chain ?? ''}: ${drop.rule ?? ''}`.replace(/\s+/g, ' ') };
  add({ ...where, step: 'drop', detail: `${dst}: ${p.detail}` });
  return { hops, verdict: 'timeout', reason: p.detail };
}
