/**
 * The inputs of NetworkPolicy evaluation, reduced to what the specification looks at: namespaces
 * (labels), pods (namespace, name, labels, IP, node, named container ports) and the policies.
 * Both the pure evaluator and the kernel rule generator read this one model.
 */
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { Pod, Namespace } from 'kubernetes-types/core/v1.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export interface NamedPort { name: string; port: number; protocol: Protocol }

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Pod IP (IPv4); undefined while the pod has none. */
  ip?: string;
  node?: string;
  hostNetwork: boolean;
  namedPorts: NamedPort[];
}

export interface NamespaceInfo { name: string; labels: Record<string, string> }

/** A policy as evaluated: spec with policyTypes made explicit. */
export interface PolicyInfo {
  namespace: string;
  name: string;
  spec: NonNullable<NetworkPolicy['spec']>;
  ingress: boolean;
  egress: boolean;
}

export interface ClusterModel {
  namespaces: Map<string, NamespaceInfo>;
  pods: PodInfo[];
  policies: PolicyInfo[];
  /** Addresses of the nodes themselves (host network): never subject to policy. */
  hostIPs: string[];
}

/**
 * policyTypes as the API server defaults them when omitted: Ingress always, Egress iff the policy
 * has egress rules.
 */
export function effectiveTypes(spec: NonNullable<NetworkPolicy['spec']>): { ingress: boolean; egress: boolean } {
  const t = spec.policyTypes;
  if (t && t.length) return { ingress: t.includes('Ingress'), egress: t.includes('Egress') };
  return { ingress: true, egress: (spec.egress?.length ?? 0) > 0 };
}

/** metav1.LabelSelector: matchLabels AND matchExpressions; {} matches everything. */
export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!has || !vals.includes(labels[e.key]!)) return false; break;
      case 'NotIn': if (has && vals.includes(labels[e.key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

function asProtocol(p: string | undefined): Protocol { return p === 'UDP' || p === 'SCTP' ? p : 'TCP'; }

export function policyInfo(p: NetworkPolicy): PolicyInfo {
  const spec = p.spec ?? { podSelector: {} };
  return { namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '', spec, ...effectiveTypes(spec) };
}

export function podInfo(p: Pod): PodInfo {
  const namedPorts: NamedPort[] = [];
  for (const c of p.spec?.containers ?? []) for (const cp of c.ports ?? []) if (cp.name) namedPorts.push({ name: cp.name, port: cp.containerPort, protocol: asProtocol(cp.protocol) });
  const ip = p.status?.podIP || undefined;
  return {
    namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '', labels: { ...(p.metadata?.labels ?? {}) },
    ip: ip && !ip.includes(':') ? ip : undefined, node: p.spec?.nodeName, hostNetwork: p.spec?.hostNetwork === true, namedPorts,
  };
}

export function namespaceInfo(n: Namespace): NamespaceInfo {
  const name = n.metadata?.name ?? '';
  // kubernetes.io/metadata.name is set by the API server on every namespace; add it if a store lacks it.
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...(n.metadata?.labels ?? {}) } };
}

export function policyKey(p: { namespace: string; name: string }): string { return `${p.namespace}/${p.name}`; }

/** Pods that live in their own netns with an IP: the only ones policies can isolate. */
export function policyPods(m: ClusterModel): PodInfo[] {
  return m.pods.filter((p) => !p.hostNetwork && p.ip !== undefined);
}

/** Which policies select `pod` for a direction. */
export function selectingPolicies(m: ClusterModel, pod: PodInfo, dir: 'ingress' | 'egress'): PolicyInfo[] {
  if (pod.hostNetwork) return [];
  return m.policies.filter((p) => p[dir] && p.namespace === pod.namespace && selectorMatches(p.spec.podSelector, pod.labels));
}

/**
 * A stable digest of everything enforcement depends on (policies, namespace labels, pods' labels,
 * IPs, nodes and named ports): the agent publishes the digest it applied last, so a test can wait for
 * convergence by comparing it with the digest of what it reads from the API.
 */
export function modelDigestInput(m: ClusterModel): string {
  const ns = [...m.namespaces.values()].map((n) => [n.name, sortObj(n.labels)]).sort(cmpFirst);
  const pods = m.pods.map((p) => [`${p.namespace}/${p.name}`, sortObj(p.labels), p.ip ?? '', p.node ?? '', p.hostNetwork, p.namedPorts.map((x) => `${x.name}:${x.protocol}:${x.port}`).sort()]).sort(cmpFirst);
  const pols = m.policies.map((p) => [policyKey(p), canonical(p.spec)]).sort(cmpFirst);
  return JSON.stringify({ ns, pods, pols });
}

function cmpFirst(a: unknown[], b: unknown[]): number { return String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0; }
function sortObj(o: Record<string, string>): [string, string][] { return Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : 1)); }
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, x]) => [k, canonical(x)]));
  return v;
}
