import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildEndpointsMap, buildServiceMap } from '../tracker.js';
import type { EndpointsMap, RuleOptions, ServiceMap } from '../types.js';
import type { Packet, TraceResult } from './types.js';

/**
 * One small cluster every mode's tracer tests share: node-a (this node: 192.168.1.10 on eth0, 10.244.0.1
 * on its pod bridge) and node-b (192.168.1.11); pods 10.244.0.0/24 on a, 10.244.1.0/24 on b.
 */
export const NODE = 'node-a';
export const NODE_IPS = ['192.168.1.10', '10.244.0.1'];
const CLUSTER_CIDR = '10.244.0.0/16';
export const RULE_OPTIONS: RuleOptions = { clusterCidr: CLUSTER_CIDR, nodeIPs: NODE_IPS };
export const POD = '10.244.0.20';          // a client pod on node-a
export const OUTSIDE = '203.0.113.99';     // a client outside the cluster
const LB_IP = '203.0.113.10';
const EXTERNAL_IP = '198.51.100.7';

type Ep = { ip: string; node: string; ready?: boolean; serving?: boolean; terminating?: boolean };
interface Def { name: string; ip: string; type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer'; nodePort?: number; port?: number; target?: number; proto?: 'TCP' | 'UDP';
  etp?: 'Local'; itp?: 'Local'; affinity?: number; externalIPs?: string[]; lb?: string; eps: Ep[] }

const DEFS: Def[] = [
  { name: 'web', ip: '10.96.0.10', eps: [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.1.5', node: 'node-b' }] },
  { name: 'np', ip: '10.96.0.11', type: 'NodePort', nodePort: 30080, eps: [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.1.5', node: 'node-b' }] },
  { name: 'lb', ip: '10.96.0.12', type: 'LoadBalancer', nodePort: 30081, lb: LB_IP, externalIPs: [EXTERNAL_IP], eps: [{ ip: '10.244.1.6', node: 'node-b' }] },
  { name: 'local', ip: '10.96.0.13', type: 'NodePort', nodePort: 30082, etp: 'Local', eps: [{ ip: '10.244.0.7', node: 'node-a' }, { ip: '10.244.1.7', node: 'node-b' }] },
  { name: 'local-none', ip: '10.96.0.14', type: 'NodePort', nodePort: 30083, etp: 'Local', externalIPs: ['198.51.100.8'], eps: [{ ip: '10.244.1.8', node: 'node-b' }] },
  { name: 'itp', ip: '10.96.0.15', itp: 'Local', eps: [{ ip: '10.244.0.9', node: 'node-a' }, { ip: '10.244.1.9', node: 'node-b' }] },
  { name: 'itp-none', ip: '10.96.0.16', itp: 'Local', eps: [{ ip: '10.244.1.16', node: 'node-b' }] },
  { name: 'sticky', ip: '10.96.0.17', affinity: 60, eps: [{ ip: '10.244.0.10', node: 'node-a' }, { ip: '10.244.1.10', node: 'node-b' }] },
  { name: 'empty', ip: '10.96.0.18', type: 'NodePort', nodePort: 30084, eps: [] },
  { name: 'term', ip: '10.96.0.19', eps: [{ ip: '10.244.0.11', node: 'node-a', ready: false, serving: true, terminating: true }, { ip: '10.244.1.11', node: 'node-b', ready: false, serving: false, terminating: true }] },
  { name: 'dns', ip: '10.96.0.20', proto: 'UDP', port: 53, target: 53, eps: [{ ip: '10.244.1.12', node: 'node-b' }] },
  { name: 'rolling', ip: '10.96.0.21', eps: [{ ip: '10.244.0.13', node: 'node-a' }, { ip: '10.244.1.13', node: 'node-b', ready: false, serving: true, terminating: true }] },
];

export function services(defs: readonly Def[] = DEFS): Service[] {
  return defs.map((d) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: d.name },
    spec: {
      type: d.type ?? 'ClusterIP', clusterIP: d.ip,
      ports: [{ name: 'p', port: d.port ?? 80, targetPort: d.target ?? 8080, protocol: d.proto ?? 'TCP', ...(d.nodePort ? { nodePort: d.nodePort } : {}) }],
      ...(d.etp ? { externalTrafficPolicy: d.etp } : {}), ...(d.itp ? { internalTrafficPolicy: d.itp } : {}),
      ...(d.affinity ? { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: d.affinity } } } : {}),
      ...(d.externalIPs ? { externalIPs: d.externalIPs } : {}),
    },
    ...(d.lb ? { status: { loadBalancer: { ingress: [{ ip: d.lb }] } } } : {}),
  }));
}

