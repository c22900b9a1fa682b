import type { Command } from 'commander';

/** Registers `podnet netpol explain`: why a flow is allowed or denied by the NetworkPolicies. Owned by the netpol area. */
export function register(program: Command): void {
  const np = program.command('netpol').description('NetworkPolicy: explain a flow with the evaluator the node agents enforce');
  np.command('explain')
    .description('is a flow allowed, and which policies decide (egress at the source, ingress at the destination)')
    .requiredOption('--from <pod|ip>', 'source: namespace/pod or an IPv4 address')
    .requiredOption('--to <pod|ip>', 'destination: namespace/pod or an IPv4 address')
    .option('--port <n>', 'destination port', '80')
    .option('--protocol <p>', 'TCP | UDP | SCTP', 'TCP')
    .option('--lab <name>', 'lab name (default "lab" unless a kubeconfig is given)')
    .option('--kubeconfig <path>', 'kubeconfig (default $KUBECONFIG, else the lab\'s)')
    .action(async (o: { from: string; to: string; port: string; protocol: string; lab?: string; kubeconfig?: string }) => {
      const { kubeconfigOf } = await import('../../observe/locate.js');
      const { createClient, loadKubeconfig } = await import('../../client/index.js');
      const { explainFlow } = await import('../../netpol/explain.js');
      const client = createClient(loadKubeconfig(kubeconfigOf(o)));
      try {
        const r = await explainFlow(client, { from: o.from, to: o.to, port: Number(o.port), protocol: o.protocol });
        process.stdout.write(r.text);
        process.exitCode = r.verdict.allowed ? 0 : 1;
      } finally { client.close(); }
    });
  np.command('drops')
    .description('denied packets as they happen (the agents log them to nflog group 7, rate-limited): time, node, direction, pods, protocol/port and the policies that isolate the pod')
    .option('--node <name>', 'listen on this node only (default: every node of the lab)')
    .option('--lab <name>', 'lab name (default "lab")')
    .option('--kubeconfig <path>', 'kubeconfig (default the lab\'s)')
    .option('-f, --follow', 'keep listening until interrupted')
    .option('--timeout <seconds>', 'without -f: listen this long', '10')
    .option('-c, --count <n>', 'stop after N denied packets')
    .option('-o, --output <format>', 'table (default) | json (one object a line)', 'table')
    .action(async (o: { node?: string; lab?: string; kubeconfig?: string; follow?: boolean; timeout: string; count?: string; output: string }) => {
      const { PodnetError } = await import('../../util/errors.js');
      const { kubeconfigOf, labNodeNetns } = await import('../../observe/locate.js');
      const { createClient, loadKubeconfig } = await import('../../client/index.js');
      const { runDrops, clusterNodes } = await import('../../netpol/drops.js');
      if (o.output !== 'table' && o.output !== 'json') throw new PodnetError('EFLAG', `-o must be table or json, not "${o.output}"`);
      const timeoutSeconds = Number(o.timeout);
      if (!(timeoutSeconds > 0)) throw new PodnetError('EFLAG', `--timeout must be a positive number of seconds, not "${o.timeout}"`);
      const count = o.count === undefined ? undefined : Number(o.count);
      if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new PodnetError('EFLAG', `--count must be a positive integer, not "${o.count}"`);
      const lab = o.lab ?? 'lab';
      const client = createClient(loadKubeconfig(kubeconfigOf({ lab, kubeconfig: o.kubeconfig })));
      try {
        const all = await clusterNodes(client);
        if (o.node && !all.includes(o.node)) throw new PodnetError('ENONODE', `no node "${o.node}" (nodes: ${all.join(', ')})`);
        const nodes = (o.node ? [o.node] : all).map((name) => ({ name, netns: labNodeNetns(lab, name) }));
        await runDrops(client, { nodes, follow: o.follow === true, timeoutSeconds, ...(count !== undefined ? { count } : {}), json: o.output === 'json' });
      } finally { client.close(); }
    });
}
