import type { Command } from 'commander';

interface FlowsFlags {
  namespace?: string; pod?: string; svc?: string; node?: string; follow?: boolean; output?: string;
  lab?: string; kubeconfig?: string; timeout?: string; count?: string; drops?: boolean;
}

/** Registers `podnet flows`: connections with pod and Service names, from conntrack (and the NetworkPolicy drop log). */
export function register(program: Command): void {
  program.command('flows')
    .description('connections with pod, Service and node names instead of addresses, from every node\'s conntrack (the Service a ClusterIP/NodePort flow went through and the endpoint chosen, TCP state); with -f live events and NetworkPolicy drops')
    .option('-n, --namespace <ns>', 'only flows with a pod or Service of this namespace (and the namespace of --pod/--svc names)')
    .option('--pod <name>', 'only flows from or to this pod (NAME in -n, or NAMESPACE/NAME)')
    .option('--svc <name>', 'only flows through this Service (NAME in -n, or NAMESPACE/NAME)')
    .option('--node <name>', 'only this node\'s conntrack (default: every node)')
    .option('-f, --follow', 'follow new, updated and destroyed connections and policy drops as they happen')
    .option('--timeout <seconds>', 'with -f: stop after this many seconds')
    .option('-c, --count <n>', 'with -f: stop after N lines')
    .option('--no-drops', 'with -f: do not read the NetworkPolicy drop log (nflog group 7)')
    .option('-o, --output <format>', 'json (one object a line with -f, an array without), or omit for the table')
    .option('--lab <name>', 'lab name (default "lab" unless a kubeconfig is given)')
    .option('--kubeconfig <path>', 'kubeconfig (default $KUBECONFIG, else the lab\'s)')
    .action(async (o: FlowsFlags) => {
      const { PodnetError } = await import('../../util/errors.js');
      const { parseOutput } = await import('../../observe/table.js');
      const { kubeconfigOf, labOf, labNodeNetns } = await import('../../observe/locate.js');
      const { createClient, loadKubeconfig } = await import('../../client/index.js');
      const { clusterNodes } = await import('../../netpol/drops.js');
      const { followFlows, listFlows, renderFlowTable } = await import('../../observe/flowsstream.js');
      const fmt = parseOutput(o.output);
      const timeoutSeconds = o.timeout === undefined ? undefined : Number(o.timeout);
      if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) throw new PodnetError('EFLAG', `--timeout must be a positive number of seconds, not "${o.timeout}"`);
      const count = o.count === undefined ? undefined : Number(o.count);
      if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new PodnetError('EFLAG', `--count must be a positive integer, not "${o.count}"`);
      const lab = labOf(o);
      if (!lab) throw new PodnetError('EFLAG', 'flows reads each node\'s conntrack through the lab\'s namespaces: give --lab NAME (a kubeconfig alone does not say where the nodes are)');
      const client = createClient({ ...loadKubeconfig(kubeconfigOf(o)), userAgent: 'podnet-flows' });
      try {
        const all = await clusterNodes(client);
        if (o.node && !all.includes(o.node)) throw new PodnetError('ENONODE', `no node "${o.node}" (nodes: ${all.join(', ')})`);
        const nodes = (o.node ? [o.node] : all).map((name) => ({ name, netns: labNodeNetns(lab, name) }));
        const filter = { ...(o.namespace ? { namespace: o.namespace } : {}), ...(o.pod ? { pod: o.pod } : {}), ...(o.svc ? { svc: o.svc } : {}), ...(o.node ? { node: o.node } : {}) };
        if (o.follow) {
          await followFlows(client, { nodes, follow: true, filter, json: fmt === 'json', drops: o.drops !== false,
            ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}), ...(count !== undefined ? { count } : {}) });
        } else {
          const flows = await listFlows(client, { nodes, follow: false, filter, json: fmt === 'json' });
          process.stdout.write(fmt === 'json' ? JSON.stringify(flows, null, 2) + '\n' : (flows.length ? renderFlowTable(flows) : 'No flows found.\n'));
        }
      } finally { client.close(); }
    });
}