export function slices(defs: readonly Def[] = DEFS): EndpointSlice[] {
  return defs.map((d) => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { namespace: 'ns', name: `${d.name}-x`, labels: { 'kubernetes.io/service-name': d.name } },
    ports: [{ name: 'p', port: d.target ?? 8080, protocol: d.proto ?? 'TCP' }],
    endpoints: d.eps.map((e) => ({ addresses: [e.ip], nodeName: e.node,
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false } })),
  }));
}

export function cluster(defs: readonly Def[] = DEFS): { svcs: ServiceMap; eps: EndpointsMap } {
  return { svcs: buildServiceMap(services(defs)), eps: buildEndpointsMap(slices(defs), NODE) };
}

/** What a test expects of a trace: the summary fields. */
export interface Want { verdict: string; endpoints: string[]; masqueraded: boolean | 'mixed' }
export interface Case { name: string; packet: Packet; want: Want; iptables?: Want; nftables?: Want }

const tcp = (src: string, dst: string, dport: number, more: Partial<Packet> = {}): Packet => ({ src, dst, dport, proto: 'tcp', ...more });
const fromNode = { fromLocal: true };
const ok = (endpoints: string[], masqueraded: boolean | 'mixed'): Want => ({ verdict: 'ACCEPT', endpoints, masqueraded });
const WEB = ['10.244.0.5:8080', '10.244.1.5:8080'];

