import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createClient, loadKubeconfig } from '../../client/index.js';
import { cleanupLeftovers, PROXY_MODES, parseProxyMode, startProxy, buildEndpointsMap, buildServiceMap, } from '../../proxy/index.js';
import { ownNetnsPath } from '../../net/whereami.js';
import { parseBool, parseNodePortAddresses } from '../flags.js';
import { buildTable } from '../../proxy/iptables/rules.js';
import { buildNft } from '../../proxy/nftables/rules.js';
import { parseDuration } from '../../util/duration.js';
import { PodnetError } from '../../util/errors.js';
import { assertIpvsAvailable } from '../../proxy/ipvs.js';

/** Registers `podnet proxy` (kube-proxy) and `podnet proxy render`. Owned by the proxy area. */
export function register(program: Command): void {
  const cmd = program.command('proxy').description('kube-proxy: Services in iptables, nftables or userspace mode, inside the node network namespace');
  cmd
    .option('--kubeconfig <path>', 'kubeconfig of the API server')
    .option('--proxy-mode <mode>', `one of ${PROXY_MODES.join(', ')}`, 'iptables')
    .option('--cluster-cidr <cidr>', 'pod CIDR: traffic from outside it to a ClusterIP is masqueraded')
    .option('--masquerade-all', 'SNAT all traffic through Service IPs', false)
    .option('--nodeport-addresses <cidrs>', 'comma-separated CIDRs (or "primary": the node IPs) whose local addresses accept NodePorts (default: all local; nftables mode: primary)')
    .option('--iptables-localhost-nodeports [bool]', 'iptables mode: serve NodePorts on 127.0.0.1 (sets route_localnet=1 in the node netns)', 'true')
    .option('--sync-period <d>', 'full resync period', '30s')
    .option('--min-sync-period <d>', 'minimum time between syncs', '100ms')
    .option('--healthz-bind-address <host:port>', 'healthz server (inside the node netns)', '127.0.0.1:10256')
    .option('--metrics-bind-address <host:port>', 'metrics server (inside the node netns)', '127.0.0.1:10249')
    .option('--hostname-override <name>', 'node name (for endpoint locality)')
    .option('--node-ip <ips>', 'comma-separated node IPs')
    .option('--netns <path>', 'program this netns path instead of the one podnet runs in')
    .option('--cleanup', 'remove every mode\'s rules and exit (kube-proxy --cleanup)', false)
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const netns = (o.netns as string | undefined) ?? ownNetnsPath();
      if (o.cleanup) { await cleanupLeftovers(netns); return; }
      const m = parseProxyMode(o.proxyMode as string);
      if (m === 'ipvs') await assertIpvsAvailable();
      if (!o.kubeconfig) throw new PodnetError('EFLAG', '--kubeconfig is required');
      const client = createClient(loadKubeconfig(o.kubeconfig as string));
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      const h = await startProxy({
        proxyMode: m, clusterCidr: o.clusterCidr as string | undefined, masqueradeAll: !!o.masqueradeAll,
        nodePortAddresses: o.nodeportAddresses ? parseNodePortAddresses(o.nodeportAddresses as string) : undefined,
        localhostNodePorts: parseBool('--iptables-localhost-nodeports', o.iptablesLocalhostNodeports),
        syncPeriodMs: parseDuration(o.syncPeriod as string, '--sync-period'), minSyncPeriodMs: parseDuration(o.minSyncPeriod as string, '--min-sync-period'),
        healthzBindAddress: o.healthzBindAddress as string, metricsBindAddress: o.metricsBindAddress as string,
        hostname: o.hostnameOverride as string | undefined, nodeIPs: o.nodeIp ? (o.nodeIp as string).split(',') : undefined, netns,
      }, client, ac.signal);
      await h.ready;
      await new Promise<void>((r) => ac.signal.addEventListener('abort', () => r(), { once: true }));
      await h.stop();
    });

  cmd.command('render')
    .description('print the rules a mode would write for Services/EndpointSlices from YAML files (no kernel access)')
    .requiredOption('-f, --filename <files...>', 'YAML/JSON manifests with Service and EndpointSlice objects')
    .option('--mode <mode>', 'iptables or nftables', 'iptables')
    .option('--pod-cidr <cidr>', 'as --cluster-cidr')
    .option('--node <name>', 'as --hostname-override (endpoint locality)')
    .action((o: { filename: string[]; mode: string; podCidr?: string; node?: string }) => {
      const services: Service[] = [], slices: EndpointSlice[] = [];
      for (const f of o.filename) for (const d of parseAllDocuments(readFileSync(f, 'utf8'))) {
        const obj = d.toJS() as { kind?: string; items?: unknown[] } | null;
        for (const x of (obj?.kind?.endsWith('List') ? obj.items ?? [] : [obj]) as { kind?: string }[]) {
          if (x?.kind === 'Service') services.push(x as Service);
          else if (x?.kind === 'EndpointSlice') slices.push(x as EndpointSlice);
        }
      }
      const s = buildServiceMap(services), e = buildEndpointsMap(slices, o.node);
      const m = parseProxyMode(o.mode, '--mode');
      if (m === 'iptables') process.stdout.write(buildTable(s, e, { clusterCidr: o.podCidr }).payload);
      else if (m === 'nftables') process.stdout.write(buildNft(s, e, { clusterCidr: o.podCidr }, 'cascade', null).script);
      else throw new PodnetError('EFLAG', 'render supports iptables and nftables');
    });
}
