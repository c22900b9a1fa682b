import type { Command } from 'commander';
import { planAddressSpace } from '../../observe/plan.js';
import { renderPlan } from '../../observe/planview.js';
import { emit, parseOutput } from '../../observe/table.js';

const int = (v: string): number => Number(v);

/** Registers `podnet plan`: nodes, pods per node, Services, overlaps and warnings for a set of ranges. */
export function register(program: Command): void {
  program.command('plan')
    .description('plan the address space: nodes, pods per node, Services, overlaps and warnings for a cluster CIDR and node mask')
    .requiredOption('--cluster-cidr <cidr>', 'the pod range (kube-controller-manager --cluster-cidr)')
    .requiredOption('--node-cidr-mask-size <n>', 'prefix length of each node\'s podCIDR', int)
    .option('--service-cluster-ip-range <cidr>', 'the Service range (kube-apiserver --service-cluster-ip-range)')
    .option('--pool-block-size <n>', 'IPAM block prefix length (calico-style pools)', int)
    .option('--max-pods <n>', 'the kubelet\'s --max-pods', int, 110)
    .option('-o, --output <format>', 'json, or omit for the human form')
    .action((o: { clusterCidr: string; nodeCidrMaskSize: number; serviceClusterIpRange?: string; poolBlockSize?: number; maxPods: number; output?: string }) => {
      const fmt = parseOutput(o.output);
      const p = planAddressSpace({
        clusterCidr: o.clusterCidr, nodeCidrMaskSize: o.nodeCidrMaskSize, serviceClusterIpRange: o.serviceClusterIpRange,
        poolBlockSize: o.poolBlockSize, maxPods: o.maxPods,
      });
      emit(fmt, p, () => renderPlan(p));
    });
}
