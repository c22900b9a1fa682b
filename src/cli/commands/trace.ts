import type { Command } from 'commander';
import { parseOutput } from '../../observe/table.js';

/** Registers `podnet trace SRC DST`. */
export function register(program: Command): void {
  program.command('trace')
    .description('send one real probe from SRC to DST and explain its path hop by hop from the kernel: routes, veth/bridge/cali, VXLAN/host-gw/BGP, the iptables/nft rules that matched (nftrace), DNAT, masquerade, NetworkPolicy, delivery or drop')
    .argument('<src>', 'pod/NAME or node/NAME')
    .argument('<dst>', 'pod/NAME[:PORT], svc/NAME[:PORT], node/NAME:PORT (a NodePort) or IP[:PORT]')
    .option('-n, --namespace <ns>', 'namespace of pod/svc names', 'default')
    .option('--proto <p>', 'tcp | udp | icmp (default: the Service port\'s protocol, tcp with a port, icmp without)')
    .option('--timeout <ms>', 'how long the probe waits for an answer', '2000')
    .option('--lab <name>', 'lab name (default "lab" unless a kubeconfig is given)')
    .option('--kubeconfig <path>', 'kubeconfig (default $KUBECONFIG, else the lab\'s); the probe still runs in the lab\'s namespaces')
    .option('-o, --output <format>', 'json, or omit for the human form')
    .action(async (src: string, dst: string, o: { namespace: string; proto?: string; timeout: string; lab?: string; kubeconfig?: string; output?: string }) => {
      const fmt = parseOutput(o.output);
      const { runTrace } = await import('../../observe/trace.js');
      const { renderTrace } = await import('../../observe/traceview.js');
      const { kubeconfigOf } = await import('../../observe/locate.js');
      const { emit } = await import('../../observe/table.js');
      const { TraceError } = await import('../../observe/tracetypes.js');
      const timeoutMs = Number(o.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 30000) throw new TraceError('EFLAG', `--timeout must be 100-30000 ms, not "${o.timeout}"`);
      const lab = o.lab ?? 'lab';
      const r = await runTrace({ src, dst, namespace: o.namespace, ...(o.proto ? { protocol: o.proto } : {}), lab, kubeconfig: kubeconfigOf({ lab, ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}) }), timeoutMs });
      emit(fmt, r, () => renderTrace(r));
    });
}
