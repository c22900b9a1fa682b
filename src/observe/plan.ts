/**
 * Address-space planning (pure): how a cluster CIDR splits into per-node pod subnets, how many pods
 * fit in each, how many Services a service range holds, and what overlaps or looks wrong. What is
 * counted follows podnet's own allocators, which follow upstream:
 * - node subnets: the node IPAM controller carves the cluster CIDR into /node-mask subnets
 *   (src/ipam/cidr.ts; it refuses more than 2^20 of them);
 * - pod addresses in a node subnet: host-local (the bridge plugin's IPAM) hands out network+1 …
 *   the last address, minus the broadcast address for IPv4 and minus the gateway (network+1, the
 *   bridge's address): size − 3 for IPv4, size − 2 for IPv6;
 * - ClusterIPs: every address but the network (and for IPv4 the broadcast) address (src/ipam/serviceip.ts);
 *   the first one goes to default/kubernetes;
 * - IPAM blocks (calico-style --pool-block-size): the pool carved into /block blocks, every address usable.
 */
import { bitsOf, cidrSize, formatCidr, isNetwork, network, overlaps, tryParseCidr, type Cidr } from '../util/addr.js';
import { PodnetError } from '../util/errors.js';

export class PlanError extends PodnetError {
  constructor(message: string) { super('EPLAN', message); }
}

export interface PlanInput {
  clusterCidr: string;
  nodeCidrMaskSize: number;
  serviceClusterIpRange?: string;
  poolBlockSize?: number;
  /** The kubelet's --max-pods (default 110). */
  maxPods?: number;
}

export interface RangeOverlap { a: string; b: string; cidrA: string; cidrB: string }

export interface Plan {
  clusterCidr: string;
  nodeCidrMaskSize: number;
  /** Node subnets the cluster CIDR holds: 2^(mask − prefix). */
  nodes: number;
  /** Addresses in one node subnet. */
  addressesPerNode: string;
  /** Addresses host-local can give pods in one node subnet (see the module comment). */
  podIPsPerNode: string;
  /** What the kubelet admits: min(podIPsPerNode, maxPods). */
  podsPerNode: number;
  maxPods: number;
  /** nodes × podsPerNode. */
  podsTotal: string;
  /** First and last node subnets. */
  firstNodeCidr: string;
  lastNodeCidr: string;
  service?: { range: string; addresses: string; clusterIPs: string };
  pool?: { blockSize: number; blocks: number; addressesPerBlock: string };
  overlaps: RangeOverlap[];
  warnings: string[];
}

export const DEFAULT_MAX_PODS = 110;
/** The node IPAM controller's limit on node subnets (src/ipam/cidr.ts). */
export const MAX_NODE_SUBNETS = 1 << 20;
/** Below this many pod addresses per node, warn. */
export const SMALL_PODS_PER_NODE = 16;

function parse(what: string, s: string, warnings: string[]): Cidr {
  const c = tryParseCidr(s.trim());
  if (!c) throw new PlanError(`${what} "${s}" is not a CIDR`);
  if (!isNetwork(c)) warnings.push(`${what} ${s} has host bits set: it means ${formatCidr(network(c))}`);
  return network(c);
}

function intFlag(what: string, n: number, min: number, max: number): number {
  if (!Number.isInteger(n) || n < min || n > max) throw new PlanError(`${what} must be an integer from ${min} to ${max}, not ${n}`);
  return n;
}

