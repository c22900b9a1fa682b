import type { Command } from 'commander';
import { createClient, loadKubeconfig } from '../../client/index.js';
import { ALL_CONTROLLERS, startControllerManager } from '../../controllers/index.js';
import { PodnetError } from '../../util/errors.js';
import { createLogger } from '../../util/log.js';

/** Registers `podnet controller-manager` (kube-controller-manager + kube-scheduler, lite). */
export function register(program: Command): void {
  program.command('controller-manager')
    .description('run the controllers (node IPAM, endpoints, endpoint slices, scheduler, replica sets, deployments, GC) against an API server')
    .requiredOption('--kubeconfig <path>', 'kubeconfig of the API server')
    .option('--cluster-cidr <cidr>', 'pod network the node podCIDRs are carved from', '10.244.0.0/16')
    .option('--node-cidr-mask-size <n>', 'prefix length of each node podCIDR', '24')
    .option('--service-cluster-ip-range <cidr>', 'service CIDR (allocation happens in the API server)', '10.96.0.0/12')
    .option('--controllers <list>', `comma-separated subset of ${ALL_CONTROLLERS.join(',')}`, ALL_CONTROLLERS.join(','))
    .action(async (o: { kubeconfig: string; clusterCidr: string; nodeCidrMaskSize: string; serviceClusterIpRange: string; controllers: string }) => {
      const mask = Number(o.nodeCidrMaskSize);
      if (!Number.isInteger(mask)) throw new PodnetError('EFLAG', `--node-cidr-mask-size must be an integer, not "${o.nodeCidrMaskSize}"`);
      const log = createLogger('controller-manager');
      const cfg = loadKubeconfig(o.kubeconfig);
      const client = createClient({ ...cfg, userAgent: 'podnet-controller-manager' });
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      const m = await startControllerManager(client, {
        clusterCidr: o.clusterCidr, nodeCidrMaskSize: mask, serviceCidr: o.serviceClusterIpRange, log, rootCA: cfg.ca?.toString('utf8'),
        controllers: o.controllers.split(',').map((s) => s.trim()).filter(Boolean),
      }, ac.signal);
      await m.done;
      client.close();
    });
}
