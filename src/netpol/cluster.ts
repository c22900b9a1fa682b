/** API objects → the evaluation model (pure; the agent and the tests build it the same way). */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { createHash } from 'node:crypto';
import { type ClusterModel, modelDigestInput, namespaceInfo, podInfo, policyInfo } from './model.js';
import { cidrRange, numToIpv4 } from './ranges.js';

/** Pods that can carry traffic: not finished. */
function livePod(p: Pod): boolean { return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'; }

/** Calico mode marks its nodes with this annotation (calico-node writes it). */
const CALICO_NODE_ADDR = 'projectcalico.org/IPv4Address';
const CALICO_VXLAN_ADDR = 'projectcalico.org/IPv4VXLANTunnelAddr';

/**
 * The host network's addresses: each node's InternalIP/ExternalIP plus, with flannel, the first two
 * addresses of its podCIDR (flannel.1/flannel0 take .0, the cni0 bridge .1), with Calico its VXLAN tunnel
 * address (Calico's pods may hold any address of a block, so no podCIDR address is the host's): traffic
 * from or to them is the node's own. An address a live pod holds is never the host's.
 */
export function hostAddresses(nodes: readonly Node[], podIPs: ReadonlySet<string> = new Set()): string[] {
  const out = new Set<string>();
  for (const n of nodes) {
    for (const a of n.status?.addresses ?? []) if ((a.type === 'InternalIP' || a.type === 'ExternalIP') && !a.address.includes(':')) out.add(a.address);
    const ann = n.metadata?.annotations ?? {};
    if (ann[CALICO_NODE_ADDR] !== undefined) {
      const tun = ann[CALICO_VXLAN_ADDR];
      if (tun && !tun.includes(':')) out.add(tun.split('/')[0]);
      continue;
    }
    const r = n.spec?.podCIDR ? cidrRange(n.spec.podCIDR) : undefined;
    if (r) { out.add(numToIpv4(r[0])); out.add(numToIpv4(r[0] + 1)); }
  }
  return [...out].filter((a) => !podIPs.has(a)).sort();
}

export function buildModel(namespaces: readonly Namespace[], pods: readonly Pod[], policies: readonly NetworkPolicy[], nodes: readonly Node[]): ClusterModel {
  const live = pods.filter(livePod);
  const podIPs = new Set<string>(live.filter((p) => !p.spec?.hostNetwork).flatMap((p) => [...(p.status?.podIPs ?? []).map((i) => i.ip ?? ''), p.status?.podIP ?? '']).filter((a) => a !== ''));
  return {
    namespaces: new Map(namespaces.map((n) => { const i = namespaceInfo(n); return [i.name, i]; })),
    pods: live.map(podInfo),
    policies: policies.map(policyInfo),
    hostIPs: hostAddresses(nodes, podIPs),
  };
}

/** sha256 of what enforcement depends on (see modelDigestInput). */
export function modelDigest(m: ClusterModel): string { return createHash('sha256').update(modelDigestInput(m)).digest('hex').slice(0, 16); }
