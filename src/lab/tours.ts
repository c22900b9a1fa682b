/**
 * The tours (data): seed 000's packet path (pod → pod across nodes, pod → Service) and seed 003's
 * debugging craft (find the PID, enter the netns, find the veth peer and the bridge, capture, read the
 * CNI cache, plan the CIDRs), as steps for `podnet lab tour`. The readers of command output here are
 * pure and unit-tested (tours.test.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { labNodeStateDir, nodeStatePaths } from '../observe/runtimestate.js';
import { TourError, type Tour, type TourStep, type TourVars } from './tour.js';

// ---------------------------------------------------------------- pure readers of command output

/** Rows of a kubectl/crictl-style table: cells split on runs of 2+ blanks (cells like "9 seconds ago" keep their single blanks). */
export function tableRows(out: string): { header: string[]; rows: string[][] } {
  const lines = out.split('\n').filter((l) => l.trim() && !l.startsWith('podnet:'));
  const split = (l: string): string[] => l.trim().split(/\s{2,}/);
  return { header: lines[0] ? split(lines[0]) : [], rows: lines.slice(1).map(split) };
}

function col(t: { header: string[] }, name: string): number {
  const i = t.header.indexOf(name);
  if (i < 0) throw new TourError('ETOUR', `no ${name} column in the output`);
  return i;
}

export interface PodRow { namespace: string; name: string; status: string; ip: string; node: string }

/** `kubectl get pods -A -o wide` → pods. */
export function readPods(out: string): PodRow[] {
  const t = tableRows(out);
  const [ns, name, st, ip, node] = ['NAMESPACE', 'NAME', 'STATUS', 'IP', 'NODE'].map((c) => col(t, c));
  return t.rows.map((r) => ({ namespace: r[ns!]!, name: r[name!]!, status: r[st!]!, ip: r[ip!]!, node: r[node!]! }));
}

/** `kubectl get nodes -o wide` → name → InternalIP. */
export function readNodes(out: string): { name: string; ip: string; status: string }[] {
  const t = tableRows(out);
  const [name, st, ip] = ['NAME', 'STATUS', 'INTERNAL-IP'].map((c) => col(t, c));
  return t.rows.map((r) => ({ name: r[name!]!, status: r[st!]!, ip: r[ip!]! }));
}

/**
 * Two pods to follow: the seed's wp-mysql → mysql-demo when the lab has them, else a workload pod (one
 * outside kube-system first) and a pod on another node. Host-network pods (a node's address) are skipped.
 */
export function pickPods(pods: PodRow[], nodeIPs: string[]): { a: PodRow; b?: PodRow } {
  const ok = pods.filter((p) => p.status === 'Running' && /^\d+\.\d+\.\d+\.\d+$/.test(p.ip) && !nodeIPs.includes(p.ip));
  const seedA = ok.find((p) => p.name === 'wp-mysql'), seedB = ok.find((p) => p.name === 'mysql-demo');
  if (seedA && seedB && seedA.node !== seedB.node) return { a: seedA, b: seedB };
  const ordered = [...ok.filter((p) => p.namespace !== 'kube-system'), ...ok.filter((p) => p.namespace === 'kube-system')];
  for (const a of ordered) { const b = ordered.find((x) => x.node !== a.node); if (b) return { a, b }; }
  if (!ordered[0]) throw new TourError('ETOUR', 'no running pod with a pod-network address: start one (kubectl run x --image=podnet/echo)');
  return { a: ordered[0] };
}

/** `podnet crictl ps`: the container of pod `pod` (CONTAINER and POD ID of its row). */
export function readContainerOf(out: string, pod: string): { container: string; podId: string } {
  const t = tableRows(out);
  const r = t.rows.find((x) => x[x.length - 1] === pod);
  if (!r) throw new TourError('ETOUR', `no container of pod ${pod} in crictl ps`);
  return { container: r[0]!, podId: r[r.length - 2]! };
}

/** `crictl inspect` JSON → .info.pid. */
export function readInfoPid(out: string): number {
  const pid = (JSON.parse(out) as { info?: { pid?: number } }).info?.pid;
  if (!Number.isInteger(pid) || pid! <= 1) throw new TourError('ETOUR', `no .info.pid in crictl inspect's output`);
  return pid!;
}

