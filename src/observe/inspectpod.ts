/**
 * `podnet inspect pod`: one pod's network as the kernel and the runtime have it — the node (from
 * the API), the sandbox (pause pid, netns name and inode), the links inside the pod with their
 * addresses and `@ifN` peer index, the veth peer on the node and its bridge, the pod's routes, the
 * CNI result from the runtime's cache, and the containers with their PIDs. Read-only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheEntry } from '../cni/runtime/cache.js';
import { createClient, loadKubeconfig, R } from '../client/index.js';
import type { KObject } from '../meta/types.js';
import { listAddrs } from '../net/addr.js';
import { listLinks, type LinkInfo } from '../net/link.js';
import { listRoutes, type RouteInfo } from '../net/route.js';
import { netnsIdOfPath } from '../net/whereami.js';
import { POD_IFNAME } from '../kubelet/podnetwork.js';
import { locateNode, type NodeLocation } from './locate.js';
import { ObserveError, RuntimeState, type ContainerState } from './runtimestate.js';

export interface PodObject extends KObject {
  spec?: { nodeName?: string; hostNetwork?: boolean };
  status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[]; hostIP?: string };
}

export interface PodInterface {
  name: string;
  ifindex: number;
  kind: string;
  mtu: number;
  mac: string;
  state: string;
  addresses: string[];
  /** The peer's ifindex (`eth0@if9`), in another netns for a veth. */
  peerIfindex?: number;
}

export interface NodePeer { name: string; ifindex: number; mtu: number; mac: string; bridge?: string; state: string }

export interface CniCacheView { path: string; networkName: string; ifName: string; result: unknown }

export interface PodInspection {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  podIPs: string[];
  hostNetwork: boolean;
  sandbox: { id: string; pid: number; state: string; netnsName: string; netnsPath: string; netnsInode?: number };
  interfaces: PodInterface[];
  /** The node end of the pod's eth0 (a veth), in the node's netns. */
  peer?: NodePeer;
  routes: RouteInfo[];
  cni?: CniCacheView;
  containers: { name: string; id: string; state: ContainerState; pid: number; image: string }[];
}

/** The pod from the API. */
export async function fetchPod(kubeconfig: string, namespace: string, name: string): Promise<PodObject> {
  const client = createClient({ ...loadKubeconfig(kubeconfig), userAgent: 'podnet-inspect' });
  try { return await client.get<PodObject>(R.pods(namespace), name); } finally { client.close(); }
}

/** The inode of a netns file, from `net:[N]`. */
export function inodeOf(id: string | undefined): number | undefined {
  const m = id ? /^net:\[(\d+)\]$/.exec(id) : null;
  return m ? Number(m[1]) : undefined;
}

/** The libcni cache entry of a sandbox's attachment (`<cacheDir>/results/<network>-<id>-<ifname>`). */
export function readCniCache(cacheDir: string, sandboxId: string, ifName = POD_IFNAME): CniCacheView | undefined {
  const dir = join(cacheDir, 'results');
  let files: string[];
  try { files = readdirSync(dir); } catch { return undefined; }
  const f = files.find((x) => x.endsWith(`-${sandboxId}-${ifName}`));
  if (!f) return undefined;
  try {
    const e = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CacheEntry;
    return { path: join(dir, f), networkName: e.networkName, ifName: e.ifName, result: e.result };
  } catch { return undefined; }
}

function ifaceOf(l: LinkInfo, addrs: { dev: string; cidr: string }[]): PodInterface {
  return {
    name: l.ifname, ifindex: l.ifindex, kind: l.linkinfo?.info_kind ?? (l.ifname === 'lo' ? 'loopback' : 'device'), mtu: l.mtu, mac: l.address ?? '',
    state: l.operstate ?? '', addresses: addrs.filter((a) => a.dev === l.ifname).map((a) => a.cidr),
    ...(l.link_index !== undefined && l.link_netnsid !== undefined ? { peerIfindex: l.link_index } : {}),
  };
}

/** Everything `inspect pod` shows, for a pod the API places on a node whose state `where` locates. */
export async function inspectPod(pod: PodObject, where: (node: string) => NodeLocation): Promise<PodInspection> {
  const namespace = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const node = pod.spec?.nodeName;
  if (!node) throw new ObserveError('ENOTSCHEDULED', `pod ${namespace}/${name} is not scheduled to a node yet`);
  const loc = where(node);
  const st = new RuntimeState(loc.paths.kubeletDir);
  const sb = st.sandboxOfPod(namespace, name, pod.metadata.uid);
  if (!sb) throw new ObserveError('ENOTFOUND', `node ${node} has no sandbox for pod ${namespace}/${name} (uid ${pod.metadata.uid ?? '?'})`);
  if (sb.state !== 'SANDBOX_READY') throw new ObserveError('ENOTREADY', `the sandbox ${sb.id.slice(0, 13)} of pod ${namespace}/${name} is not ready (pause process gone)`);
  const podNs = sb.netnsPath;
  const [links, addrs, routes4, routes6] = await Promise.all([listLinks(podNs), listAddrs(podNs), listRoutes(podNs, { family: 4 }), listRoutes(podNs, { family: 6 })]);
  const interfaces = links.map((l) => ifaceOf(l, addrs));
  let peer: NodePeer | undefined;
  const eth0 = links.find((l) => l.ifname === POD_IFNAME);
  if (!sb.hostNetwork && eth0?.link_index !== undefined) {
    const nodeLinks = await listLinks(loc.netns);
    const p = nodeLinks.find((l) => l.ifindex === eth0.link_index && l.linkinfo?.info_kind === 'veth');
    if (p) peer = { name: p.ifname, ifindex: p.ifindex, mtu: p.mtu, mac: p.address ?? '', state: p.operstate ?? '', ...(p.master ? { bridge: p.master } : {}) };
  }
  const cni = sb.hostNetwork ? undefined : readCniCache(loc.paths.cacheDir, sb.id);
  const inode = inodeOf(netnsIdOfPath(podNs));
  return {
    namespace, name, uid: sb.uid, node, podIPs: sb.ips, hostNetwork: sb.hostNetwork,
    sandbox: { id: sb.id, pid: sb.pid, state: sb.state, netnsName: sb.netnsName, netnsPath: podNs, ...(inode !== undefined ? { netnsInode: inode } : {}) },
    interfaces, ...(peer ? { peer } : {}), routes: [...routes4, ...routes6.filter((r) => r.type !== 'multicast')],
    ...(cni ? { cni } : {}),
    containers: st.containers.filter((c) => c.sandbox.id === sb.id).map((c) => ({ name: c.name, id: c.id, state: c.state, pid: c.pid, image: c.image })),
  };
}

export interface InspectPodOptions { namespace: string; kubeconfig: string; lab?: string; stateDir?: string }

/** `podnet inspect pod NAME`: the API for the pod's node, the node's state for the rest. */
export async function inspectPodCommand(name: string, o: InspectPodOptions): Promise<PodInspection> {
  const pod = await fetchPod(o.kubeconfig, o.namespace, name);
  return inspectPod(pod, (node) => locateNode({ node, lab: o.lab, stateDir: o.stateDir }));
}
