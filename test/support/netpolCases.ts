/**
 * The NetworkPolicy truth-table cases (in the style of upstream's netpol e2e): each is the full set of
 * policies wanted, plus label overrides of pods/namespaces; the runner converges the cluster to it.
 * Pods: a, b, c in namespaces x, y, z, labelled pod=<p>; namespaces labelled ns=<n>. Ports: TCP 80 and
 * 81 (named serve-80-tcp, serve-81-tcp), UDP 80 (serve-80-udp).
 */
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';

export interface CaseEnv { podIP(ns: string, pod: string): string; extIP: string; clusterCidr: string }
export interface Case {
  name: string;
  policies(env: CaseEnv): NetworkPolicy[];
  /** label overrides: "x/a" → labels of pod a in x; "ns:z" → labels of namespace z (null removes) */
  labels?: Record<string, Record<string, string | null>>;
}

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const PODS = ['a', 'b', 'c'] as const;

export function np(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}
const pod = (p: string): NetworkPolicySpec['podSelector'] => ({ matchLabels: { pod: p } });
const ns = (n: string): NetworkPolicySpec['podSelector'] => ({ matchLabels: { ns: n } });

const allowFromB: NetworkPolicy = np('x', 'allow-x-a-from-pod-b', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: pod('b') }] }] });
const allowFromUpdatedNs: NetworkPolicy = np('x', 'allow-x-a-from-ns-updated', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] }] });
const denyAllX = np('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

export const CASES: Case[] = [
  { name: 'no policies: everything allowed', policies: () => [] },
  { name: 'default deny ingress in x', policies: () => [np('x', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })] },
  { name: 'default deny egress in x', policies: () => [np('x', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] })] },
  { name: 'deny all both ways in x', policies: () => [denyAllX] },
  { name: 'allow x/a from namespace y (namespaceSelector)', policies: () => [np('x', 'allow-from-ns-y', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }] }] })] },
  { name: 'allow x/a from pods b in x (podSelector)', policies: () => [allowFromB] },
  { name: 'allow x/a from pods b in namespaces y,z (both in one peer)', policies: () => [np('x', 'allow-b-in-yz', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['y', 'z'] }] }, podSelector: pod('b') }] }] })] },
  { name: 'allow x/a from namespace y OR pods b (two peers)', policies: () => [np('x', 'allow-y-or-b', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }, { podSelector: pod('b') }] }] })] },
  { name: 'allow x/a from ipBlock cluster CIDR except y/b', policies: (e) => [np('x', 'allow-cidr-except', { podSelector: pod('a'), ingress: [{ from: [{ ipBlock: { cidr: e.clusterCidr, except: [`${e.podIP('y', 'b')}/32`] } }] }] })] },
  { name: 'allow x/a on named port serve-81-tcp only', policies: () => [np('x', 'allow-named-81', { podSelector: pod('a'), ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })] },
  { name: 'allow x/a on named port serve-80-udp only', policies: () => [np('x', 'allow-named-udp', { podSelector: pod('a'), ingress: [{ ports: [{ protocol: 'UDP', port: 'serve-80-udp' }] }] })] },
  { name: 'allow x/a on TCP port range 80-81 (endPort)', policies: () => [np('x', 'allow-range', { podSelector: pod('a'), ingress: [{ ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] })] },
  { name: 'allow x/a on UDP 80 from namespace z only', policies: () => [np('x', 'allow-udp-z', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('z') }], ports: [{ protocol: 'UDP', port: 80 }] }] })] },
  { name: 'allow x/a on any UDP port (protocol without port)', policies: () => [np('x', 'allow-any-udp', { podSelector: pod('a'), ingress: [{ ports: [{ protocol: 'UDP' }] }] })] },
  {
    name: 'egress from x to DNS only (UDP/TCP 53 to the DNS pods)',
    policies: () => [np('x', 'allow-dns-only', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] })],
  },
  { name: 'egress from x/a to the outside address only (ipBlock /32)', policies: (e) => [np('x', 'allow-egress-ext', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${e.extIP}/32` } }] }] })] },
  { name: 'egress from x to the cluster CIDR only (outside denied)', policies: (e) => [np('x', 'allow-egress-cluster', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: e.clusterCidr } }] }] })] },
  { name: 'egress from x to pods c in y on TCP 81', policies: () => [np('x', 'allow-egress-y-c-81', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: ns('y'), podSelector: pod('c') }], ports: [{ protocol: 'TCP', port: 81 }] }] })] },
  { name: 'egress from x/b on named port serve-80-tcp (resolved at the destination)', policies: () => [np('x', 'allow-egress-named', { podSelector: pod('b'), policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })] },
  { name: 'policyTypes omitted with egress rules: Ingress and Egress both isolate x/a', policies: () => [np('x', 'implied-types', { podSelector: pod('a'), egress: [{ to: [{ namespaceSelector: ns('y') }] }] })] },
  {
    name: 'policies on both ends: x/a egress only to y; y/b ingress only from z',
    policies: () => [np('x', 'x-a-egress-to-y', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: ns('y') }] }] }), np('y', 'y-b-ingress-from-z', { podSelector: pod('b'), ingress: [{ from: [{ namespaceSelector: ns('z') }] }] })],
  },
  {
    name: 'two policies add up: x/a from pods b and from namespace z',
    policies: () => [allowFromB, np('x', 'allow-x-a-from-ns-z', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('z') }] }] })],
  },
  { name: 'allow-all ingress beside deny-all: allows add up', policies: () => [denyAllX, np('x', 'allow-all-ingress', { podSelector: {}, ingress: [{}] })] },
  {
    name: 'namespace isolation: x, y, z deny ingress except from their own namespace',
    policies: () => ['x', 'y', 'z'].map((n) => np(n, 'allow-same-namespace', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })),
  },
  { name: 'matchExpressions: x pods other than a accept only from pods NotIn (a)', policies: () => [np('x', 'not-a', { podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['a'] }] }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['a'] }] } }] }] })] },
  { name: 'pod label update after the policy exists: x/c becomes pod=b', policies: () => [allowFromB], labels: { 'x/c': { pod: 'b' } } },
  { name: 'namespace label update after the policy: before', policies: () => [allowFromUpdatedNs] },
  { name: 'namespace label update after the policy: z gets ns2=updated', policies: () => [allowFromUpdatedNs], labels: { 'ns:z': { ns2: 'updated' } } },
  { name: 'selected pod relabelled out of the policy: x/a becomes pod=a2', policies: () => [allowFromB], labels: { 'x/a': { pod: 'a2' } } },
  { name: 'deleting the policy: everything allowed again', policies: () => [] },
];