/** `lsns -t net -p PID` → the namespace's inode and its bind mount (NSFS), if any. */
export function readLsns(out: string, pid: number): { inode: string; nsfs?: string } {
  const line = out.split('\n').find((l) => /^\s*\d+\s+net\s/.test(l));
  if (!line) throw new TourError('ETOUR', `lsns shows no net namespace for pid ${pid}`);
  const nsfs = /\s(\/\S*netns\/\S+)/.exec(line)?.[1];
  return { inode: line.trim().split(/\s+/)[0]!, ...(nsfs ? { nsfs } : {}) };
}

/** `ip addr` in the pod → eth0's peer ifindex (`eth0@ifN`) and its IPv4 address. */
export function readPodEth0(out: string): { peerIndex: number; ip?: string } {
  const m = /^\d+: eth0@if(\d+):/m.exec(out);
  if (!m) throw new TourError('ETOUR', 'no eth0@ifN in the pod\'s ip addr');
  const ip = /inet (\d+\.\d+\.\d+\.\d+)\/\d+ .*eth0/m.exec(out)?.[1];
  return { peerIndex: Number(m[1]), ...(ip ? { ip } : {}) };
}

/** `ip link | grep -A1 ^N:` on the node → the interface's name (without @ifM) and its master. */
export function readLinkLine(out: string, index: number): { name: string; master?: string } {
  const m = new RegExp(`^${index}: ([^:@\\s]+)(?:@\\S+)?: .*$`, 'm').exec(out);
  if (!m) throw new TourError('ETOUR', `no interface with index ${index} on the node`);
  const master = / master (\S+)/.exec(m[0])?.[1];
  return { name: m[1]!, ...(master ? { master } : {}) };
}

/** `ip route get IP` → its device (and gateway). */
export function readRouteGet(out: string): { dev: string; via?: string } {
  const dev = / dev (\S+)/.exec(out)?.[1];
  if (!dev) throw new TourError('ETOUR', 'ip route get printed no device');
  const via = / via (\S+)/.exec(out)?.[1];
  return { dev, ...(via ? { via } : {}) };
}

/** `ip -d link show DEV` → VXLAN id and port when it is one. */
export function readVxlan(out: string): { vni: number; port: number; local?: string } | undefined {
  const m = /vxlan id (\d+)/.exec(out);
  if (!m) return undefined;
  const local = / local (\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1];
  return { vni: Number(m[1]), port: Number(/dstport (\d+)/.exec(out)?.[1] ?? 4789), ...(local ? { local } : {}) };
}

/** `kubectl get svc -A` → the Service to follow and one TCP port (the seed's mysql-demo when present). */
export function pickService(out: string): { namespace: string; name: string; clusterIP: string; port: number } {
  const t = tableRows(out);
  const [ns, name, cip, ports] = ['NAMESPACE', 'NAME', 'CLUSTER-IP', 'PORT(S)'].map((c) => col(t, c));
  const svcs = t.rows.map((r) => ({ namespace: r[ns!]!, name: r[name!]!, clusterIP: r[cip!]!, ports: r[ports!]! }))
    .filter((s) => /^\d+\.\d+\.\d+\.\d+$/.test(s.clusterIP) && /\/TCP/.test(s.ports));
  const pick = svcs.find((s) => s.name === 'mysql-demo') ?? svcs.find((s) => s.namespace !== 'kube-system' && s.name !== 'kubernetes') ?? svcs.find((s) => s.name === 'kube-dns');
  if (!pick) throw new TourError('ETOUR', 'no Service with a ClusterIP and a TCP port');
  const port = Number(/(?:^|,)(\d+)(?::\d+)?\/TCP/.exec(pick.ports)![1]);
  return { namespace: pick.namespace, name: pick.name, clusterIP: pick.clusterIP, port };
}

/** `kubectl get endpoints` → the first endpoint address. */
export function readFirstEndpoint(out: string): string {
  const t = tableRows(out);
  const e = t.rows[0]?.[col(t, 'ENDPOINTS')];
  const ip = e ? /(\d+\.\d+\.\d+\.\d+)/.exec(e)?.[1] : undefined;
  if (!ip) throw new TourError('ETOUR', 'the Service has no endpoint');
  return ip;
}

