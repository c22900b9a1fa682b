/** What `podnet trace` needs from the API, read once: nodes, pods, Services, namespaces, NetworkPolicies. */
import type { Namespace, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { createClient, loadKubeconfig, R } from '../client/index.js';
import type { KObject } from '../meta/types.js';

export interface TraceCluster {
  nodes: (Node & KObject)[];
  pods: (Pod & KObject)[];
  services: (Service & KObject)[];
  namespaces: (Namespace & KObject)[];
  policies: (NetworkPolicy & KObject)[];
}

export async function readTraceCluster(kubeconfig: string): Promise<TraceCluster> {
  const client = createClient({ ...loadKubeconfig(kubeconfig), userAgent: 'podnet-trace' });
  try {
    const [nodes, pods, services, namespaces, policies] = await Promise.all([
      client.list<Node & KObject>(R.nodes), client.list<Pod & KObject>(R.pods), client.list<Service & KObject>(R.services),
      client.list<Namespace & KObject>(R.namespaces), client.list<NetworkPolicy & KObject>(R.networkpolicies).catch(() => ({ items: [] as (NetworkPolicy & KObject)[] })),
    ]);
    return { nodes: nodes.items, pods: pods.items, services: services.items, namespaces: namespaces.items, policies: policies.items };
  } finally { client.close(); }
}

export function nodeIP(n: Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

/** The pod (not hostNetwork, not finished) holding `ip`. */
export function podByIP(c: TraceCluster, ip: string): (Pod & KObject) | undefined {
  return c.pods.find((p) => !p.spec?.hostNetwork && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'
    && (p.status?.podIP === ip || (p.status?.podIPs ?? []).some((x) => x.ip === ip)));
}

export function nodeByIP(c: TraceCluster, ip: string): (Node & KObject) | undefined {
  return c.nodes.find((n) => (n.status?.addresses ?? []).some((a) => a.address === ip));
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const n = (s: string): number => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const b = Number(bits);
  if (!net || Number.isNaN(b) || net.includes(':') || ip.includes(':')) return false;
  const size = 2 ** (32 - b);
  return Math.floor(n(ip) / size) === Math.floor(n(net) / size);
}

/** The node whose podCIDR holds `ip` (flannel), if any. */
export function nodeByPodCIDR(c: TraceCluster, ip: string): (Node & KObject) | undefined {
  return c.nodes.find((n) => (n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])).some((x) => inCidr(ip, x)));
}

export { inCidr };
