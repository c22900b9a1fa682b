/** `podnet plan`'s human output (pure). */
import type { Plan } from './plan.js';
import { renderFields } from './table.js';

const n = (s: string | number): string => BigInt(s).toLocaleString('en-US');

export function renderPlan(p: Plan): string {
  const f: [string, string][] = [
    ['Cluster CIDR', p.clusterCidr],
    ['Node subnets', `/${p.nodeCidrMaskSize}: ${n(p.nodes)} (${p.firstNodeCidr} … ${p.lastNodeCidr})`],
    ['Addresses per node', n(p.addressesPerNode)],
    ['Pod IPs per node', `${n(p.podIPsPerNode)} (host-local: all but network, gateway${p.clusterCidr.includes(':') ? '' : ', broadcast'})`],
    ['Pods per node', `${n(p.podsPerNode)} (min of pod IPs and --max-pods ${p.maxPods})`],
    ['Pods in the cluster', n(p.podsTotal)],
  ];
  if (p.service) f.push(['Service range', `${p.service.range}: ${n(p.service.clusterIPs)} ClusterIPs (of ${n(p.service.addresses)} addresses; the first is default/kubernetes)`]);
  if (p.pool) f.push(['IPAM blocks', `/${p.pool.blockSize}: ${n(p.pool.blocks)} of ${n(p.pool.addressesPerBlock)} addresses`]);
  f.push(['Overlaps', p.overlaps.length ? p.overlaps.map((o) => `${o.cidrA} (${o.a}) ∩ ${o.cidrB} (${o.b})`).join('; ') : 'none']);
  let out = renderFields(f);
  if (p.warnings.length) out += 'Warnings:\n' + p.warnings.map((w) => `  - ${w}\n`).join('');
  return out;
}