/** Whether IPv4 `ip` lies in `cidr`. */
export function inCidr(ip: string, cidr: string): boolean {
  const n = (a: string): number => a.split('.').reduce((s, x) => s * 256 + Number(x), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base!) / size);
}

// ---------------------------------------------------------------- shared steps

const num = (v: TourVars, k: string): number => Number(v[k]);

const nodesStep: TourStep = {
  title: 'The nodes and their addresses',
  command: () => ({ where: { on: 'kubectl' }, argv: ['get', 'nodes', '-o', 'wide'] }),
  learn: (out) => {
    const ns = readNodes(out);
    return { nodes: ns.map((n) => n.name).join(','), ...Object.fromEntries(ns.map((n) => [`nodeIP:${n.name}`, n.ip])) };
  },
  check: (out, v) => (v.nodes && readNodes(out).every((n) => n.status === 'Ready') ? undefined : 'a node is not Ready'),
  explain: (v) => `Each node is a network namespace of the lab with an address on the shared underlay (INTERNAL-IP): ${v.nodes?.split(',').map((n) => `${n} ${v[`nodeIP:${n}`]}`).join(', ')}.`,
};

const podsStep: TourStep = {
  title: 'Pods, their IPs and nodes',
  command: () => ({ where: { on: 'kubectl' }, argv: ['get', 'pods', '-A', '-o', 'wide'] }),
  learn: (out, v) => {
    const nodeIPs = (v.nodes ?? '').split(',').map((n) => v[`nodeIP:${n}`] ?? '');
    const { a, b } = pickPods(readPods(out), nodeIPs);
    return { podA: a.name, nsA: a.namespace, ipA: a.ip, nodeA: a.node, ...(b ? { podB: b.name, nsB: b.namespace, ipB: b.ip, nodeB: b.node } : {}) };
  },
  check: (out, v) => (out.includes(v.ipA ?? '\0') ? undefined : `no ${v.podA} with its IP`),
  explain: (v) => `-o wide adds each pod's IP and node: we follow ${v.nsA}/${v.podA} (${v.ipA} on ${v.nodeA})${v.podB ? ` and ${v.nsB}/${v.podB} (${v.ipB} on ${v.nodeB})` : ''}.`,
};

const needB = (v: TourVars): string | undefined => (v.podB ? undefined : 'needs running pods on two nodes');

// ---------------------------------------------------------------- seed 003

