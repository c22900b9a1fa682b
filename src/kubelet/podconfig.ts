/** What a pod's containers see of it: hostname, environment, /etc/hosts and /etc/resolv.conf. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { podResolvConf, renderHosts, renderResolvConf } from './render.js';
import type { ContainerLite, PodLite } from './types.js';

/** The pod's hostname: spec.hostname, else its name (63 characters at most). */
export function podHostname(pod: PodLite): string { return (pod.spec.hostname || pod.metadata.name || 'pod').slice(0, 63); }

export interface PodFacts { name: string; namespace: string; uid: string; podIPs: string[]; nodeName: string; nodeIP: string }

/** The value of a downward-API fieldRef (env and downwardAPI volumes). */
export function fieldValue(pod: PodLite, f: PodFacts, path: string): string {
  switch (path) {
    case 'metadata.name': return f.name;
    case 'metadata.namespace': return f.namespace;
    case 'metadata.uid': return f.uid;
    case 'spec.nodeName': return f.nodeName;
    case 'spec.serviceAccountName': return String((pod.spec as unknown as Record<string, unknown>).serviceAccountName ?? 'default');
    case 'status.podIP': return f.podIPs[0] ?? '';
    case 'status.podIPs': return f.podIPs.join(',');
    case 'status.hostIP': case 'status.hostIPs': return f.nodeIP;
    default: {
      const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
      return m ? ((pod.metadata[m[1] as 'labels' | 'annotations'] as Record<string, string> | undefined)?.[m[2]!] ?? '') : '';
    }
  }
}

/**
 * A container's environment: service link variables (when enabled), podnet's pod variables, then
 * the container's own (values with $(VAR) expanded from what came before, fieldRefs resolved).
 */
export function containerEnv(pod: PodLite, c: ContainerLite, f: PodFacts, serviceEnv?: (namespace: string, enableServiceLinks: boolean) => Record<string, string>): Record<string, string> {
  const links = (pod.spec as unknown as { enableServiceLinks?: boolean }).enableServiceLinks ?? true;
  const env: Record<string, string> = {
    ...(serviceEnv?.(f.namespace, links) ?? {}),
    HOSTNAME: podHostname(pod), POD_NAME: f.name, POD_NAMESPACE: f.namespace, POD_IP: f.podIPs[0] ?? '', NODE_NAME: f.nodeName,
  };
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m);
    else if (e.valueFrom?.fieldRef) env[e.name] = fieldValue(pod, f, e.valueFrom.fieldRef.fieldPath);
    else env[e.name] = '';
  }
  return env;
}

/** Writes the pod's `hosts` and `resolv.conf` into dir (bind-mounted into every container). */
export function writePodEtc(dir: string, pod: PodLite, o: { namespace: string; podIPs: string[]; clusterDNS: string[]; clusterDomain: string; nodeResolvConf: string }): void {
  mkdirSync(dir, { recursive: true });
  const resolv = renderResolvConf(podResolvConf({
    dnsPolicy: pod.spec.dnsPolicy, dnsConfig: pod.spec.dnsConfig, hostNetwork: pod.spec.hostNetwork,
    namespace: o.namespace, clusterDNS: o.clusterDNS, clusterDomain: o.clusterDomain, nodeResolvConf: o.nodeResolvConf,
  }));
  const hosts = renderHosts({
    podIPs: o.podIPs, hostname: podHostname(pod), subdomain: pod.spec.subdomain, namespace: o.namespace,
    clusterDomain: o.clusterDomain, hostAliases: pod.spec.hostAliases,
  });
  writeFileSync(join(dir, 'resolv.conf'), resolv);
  writeFileSync(join(dir, 'hosts'), hosts);
  writeFileSync(join(dir, 'hostname'), `${podHostname(pod)}\n`);
}
