import type { ServicePort } from '../types.js';

export const US_NAT_CHAINS = ['KUBE-PORTALS-CONTAINER', 'KUBE-PORTALS-HOST', 'KUBE-NODEPORT-CONTAINER', 'KUBE-NODEPORT-HOST'];
export const US_FILTER_CHAINS = ['KUBE-PORTALS-REJECT'];

/** Jump rules of upstream's userspace proxier (plus podnet's reject hook for services without endpoints). */
export const US_JUMPS: ReadonlyArray<{ table: 'nat' | 'filter'; chain: string; args: string[]; position: 'prepend' | 'append' }> = [
  { table: 'nat', chain: 'PREROUTING', args: ['-m', 'comment', '--comment', 'handle ClusterIPs; NOTE: this must be before the NodePort rules', '-j', 'KUBE-PORTALS-CONTAINER'], position: 'prepend' },
  { table: 'nat', chain: 'PREROUTING', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'comment', '--comment', 'handle service NodePorts; NOTE: this must be the last rule in the chain', '-j', 'KUBE-NODEPORT-CONTAINER'], position: 'append' },
  { table: 'nat', chain: 'OUTPUT', args: ['-m', 'comment', '--comment', 'handle ClusterIPs; NOTE: this must be before the NodePort rules', '-j', 'KUBE-PORTALS-HOST'], position: 'prepend' },
  { table: 'nat', chain: 'OUTPUT', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'comment', '--comment', 'handle service NodePorts; NOTE: this must be the last rule in the chain', '-j', 'KUBE-NODEPORT-HOST'], position: 'append' },
  { table: 'filter', chain: 'INPUT', args: ['-m', 'comment', '--comment', 'services without endpoints', '-j', 'KUBE-PORTALS-REJECT'], position: 'prepend' },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'comment', '--comment', 'services without endpoints', '-j', 'KUBE-PORTALS-REJECT'], position: 'prepend' },
  { table: 'filter', chain: 'OUTPUT', args: ['-m', 'comment', '--comment', 'services without endpoints', '-j', 'KUBE-PORTALS-REJECT'], position: 'prepend' },
];

/** Seed-002-shaped portal rules for one service port proxied on local port `proxyPort` (0 = no endpoints). */
export function portalRules(sp: ServicePort, proxyPort: number, nodeIP: string): { nat: string[]; filter: string[] } {
  const p = sp.protocol.toLowerCase();
  // The userspace proxier of seed 002's era always wrote "ns/name:port", colon included for unnamed ports.
  const c = `-m comment --comment "${sp.namespace}/${sp.service}:${sp.portName}"`;
  const nat: string[] = [], filter: string[] = [];
  const vips = [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs];
  if (!proxyPort) {
    for (const ip of vips) filter.push(`-A KUBE-PORTALS-REJECT -d ${ip}/32 -p ${p} ${c} -m ${p} --dport ${sp.port} -j REJECT`);
    if (sp.nodePort) filter.push(`-A KUBE-PORTALS-REJECT -m addrtype --dst-type LOCAL -p ${p} ${c} -m ${p} --dport ${sp.nodePort} -j REJECT`);
    return { nat, filter };
  }
  for (const ip of vips) {
    nat.push(`-A KUBE-PORTALS-CONTAINER -d ${ip}/32 -p ${p} ${c} -m ${p} --dport ${sp.port} -j REDIRECT --to-ports ${proxyPort}`);
    nat.push(`-A KUBE-PORTALS-HOST -d ${ip}/32 -p ${p} ${c} -m ${p} --dport ${sp.port} -j DNAT --to-destination ${nodeIP}:${proxyPort}`);
  }
  if (sp.nodePort) {
    nat.push(`-A KUBE-NODEPORT-CONTAINER -p ${p} ${c} -m ${p} --dport ${sp.nodePort} -j REDIRECT --to-ports ${proxyPort}`);
    nat.push(`-A KUBE-NODEPORT-HOST -p ${p} ${c} -m ${p} --dport ${sp.nodePort} -j DNAT --to-destination ${nodeIP}:${proxyPort}`);
  }
  return { nat, filter };
}

export function userspacePayload(nat: string[], filter: string[], stale: { nat: string[]; filter: string[] } = { nat: [], filter: [] }): string {
  void stale;
  return ['*filter', ...US_FILTER_CHAINS.map((ch) => `:${ch} - [0:0]`), ...filter, 'COMMIT',
    '*nat', ...US_NAT_CHAINS.map((ch) => `:${ch} - [0:0]`), ...nat, 'COMMIT', ''].join('\n');
}
