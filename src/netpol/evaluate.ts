/**
 * The NetworkPolicy specification as a pure function: given the cluster (namespaces, pods, policies)
 * and one probe, is the connection allowed, and which policies decided? This is the oracle the
 * kernel rules are tested against.
 */
import type { NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { type ClusterModel, type PodInfo, type PolicyInfo, type Protocol, policyKey, selectingPolicies, selectorMatches } from './model.js';
import { inRanges, ipBlockRanges } from './ranges.js';

/** One end of a probe: a pod of the model, or a bare address (outside the cluster, or a node). */
export type Endpoint = { pod: PodInfo } | { ip: string };

export interface Probe { src: Endpoint; dst: Endpoint; protocol: Protocol; port: number }

export interface DirectionVerdict {
  /** some policy selects the pod for this direction */
  isolated: boolean;
  allowed: boolean;
  /** the policies whose rules allow the traffic (ns/name) */
  allowedBy: string[];
  /** when isolated: the policies selecting the pod (its default deny comes from them) */
  selectedBy: string[];
  reason: string;
}

export interface Verdict { allowed: boolean; egress: DirectionVerdict; ingress: DirectionVerdict }

function ipOf(e: Endpoint): string | undefined { return 'pod' in e ? e.pod.ip : e.ip; }
function podOf(e: Endpoint): PodInfo | undefined { return 'pod' in e ? e.pod : undefined; }

/** Does one peer of `policy` (from/to entry) match the endpoint at the other end? */
export function peerMatches(m: ClusterModel, policy: PolicyInfo, peer: NetworkPolicyPeer, other: Endpoint): boolean {
  if (peer.ipBlock) {
    const ip = ipOf(other);
    return ip !== undefined && inRanges(ipBlockRanges(peer.ipBlock), ip);
  }
  const pod = podOf(other);
  if (!pod || pod.hostNetwork) return false;
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  if (peer.namespaceSelector) {
    const ns = m.namespaces.get(pod.namespace);
    if (!selectorMatches(peer.namespaceSelector, ns?.labels ?? { 'kubernetes.io/metadata.name': pod.namespace })) return false;
  } else if (pod.namespace !== policy.namespace) return false;
  return selectorMatches(peer.podSelector, pod.labels);
}

/** Does one ports entry match (protocol, port) at the destination? Named ports resolve on `dstPod`. */
export function portMatches(p: NetworkPolicyPort, protocol: Protocol, port: number, dstPod: PodInfo | undefined): boolean {
  const proto = (p.protocol ?? 'TCP') as Protocol;
  if (proto !== protocol) return false;
  if (p.port === undefined || p.port === null) return true;
  if (typeof p.port === 'number' || /^\d+$/.test(String(p.port))) {
    const lo = Number(p.port);
    const hi = p.endPort ?? lo;
    return port >= lo && port <= hi;
  }
  if (!dstPod) return false;
  return dstPod.namedPorts.some((np) => np.name === p.port && np.protocol === protocol && np.port === port);
}

function direction(m: ClusterModel, dir: 'ingress' | 'egress', subject: Endpoint, other: Endpoint, protocol: Protocol, port: number, dstPod: PodInfo | undefined): DirectionVerdict {
  const pod = podOf(subject);
  if (!pod) return { isolated: false, allowed: true, allowedBy: [], selectedBy: [], reason: 'not a pod' };
  if (pod.hostNetwork) return { isolated: false, allowed: true, allowedBy: [], selectedBy: [], reason: 'host network' };
  const sel = selectingPolicies(m, pod, dir);
  if (!sel.length) return { isolated: false, allowed: true, allowedBy: [], selectedBy: [], reason: `no policy selects ${pod.namespace}/${pod.name} for ${dir}` };
  const allowedBy: string[] = [];
  for (const pol of sel) {
    const rules = (dir === 'ingress' ? pol.spec.ingress : pol.spec.egress) ?? [];
    const ok = rules.some((r) => {
      const peers = (dir === 'ingress' ? (r as { from?: NetworkPolicyPeer[] }).from : (r as { to?: NetworkPolicyPeer[] }).to) ?? [];
      const ports = r.ports ?? [];
      const peerOk = peers.length === 0 || peers.some((pe) => peerMatches(m, pol, pe, other));
      const portOk = ports.length === 0 || ports.some((pp) => portMatches(pp, protocol, port, dstPod));
      return peerOk && portOk;
    });
    if (ok) allowedBy.push(policyKey(pol));
  }
  const selectedBy = sel.map(policyKey);
  return allowedBy.length
    ? { isolated: true, allowed: true, allowedBy, selectedBy, reason: `${dir} allowed by ${allowedBy.join(', ')}` }
    : { isolated: true, allowed: false, allowedBy, selectedBy, reason: `${dir} of ${pod.namespace}/${pod.name} denied: selected by ${selectedBy.join(', ')}, no rule allows` };
}

function isHost(m: ClusterModel, e: Endpoint): boolean {
  const pod = podOf(e);
  if (pod) return pod.hostNetwork;
  return 'ip' in e && m.hostIPs.includes(e.ip);
}

/** Evaluates one probe: egress at the source, ingress at the destination, both must allow. */
export function evaluate(m: ClusterModel, probe: Probe): Verdict {
  const open: DirectionVerdict = { isolated: false, allowed: true, allowedBy: [], selectedBy: [], reason: '' };
  const sp = podOf(probe.src), dp = podOf(probe.dst);
  if (sp && dp && sp.namespace === dp.namespace && sp.name === dp.name) {
    const self = { ...open, reason: 'traffic to itself' };
    return { allowed: true, egress: self, ingress: self };
  }
  // the host network (nodes, hostNetwork pods) is never subject to policy, at either end
  const hostSrc = isHost(m, probe.src), hostDst = isHost(m, probe.dst);
  const egress = hostSrc ? { ...open, reason: 'host network' } : hostDst ? { ...open, reason: 'to the host network' } : direction(m, 'egress', probe.src, probe.dst, probe.protocol, probe.port, dp);
  const ingress = hostDst ? { ...open, reason: 'host network' } : hostSrc ? { ...open, reason: 'from the host network' } : direction(m, 'ingress', probe.dst, probe.src, probe.protocol, probe.port, dp);
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}
