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
}
