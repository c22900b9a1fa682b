import type { Command } from 'commander';
import { parseCount } from '../flags.js';
import { availableParallelism } from 'node:os';
import { createLogger } from '../../util/log.js';

const collect = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').filter(Boolean)];

/** Registers `podnet dns`: the cluster DNS server. */
export function register(program: Command): void {
  program
    .command('dns')
    .description('cluster DNS server: answers the cluster zone from the API (Kubernetes DNS spec), forwards the rest')
    .option('--listen <addr>', 'UDP+TCP listen address (repeatable)', collect, [])
    .option('--zone <domain>', 'cluster domain', 'cluster.local')
    .option('--ttl <seconds>', 'TTL of cluster records', '5')
    .option('--dns-ip <ip>', 'address(es) of the kube-dns Service, for ns.dns.<zone>', collect, [])
    .option('--upstream <ip[:port]>', 'upstream resolver for names outside the zone (repeatable)', collect, [])
    .option('--resolv-conf <path>', 'take upstream resolvers from this file when no --upstream is given')
    .option('--http-listen <addr>', '/health, /ready and /metrics address', '0.0.0.0:8080')
    .option('--kubeconfig <path>', 'kubeconfig for the API (record source "kubernetes")')
    .option('--records-file <path>', 'serve records from a manifest file instead of the API (record source "file")')
    .option('--udp-workers <n|auto>', 'UDP workers sharing the socket (0: the main thread serves UDP; auto: one per core)', '0')
    .option('--udp-worker-kind <threads|processes>', 'threads: batched recvmmsg/sendmmsg threads; processes: cluster worker processes', 'threads')
    .action(async (o: {
      listen: string[]; zone: string; ttl: string; dnsIp: string[]; upstream: string[]; resolvConf?: string;
      httpListen: string; kubeconfig?: string; recordsFile?: string; udpWorkers: string; udpWorkerKind: string;
    }) => {
      const { startDns } = await import('../../dns/index.js');
      if (o.udpWorkerKind !== 'threads' && o.udpWorkerKind !== 'processes') throw new Error(`--udp-worker-kind: want threads or processes, got "${o.udpWorkerKind}"`);
      const log = createLogger('dns');
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { ac.abort(); setTimeout(() => process.exit(0), 200).unref(); });
      await startDns({
        listen: o.listen.length ? o.listen : ['0.0.0.0:53'],
        zone: o.zone, ttl: Number(o.ttl), dnsServiceIPs: o.dnsIp,
        upstreams: o.upstream, resolvConf: o.resolvConf, httpListen: o.httpListen,
        source: o.recordsFile ? 'file' : 'kubernetes',
        sourceOpts: { path: o.recordsFile, kubeconfig: o.kubeconfig },
        log,
        udpWorkers: parseCount('--udp-workers', o.udpWorkers, availableParallelism()),
        udpWorkerKind: o.udpWorkerKind,
      }, ac.signal);
    });
}