const seed003: Tour = {
  name: 'seed-003',
  title: 'seed 003\'s debugging craft: from a pod to its PID, netns, veth peer, bridge, packets, CNI cache and address plan',
  steps: [
    nodesStep,
    podsStep,
    {
      title: 'The pod\'s container on its node (crictl ps | grep POD)',
      command: (v) => ({ where: { on: 'podnet' }, argv: ['crictl', '--lab', v.lab!, '--node', v.nodeA!, 'ps'] }),
      learn: (out, v) => { const c = readContainerOf(out, v.podA!); return { cid: c.container, sandbox: c.podId }; },
      check: (out, v) => (out.includes(v.cid!) ? undefined : 'no container row'),
      explain: (v) => `The runtime on ${v.nodeA} lists ${v.podA}'s container ${v.cid} in sandbox ${v.sandbox} (POD ID), as crictl ps does on a real node.`,
    },
    {
      title: 'Its PID (crictl inspect ID | jq .info.pid)',
      command: (v) => ({ where: { on: 'podnet' }, argv: ['crictl', '--lab', v.lab!, '--node', v.nodeA!, 'inspect', v.cid!] }),
      learn: (out) => ({ pid: String(readInfoPid(out)) }),
      check: (out, v) => (new RegExp(`"pid": ${v.pid}\\b`).test(out) ? undefined : 'no .info.pid'),
      explain: (v) => `.info.pid is the container's process on the host: PID ${v.pid}; every tool below enters the pod's network through it.`,
    },
    {
      title: 'The network namespace of that PID (lsns -t net)',
      command: (v) => ({ where: { on: 'host-ns-reader' }, argv: ['lsns', '-t', 'net', '-p', v.pid!] }),
      learn: (out, v) => { const l = readLsns(out, num(v, 'pid')); return { nsInode: l.inode, ...(l.nsfs ? { nsfs: l.nsfs } : {}) }; },
      check: (out, v) => (out.includes(v.nsInode!) ? undefined : 'no namespace line'),
      explain: (v) => `PID ${v.pid} is in net namespace ${v.nsInode}${v.nsfs ? `, which the runtime pinned at ${v.nsfs} (NSFS)` : ''}; the sandbox's pause process holds it for the pod's life.`,
    },
    {
      title: 'Its name (ip netns identify PID)',
      command: (v) => ({ where: { on: 'host-ns-reader' }, argv: ['ip', 'netns', 'identify', v.pid!] }),
      learn: (out) => ({ netns: out.trim().split('\n')[0] ?? '' }),
      check: (_out, v) => (v.netns && (!v.nsfs || v.nsfs.endsWith(`/${v.netns}`)) ? undefined : `ip netns identify gave "${v.netns}", lsns ${v.nsfs}`),
      explain: (v) => `The same namespace by name: ${v.netns}, so ip netns exec ${v.netns} … works too.`,
    },
    {
      title: 'Inside the pod: eth0 and its peer (nsenter --target PID -n ip addr)',
      command: (v) => ({ where: { on: 'pod', pid: num(v, 'pid') }, argv: ['ip', 'addr'] }),
      learn: (out) => { const e = readPodEth0(out); return { peer: String(e.peerIndex), ...(e.ip ? { podEth0IP: e.ip } : {}) }; },
      check: (_out, v) => (v.podEth0IP === v.ipA ? undefined : `eth0 has ${v.podEth0IP}, the API says ${v.ipA}`),
      explain: (v) => `The pod's eth0 has ${v.ipA} (the API's pod IP); "eth0@if${v.peer}" says its veth peer is interface ${v.peer} of the node.`,
    },
    {
      title: 'The veth peer on the node (ip link | grep -A1 ^N:)',
      command: (v) => ({ where: { on: 'node', node: v.nodeA! }, argv: ['sh', '-c', `ip link | grep -A1 '^${v.peer}:'`] }),
      learn: (out, v) => { const l = readLinkLine(out, num(v, 'peer')); return { veth: l.name, ...(l.master ? { bridge: l.master } : {}) }; },
      check: (out, v) => (out.startsWith(`${v.peer}: ${v.veth}@`) ? undefined : `interface ${v.peer} is not ${v.veth}`),
      explain: (v) => `Interface ${v.peer} of ${v.nodeA} is ${v.veth}, the host end of the pod's veth pair (link-netns: the pod's namespace)${v.bridge ? `, plugged into the bridge ${v.bridge}` : '; no bridge: Calico routes to it with a /32'}.`,
    },
    {
      title: 'The bridge and its ports (brctl show → bridge link)',
      skip: (v) => (v.bridge ? undefined : 'the veth has no bridge (routed pods)'),
      command: (v) => ({ where: { on: 'node', node: v.nodeA! }, argv: ['bridge', 'link', 'show'] }),
      check: (out, v) => (new RegExp(`: ${v.veth}@\\S+: .* master ${v.bridge} `).test(out) ? undefined : `${v.veth} is not a port of ${v.bridge}`),
      explain: (v) => `${v.bridge}'s ports are the veths of ${v.nodeA}'s pods, ${v.veth} among them: pods on one node reach each other through this bridge.`,
    },
    {
      title: 'Capture in the pod (tcpdump -i eth0 while it pings another pod)',
      skip: needB,
      command: (v) => ({ where: { on: 'pod', pid: num(v, 'pid') }, timeoutMs: 20_000,
        argv: ['sh', '-c', `timeout 8 tcpdump -i eth0 -nn -c 2 icmp 2>&1 & sleep 1; ping -c 1 -W 3 ${v.ipB} >/dev/null; wait`] }),
      check: (out, v) => (out.includes(`${v.ipA} > ${v.ipB}: ICMP echo request`) ? undefined : `no echo request ${v.ipA} > ${v.ipB}`),
      explain: (v) => `tcpdump in the pod's namespace sees ${v.podA}'s ping to ${v.podB} leave eth0; for a rare fault seed 003 rotates files instead (-w f.pcap -W 10 -C 100 -G 60, podnet capture --files/--size/--rotate).`,
    },
    {
      title: 'The CNI result cache (/var/lib/cni/results)',
      command: (v) => {
        const dir = join(nodeStatePaths(labNodeStateDir(v.lab!, v.nodeA!)).cacheDir, 'results');
        const f = readdirSync(dir).find((n) => n.includes(`-${v.sandbox}`) && n.endsWith('-eth0'));
        if (!f) throw new TourError('ETOUR', `no cache entry for sandbox ${v.sandbox} in ${dir}`);
        return { where: { on: 'node', node: v.nodeA! }, argv: ['cat', join(dir, f)] };
      },
      check: (out, v) => (out.includes(`"${v.ipA}/`) ? undefined : `no ${v.ipA} in the cached result`),
      explain: (v) => `libcni keeps each ADD's config and result per sandbox: the plugins gave eth0 ${v.ipA} with its gateway and routes, and listed ${v.veth} on the host side.`,
    },
    {
      title: 'The node\'s podCIDR (kubectl get no NODE -o jsonpath={.spec})',
      command: (v) => ({ where: { on: 'kubectl' }, argv: ['get', 'node', v.nodeA!, '-o', 'jsonpath={.spec}'] }),
      learn: (out) => ({ podCIDR: (JSON.parse(out) as { podCIDR?: string }).podCIDR ?? '' }),
      check: (_out, v) => (v.podCIDR && inCidr(v.ipA!, v.podCIDR) ? undefined : `${v.ipA} is not in ${v.podCIDR}`),
      explain: (v) => `${v.nodeA} owns ${v.podCIDR}: host-local hands its pods addresses from it (${v.ipA} is one), and other nodes route it to ${v.nodeA}.`,
    },
    {
      title: 'Plan the address space (seed 003\'s /12 with /16 per node)',
      command: () => ({ where: { on: 'podnet' }, argv: ['plan', '--cluster-cidr', '10.244.0.0/12', '--node-cidr-mask-size', '16'] }),
      check: (out) => (/Node subnets:\s+\/16: 16 \(/.test(out) ? undefined : 'no "/16: 16" node subnets'),
      explain: () => 'A /12 cluster CIDR cut into /16 per node leaves room for only 16 nodes: check this before the cluster grows.',
    },
  ],
};

// ---------------------------------------------------------------- seed 000

const seed000: Tour = {
  name: 'seed-000',
  title: 'seed 000\'s packet path: pod → pod on another node (routes, VXLAN, the wire), pod → Service (rules, DNAT, conntrack)',
  steps: [
    nodesStep,
    podsStep,
    {
      title: 'The pod\'s sandbox, netns and veth peer in one command',
      command: (v) => ({ where: { on: 'podnet' }, argv: ['inspect', 'pod', v.podA!, '-n', v.nsA!, '--lab', v.lab!] }),
      learn: (out) => {
        const pid = /pause pid (\d+)/.exec(out)?.[1];
        if (!pid) throw new TourError('ETOUR', 'no pause pid in inspect pod');
        const veth = /^\s+((?:veth|cali)\S+)\s+(\d+)\s/m.exec(out);
        return { pid, ...(veth ? { veth: veth[1]!, peer: veth[2]! } : {}) };
      },
      check: (out, v) => (new RegExp(`^Node:\\s+${v.nodeA}$`, 'm').test(out) ? undefined : `not on ${v.nodeA}`),
      explain: (v) => `What seed 000 gets from docker inspect and nsenter: ${v.podA}'s pause process (PID ${v.pid}) holds its netns; its eth0 is paired with ${v.veth ?? 'a veth'} on ${v.nodeA}.`,
    },
    {
      title: 'Routes inside the pod (nsenter -t PID -n ip route)',
      command: (v) => ({ where: { on: 'pod', pid: num(v, 'pid') }, argv: ['ip', 'route'] }),
      learn: (out) => ({ podGw: /^default via (\S+)/m.exec(out)?.[1] ?? '' }),
      check: (out, v) => (v.podGw && /dev eth0/.test(out) ? undefined : 'no default route via eth0'),
      explain: (v) => `Everything the pod sends off its own subnet goes out eth0 to ${v.podGw}, the node's side (the bridge's address): the packet is now the node's to route.`,
    },
    {
      title: 'The node\'s route to the other pod (ip route get)',
      skip: needB,
      command: (v) => ({ where: { on: 'node', node: v.nodeA! }, argv: ['ip', 'route', 'get', v.ipB!] }),
      learn: (out) => { const r = readRouteGet(out); return { dev: r.dev, ...(r.via ? { via: r.via } : {}) }; },
      check: (out, v) => (out.startsWith(v.ipB!) ? undefined : 'no route'),
      explain: (v) => `On ${v.nodeA}, ${v.podB}'s address ${v.ipB} leaves by ${v.dev}${v.via ? ` via ${v.via}` : ''}: the route flannel (or BIRD) installed for ${v.nodeB}'s pod subnet.`,
    },
    {
      title: 'The tunnel device (ip -d link show)',
      skip: needB,
      command: (v) => ({ where: { on: 'node', node: v.nodeA! }, argv: ['ip', '-d', 'link', 'show', v.dev!] }),
      learn: (out) => { const x = readVxlan(out); return x ? { vni: String(x.vni), vxport: String(x.port), ...(x.local ? { vtep: x.local } : {}) } : {}; },
      check: (out, v) => (out.includes(`: ${v.dev}`) ? undefined : `no ${v.dev}`),
      explain: (v) => (v.vni ? `${v.dev} is a VXLAN device: VNI ${v.vni}, UDP port ${v.vxport}, local VTEP ${v.vtep ?? v[`nodeIP:${v.nodeA}`]} — it wraps each frame in UDP to the other node.` : `${v.dev} carries the packet to ${v.nodeB} as it is (no encapsulation).`),
    },
    {
      title: 'Where the tunnel sends it (bridge fdb show dev)',
      skip: (v) => needB(v) ?? (v.vni ? undefined : 'not a VXLAN device'),
      command: (v) => ({ where: { on: 'node', node: v.nodeA! }, argv: ['bridge', 'fdb', 'show', 'dev', v.dev!] }),
      check: (out, v) => (out.includes(`dst ${v[`nodeIP:${v.nodeB}`]}`) ? undefined : `no FDB entry to ${v[`nodeIP:${v.nodeB}`]}`),
      explain: (v) => `flanneld programs one FDB entry per remote node: ${v.nodeB}'s VTEP MAC → its underlay address ${v[`nodeIP:${v.nodeB}`]}, where the UDP packet goes.`,
    },
    {
      title: 'On the wire between the nodes (tcpdump on eth0 while the pod pings)',
      skip: needB,
      command: (v) => ({ where: { on: 'node', node: v.nodeA! }, timeoutMs: 20_000,
        argv: ['sh', '-c', `timeout 8 tcpdump -i eth0 -nn -c 2 ${v.vni ? `udp port ${v.vxport}` : `host ${v.ipB}`} 2>&1 & sleep 1; nsenter --target ${v.pid} -n ping -c 1 -W 3 ${v.ipB} >/dev/null; wait`] }),
      check: (out, v) => (out.includes(`${v.ipA} > ${v.ipB}: ICMP echo request`) ? undefined : `no ${v.ipA} > ${v.ipB} echo request on ${v.nodeA}'s eth0`),
      explain: (v) => (v.vni ? `The ping ${v.ipA} > ${v.ipB} travels inside UDP ${v.vxport} from ${v[`nodeIP:${v.nodeA}`]} to ${v[`nodeIP:${v.nodeB}`]} (tcpdump calls VXLAN on 8472 "OTV" and decodes the inner packet).` : `The ping ${v.ipA} > ${v.ipB} crosses the underlay unchanged, routed to ${v.nodeB}.`),
    },
    {
      title: 'The Services',
      command: () => ({ where: { on: 'kubectl' }, argv: ['get', 'svc', '-A'] }),
      learn: (out) => { const s = pickService(out); return { svcNs: s.namespace, svc: s.name, clusterIP: s.clusterIP, svcPort: String(s.port) }; },
      check: (out, v) => (out.includes(v.clusterIP!) ? undefined : 'no ClusterIP'),
      explain: (v) => `${v.svcNs}/${v.svc} has the virtual address ${v.clusterIP}:${v.svcPort}; no interface holds it, only kube-proxy's rules know it.`,
    },
    {
      title: 'Its endpoints',
      command: (v) => ({ where: { on: 'kubectl' }, argv: ['get', 'endpoints', v.svc!, '-n', v.svcNs!] }),
      learn: (out) => ({ epIP: readFirstEndpoint(out) }),
      check: (out, v) => (out.includes(v.epIP!) ? undefined : 'no endpoint'),
      explain: (v) => `The pods behind it (the endpoints controller follows its selector): ${v.epIP} among them.`,
    },
    {
      title: 'kube-proxy\'s rules for it on the node',
      command: (v) => ({ where: { on: 'podnet' }, argv: ['inspect', 'svc', v.svc!, '-n', v.svcNs!, '--lab', v.lab!, '--node', v.nodeA!] }),
      learn: (out) => ({ proxyMode: /proxy mode (\S+)\)/.exec(out)?.[1] ?? '' }),
      check: (out, v) => (/^Rules on node/m.test(out) && (v.proxyMode === 'userspace' || out.includes(v.epIP!)) ? undefined : `no rule naming ${v.epIP}`),
      explain: (v) => `In ${v.proxyMode} mode ${v.nodeA}'s kernel matches ${v.clusterIP}:${v.svcPort}, picks an endpoint and rewrites the destination (DNAT) to it, e.g. ${v.epIP}.`,
    },
    {
      title: 'The pod connects to the ClusterIP',
      command: (v) => ({ where: { on: 'pod', pid: num(v, 'pid') }, timeoutMs: 15_000,
        argv: ['timeout', '5', 'bash', '-c', `exec 3<>/dev/tcp/${v.clusterIP}/${v.svcPort} && echo connected to ${v.clusterIP}:${v.svcPort}`] }),
      check: (out, v) => (out.includes(`connected to ${v.clusterIP}`) ? undefined : 'the connection failed'),
      explain: (v) => `${v.podA} opens TCP to ${v.clusterIP}:${v.svcPort}; the first packet is DNATed on ${v.nodeA} on its way out of the pod.`,
    },
    {
      title: 'What conntrack remembers (conntrack -L)',
      command: (v) => ({ where: { on: 'node', node: v.nodeA! }, argv: ['conntrack', '-L', '-p', 'tcp', '--orig-src', v.ipA!, '--orig-dst', v.clusterIP!, '--dport', v.svcPort!] }),
      learn: (out, v) => ({ chosenEp: new RegExp(`dst=${v.clusterIP!.replace(/\./g, '\\.')} .*?src=(\\d+\\.\\d+\\.\\d+\\.\\d+)`).exec(out)?.[1] ?? '' }),
      check: (_out, v) => (v.chosenEp ? undefined : `no entry to ${v.clusterIP}`),
      explain: (v) => `The entry's original destination is ${v.clusterIP}:${v.svcPort}; its reply comes from ${v.chosenEp}, the endpoint chosen: replies are rewritten back, so the pod only ever sees the ClusterIP.`,
    },
    {
      title: 'The same, named (podnet flows)',
      command: (v) => ({ where: { on: 'podnet' }, argv: ['flows', '--lab', v.lab!, '--svc', `${v.svcNs}/${v.svc}`, '--pod', `${v.nsA}/${v.podA}`] }),
      check: (out, v) => (out.includes(`${v.nsA}/${v.podA}`) && out.includes(`${v.svcNs}/${v.svc}`) ? undefined : 'no named flow'),
      explain: (v) => `podnet flows reads every node's conntrack and names both ends: ${v.podA} → the endpoint pod at ${v.chosenEp}, through ${v.svcNs}/${v.svc}.`,
    },
  ],
};

export const TOURS: readonly Tour[] = [seed000, seed003];

export function tourByName(name: string): Tour {
  const t = TOURS.find((x) => x.name === name || x.name === `seed-${name}` || x.name.replace('-', '') === name);
  if (!t) throw new TourError('EFLAG', `no tour "${name}" (tours: ${TOURS.map((x) => x.name).join(', ')})`);
  return t;
}
