import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export type { Service, EndpointSlice };
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
import type { ProxyMode } from './modenames.js';

export type { ProxyMode };

/** "namespace/name:portName" — upstream's ServicePortName.String(). */
export type ServicePortName = string;

/** One port of one Service, as every proxier sees it (upstream's BaseServicePortInfo). */
export interface ServicePort {
  name: ServicePortName;
  namespace: string;
  service: string;
  portName: string;
  clusterIP: string;
  port: number;
  protocol: Protocol;
  nodePort: number;                 // 0 when none
  externalIPs: string[];
  loadBalancerIPs: string[];
  sessionAffinity: { clientIP: boolean; timeoutSeconds: number };
  externalPolicyLocal: boolean;     // externalTrafficPolicy: Local (only for NodePort/LB/externalIPs)
  internalPolicyLocal: boolean;     // internalTrafficPolicy: Local
  /** has external destinations (node port, external IPs or LB ingress) */
  external: boolean;
}

/** One backend of one ServicePort. */
export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  /** true when nodeName equals this proxier's node. */
  local: boolean;
}
export function endpointString(e: Pick<Endpoint, 'ip' | 'port'>): string { return `${e.ip}:${e.port}`; }

export type ServiceMap = Map<ServicePortName, ServicePort>;
export type EndpointsMap = Map<ServicePortName, Endpoint[]>;

export interface SyncReport {
  mode: ProxyMode;
  services: number;
  endpoints: number;
  rules: number;
  /** how many service ports' chains were (re)written this sync */
  changed: number;
  full: boolean;
  durationMs: number;
}

/** The one thing every mode implements (DESIGN.md). */
export interface Proxier {
  readonly mode: ProxyMode;
  sync(services: ServiceMap, endpoints: EndpointsMap): Promise<SyncReport>;
  /** Removes everything this mode put into the kernel (and stops its listeners). */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

/** Kube-proxy's flags that apply to podnet. */
export interface ProxyOptions {
  proxyMode: ProxyMode;
  clusterCidr?: string;
  masqueradeAll?: boolean;
  /** CIDRs (or `primary`) whose local addresses accept node ports; unset: all local addresses */
  nodePortAddresses?: string[];
  /** --iptables-localhost-nodeports (default true): iptables mode serves node ports on 127.0.0.1 */
  localhostNodePorts?: boolean;
  syncPeriodMs?: number;
  minSyncPeriodMs?: number;
  healthzBindAddress?: string;      // host:port, '' to disable
  metricsBindAddress?: string;      // host:port, '' to disable
  hostname?: string;                // --hostname-override: the node name endpoints are compared with
  nodeName?: string;                // alias of hostname
  nodeIPs?: string[];
  /** netns path to program; default SELF */
  netns?: string;
}

/** Options the rule generators need (pure). */
export interface RuleOptions {
  clusterCidr?: string;
  masqueradeAll?: boolean;
  nodePortAddresses?: string[];
  /** iptables mode only; default true (see iptables/rules.ts localhostNodePortsOn) */
  localhostNodePorts?: boolean;
  nodeIPs?: string[];
}
