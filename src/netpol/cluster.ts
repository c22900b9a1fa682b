/** API objects → the evaluation model (pure; the agent and the tests build it the same way). */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { createHash } from 'node:crypto';
import { type ClusterModel, modelDigestInput, namespaceInfo, podInfo, policyInfo } from './model.js';
import { cidrRange, numToIpv4 } from './ranges.js';

/** Pods that can carry traffic: not finished. */
function livePod(p: Pod): boolean { return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'; }

/**
 * The host network's addresses: each node's InternalIP/ExternalIP plus the first two addresses of its
 * podCIDR (flannel.1 takes .0, the cni0 bridge .1): traffic from or to them is the node's own.
 */
export function hostAddresses(nodes: readonly Node[]): string[] {
  const out = new Set<string>();
  for (const n of nodes) {
    for (const a of n.status?.addresses ?? []) if ((a.type === 'InternalIP' || a.type === 'ExternalIP') && !a.address.includes(':')) out.add(a.address);
    const r = n.spec?.podCIDR ? cidrRange(n.spec.podCIDR) : undefined;
    if (r) { out.add(numToIpv4(r[0])); out.add(numToIpv4(r[0] + 1)); }
  }
  return [...out].sort();
}

export function buildModel(namespaces: readonly Namespace[], pods: readonly Pod[], policies: readonly NetworkPolicy[], nodes: readonly Node[]): ClusterModel {
  return {
    namespaces: new Map(namespaces.map((n) => { const i = namespaceInfo(n); return [i.name, i]; })),
    pods: pods.filter(livePod).map(podInfo),
    policies: policies.map(policyInfo),
    hostIPs: hostAddresses(nodes),
  };
}

/** sha256 of what enforcement depends on (see modelDigestInput). */
export function modelDigest(m: ClusterModel): string { return createHash('sha256').update(modelDigestInput(m)).digest('hex').slice(0, 16); }