/** The plan for the given ranges; throws PlanError (EPLAN) on input that is not a range at all. */
export function planAddressSpace(i: PlanInput): Plan {
  const warnings: string[] = [];
  const cluster = parse('--cluster-cidr', i.clusterCidr, warnings);
  const fam = cluster.ip.family;
  const bits = bitsOf(fam);
  const mask = intFlag('--node-cidr-mask-size', i.nodeCidrMaskSize, 0, bits);
  const maxPods = intFlag('--max-pods', i.maxPods ?? DEFAULT_MAX_PODS, 1, 1_000_000);
  if (mask <= cluster.prefix) {
    warnings.push(mask === cluster.prefix
      ? `--node-cidr-mask-size /${mask} is the cluster CIDR's own prefix: one node gets the whole cluster CIDR`
      : `--node-cidr-mask-size /${mask} is shorter than the cluster CIDR /${cluster.prefix}: no node subnet fits (the node IPAM controller refuses it)`);
  }
  const nodes = mask >= cluster.prefix ? 2 ** (mask - cluster.prefix) : 0;
  if (nodes > MAX_NODE_SUBNETS) warnings.push(`${nodes} node subnets is more than the node IPAM controller's ${MAX_NODE_SUBNETS}: it refuses this cluster CIDR and mask`);
  const perNode = 1n << BigInt(bits - mask);
  const reserved = fam === 4 ? 3n : 2n;
  const podIPs = perNode > reserved ? perNode - reserved : 0n;
  const podsPerNode = Number(podIPs < BigInt(maxPods) ? podIPs : BigInt(maxPods));
  if (podIPs === 0n) warnings.push(`a /${mask} node subnet leaves no pod address (network, gateway${fam === 4 ? ', broadcast' : ''} take ${reserved})`);
  else if (podIPs < BigInt(SMALL_PODS_PER_NODE)) warnings.push(`only ${podIPs} pod addresses per node (/${mask})`);
  if (podIPs > 0n && podIPs < BigInt(maxPods)) warnings.push(`a /${mask} node subnet has ${podIPs} pod addresses, fewer than --max-pods ${maxPods}: the node runs out of addresses first`);
  const step = perNode;
  const first: Cidr = { ip: cluster.ip, prefix: Math.max(mask, cluster.prefix) };
  const last: Cidr = nodes > 0 ? { ip: { family: fam, value: cluster.ip.value + BigInt(nodes - 1) * step }, prefix: mask } : first;

  const named: { name: string; cidr: Cidr }[] = [{ name: 'cluster-cidr', cidr: cluster }];
  let service: Plan['service'];
  if (i.serviceClusterIpRange !== undefined) {
    const svc = parse('--service-cluster-ip-range', i.serviceClusterIpRange, warnings);
    if (svc.ip.family !== fam) throw new PlanError(`--service-cluster-ip-range ${i.serviceClusterIpRange} is IPv${svc.ip.family}, the cluster CIDR IPv${fam}`);
    const size = cidrSize(svc);
    const usable = size - (fam === 4 ? 2n : 1n);
    service = { range: formatCidr(svc), addresses: String(size), clusterIPs: String(usable > 0n ? usable : 0n) };
    if (usable < 1n) warnings.push(`--service-cluster-ip-range ${formatCidr(svc)} has no usable ClusterIP`);
    if (fam === 4 && svc.prefix < 12) warnings.push(`--service-cluster-ip-range ${formatCidr(svc)} is larger than the API server accepts (an IPv4 service range must be /12 or longer)`);
    named.push({ name: 'service-cluster-ip-range', cidr: svc });
  }
  let pool: Plan['pool'];
  if (i.poolBlockSize !== undefined) {
    const bs = intFlag('--pool-block-size', i.poolBlockSize, 0, bits);
    if (bs < cluster.prefix) warnings.push(`--pool-block-size /${bs} is shorter than the pool /${cluster.prefix}: no block fits`);
    pool = { blockSize: bs, blocks: bs >= cluster.prefix ? 2 ** (bs - cluster.prefix) : 0, addressesPerBlock: String(1n << BigInt(bits - bs)) };
  }
  const ov: RangeOverlap[] = [];
  for (let a = 0; a < named.length; a++) {
    for (let b = a + 1; b < named.length; b++) {
      if (!overlaps(named[a]!.cidr, named[b]!.cidr)) continue;
      ov.push({ a: named[a]!.name, b: named[b]!.name, cidrA: formatCidr(named[a]!.cidr), cidrB: formatCidr(named[b]!.cidr) });
      warnings.push(`--${named[a]!.name} ${formatCidr(named[a]!.cidr)} overlaps --${named[b]!.name} ${formatCidr(named[b]!.cidr)}: pod and Service addresses would collide`);
    }
  }
  return {
    clusterCidr: formatCidr(cluster), nodeCidrMaskSize: mask, nodes,
    addressesPerNode: String(perNode), podIPsPerNode: String(podIPs), podsPerNode, maxPods,
    podsTotal: String(BigInt(nodes) * BigInt(podsPerNode)),
    firstNodeCidr: formatCidr(first), lastNodeCidr: formatCidr(last),
    ...(service ? { service } : {}), ...(pool ? { pool } : {}),
    overlaps: ov, warnings,
  };
}