/** The packet flows both modes must get right (upstream's runPacketFlowTests, for this cluster). */
export const CASES: Case[] = [
  { name: 'ClusterIP from a pod: either endpoint, source kept', packet: tcp(POD, '10.96.0.10', 80), want: ok(WEB, false) },
  { name: 'ClusterIP from the node: masqueraded', packet: tcp('192.168.1.10', '10.96.0.10', 80, fromNode), want: ok(WEB, true) },
  { name: 'ClusterIP from outside the cluster CIDR (routed in): masqueraded', packet: tcp(OUTSIDE, '10.96.0.10', 80), want: ok(WEB, true) },
  { name: 'unknown port of a ClusterIP', packet: tcp(POD, '10.96.0.10', 81),
    // upstream iptables lets it through un-NATed (nothing listens there); upstream nftables rejects it
    want: ok([], false), nftables: { verdict: 'REJECT', endpoints: [], masqueraded: false } },
  { name: 'NodePort from outside to the node\'s eth0 address', packet: tcp(OUTSIDE, '192.168.1.10', 30080), want: ok(WEB, true) },
  { name: 'NodePort from outside to the node\'s bridge address', packet: tcp(OUTSIDE, '10.244.0.1', 30080), want: ok(WEB, true) },
  { name: 'NodePort from the node itself', packet: tcp('192.168.1.10', '192.168.1.10', 30080, fromNode), want: ok(WEB, true) },
  { name: 'NodePort from a pod', packet: tcp(POD, '192.168.1.10', 30080), want: ok(WEB, true) },
  { name: 'NodePort on another node\'s address is not ours', packet: tcp(OUTSIDE, '192.168.1.11', 30080), want: ok([], false) },
  { name: 'LoadBalancer ingress IP from outside', packet: tcp(OUTSIDE, LB_IP, 80), want: ok(['10.244.1.6:8080'], true) },
  { name: 'externalIP from outside', packet: tcp(OUTSIDE, EXTERNAL_IP, 80), want: ok(['10.244.1.6:8080'], true) },
  { name: 'LoadBalancer service\'s own node port', packet: tcp(OUTSIDE, '192.168.1.10', 30081), want: ok(['10.244.1.6:8080'], true) },
  { name: 'eTP Local from outside: local endpoint only, source preserved', packet: tcp(OUTSIDE, '192.168.1.10', 30082), want: ok(['10.244.0.7:8080'], false) },
  { name: 'eTP Local from a pod: short-circuit to every endpoint', packet: tcp(POD, '192.168.1.10', 30082), want: ok(['10.244.0.7:8080', '10.244.1.7:8080'], false) },
  { name: 'eTP Local from the node: every endpoint, masqueraded', packet: tcp('192.168.1.10', '192.168.1.10', 30082, fromNode), want: ok(['10.244.0.7:8080', '10.244.1.7:8080'], true) },
  { name: 'eTP Local ClusterIP still uses every endpoint', packet: tcp(POD, '10.96.0.13', 80), want: ok(['10.244.0.7:8080', '10.244.1.7:8080'], false) },
  { name: 'eTP Local without a local endpoint, from outside: dropped', packet: tcp(OUTSIDE, '192.168.1.10', 30083), want: { verdict: 'DROP', endpoints: [], masqueraded: false } },
  { name: 'eTP Local without a local endpoint, from a pod: short-circuit works', packet: tcp(POD, '192.168.1.10', 30083), want: ok(['10.244.1.8:8080'], false) },
  { name: 'eTP Local without a local endpoint, from the node: short-circuit works', packet: tcp('192.168.1.10', '192.168.1.10', 30083, fromNode), want: ok(['10.244.1.8:8080'], true) },
  { name: 'eTP Local without a local endpoint, externalIP from outside: dropped', packet: tcp(OUTSIDE, '198.51.100.8', 80), want: { verdict: 'DROP', endpoints: [], masqueraded: false } },
  { name: 'eTP Local without a local endpoint, externalIP from a pod: short-circuit works', packet: tcp(POD, '198.51.100.8', 80), want: ok(['10.244.1.8:8080'], false) },
  { name: 'eTP Local without a local endpoint, externalIP from the node', packet: tcp('192.168.1.10', '198.51.100.8', 80, fromNode),
    // iptables: KUBE-EXTERNAL-SERVICES is not in OUTPUT, the LOCAL short-circuit applies. nftables: filter-output
    // checks @no-endpoint-services before DNAT (priority -110) and drops it, as upstream's table layout does.
    want: ok(['10.244.1.8:8080'], true), nftables: { verdict: 'DROP', endpoints: [], masqueraded: false } },
  { name: 'eTP Local without a local endpoint, its ClusterIP', packet: tcp(POD, '10.96.0.14', 80), want: ok(['10.244.1.8:8080'], false) },
  { name: 'iTP Local from a pod: local endpoint only', packet: tcp(POD, '10.96.0.15', 80), want: ok(['10.244.0.9:8080'], false) },
  { name: 'iTP Local without a local endpoint: dropped', packet: tcp(POD, '10.96.0.16', 80), want: { verdict: 'DROP', endpoints: [], masqueraded: false } },
  { name: 'iTP Local without a local endpoint, from the node: dropped', packet: tcp('192.168.1.10', '10.96.0.16', 80, fromNode), want: { verdict: 'DROP', endpoints: [], masqueraded: false } },
  { name: 'no endpoints, ClusterIP: rejected', packet: tcp(POD, '10.96.0.18', 80), want: { verdict: 'REJECT', endpoints: [], masqueraded: false } },
  { name: 'no endpoints, ClusterIP from the node: rejected', packet: tcp('192.168.1.10', '10.96.0.18', 80, fromNode), want: { verdict: 'REJECT', endpoints: [], masqueraded: false } },
  { name: 'no endpoints, NodePort from outside: rejected', packet: tcp(OUTSIDE, '192.168.1.10', 30084), want: { verdict: 'REJECT', endpoints: [], masqueraded: false } },
  { name: 'no endpoints, NodePort from the node: rejected', packet: tcp('192.168.1.10', '192.168.1.10', 30084, fromNode), want: { verdict: 'REJECT', endpoints: [], masqueraded: false } },
  { name: 'hairpin: a pod reaching its own Service may land on itself (then masqueraded)', packet: tcp('10.244.0.5', '10.96.0.10', 80), want: ok(WEB, 'mixed') },
  { name: 'terminating but serving endpoint is used when none is ready', packet: tcp(POD, '10.96.0.19', 80), want: ok(['10.244.0.11:8080'], false) },
  { name: 'terminating endpoint is not used while another is ready', packet: tcp(POD, '10.96.0.21', 80), want: ok(['10.244.0.13:8080'], false) },
  { name: 'UDP ClusterIP', packet: { src: POD, dst: '10.96.0.20', dport: 53, proto: 'udp' }, want: ok(['10.244.1.12:53'], false) },
  { name: 'TCP to a UDP-only ClusterIP port', packet: tcp(POD, '10.96.0.20', 53), want: ok([], false), nftables: { verdict: 'REJECT', endpoints: [], masqueraded: false } },
  { name: 'pod to pod (no Service) is left alone', packet: tcp(POD, '10.244.1.5', 8080), want: ok([], false) },
];

/** The summary fields of a result, for deepEqual. */
export function got(r: TraceResult): Want { return { verdict: r.verdict, endpoints: r.endpoints, masqueraded: r.masqueraded }; }
