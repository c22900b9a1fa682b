import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ClientConfig, KubeClient } from '../../client/types.js';
import { cleanupLeftovers, proxyModes, startProxy, buildEndpointsMap, buildServiceMap } from '../../proxy/index.js';
import { ownNetnsPath } from '../../net/whereami.js';
import { buildTable } from '../../proxy/iptables/rules.js';
import { buildNft } from '../../proxy/nftables/rules.js';
import type { ProxyMode } from '../../proxy/types.js';
import { PodnetError } from '../../util/errors.js';
import { assertIpvsAvailable } from '../../proxy/ipvs.js';

/** "30s", "1m", "250ms", "2h" or plain seconds → milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new PodnetError('EFLAG', `invalid duration "${s}" (use e.g. 30s, 1m, 250ms)`);
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']);
}

function mode(s: string): ProxyMode {
  if (!(proxyModes() as string[]).includes(s)) throw new PodnetError('EFLAG', `--proxy-mode must be one of ${proxyModes().join(', ')}, not "${s}"`);
  return s as ProxyMode;
}

/** A boolean flag's value: `--flag`, `--flag=true`, `--flag=false` (as Go's flag package takes them). */
export function parseBool(flag: string, v: string | boolean | undefined): boolean {
  if (v === undefined || v === true || v === 'true' || v === '1') return true;
  if (v === false || v === 'false' || v === '0') return false;
  throw new PodnetError('EFLAG', `${flag} must be true or false, not "${String(v)}"`);
}

/** --nodeport-addresses: IPv4 CIDRs, or the single value "primary" (upstream). */
export function parseNodePortAddresses(s: string): string[] {
  const list = s.split(',').map((x) => x.trim()).filter(Boolean);
  if (list.includes('primary')) {
    if (list.length > 1) throw new PodnetError('EFLAG', '--nodeport-addresses: "primary" cannot be combined with CIDRs');
    return list;
  }
  for (const c of list) if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(c)) throw new PodnetError('EFLAG', `--nodeport-addresses: "${c}" is not an IPv4 CIDR`);
  return list;
}

interface ClientModule { loadKubeconfig(path: string): ClientConfig | Promise<ClientConfig>; createClient(cfg: ClientConfig): KubeClient }

/** Registers `podnet proxy` (kube-proxy) and `podnet proxy render`. Owned by the proxy area. */
export function register(program: Command): void {
  const cmd = program.command('proxy').description('kube-proxy: Services in iptables, nftables or userspace mode, inside the node network namespace');
  cmd
    .option('--kubeconfig <path>', 'kubeconfig of the API server')
    .option('--proxy-mode <mode>', `one of ${proxyModes().join(', ')}`, 'iptables')
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
      const m = mode(o.proxyMode as string);
      if (m === 'ipvs') await assertIpvsAvailable();
      if (!o.kubeconfig) throw new PodnetError('EFLAG', '--kubeconfig is required');
      // The client library belongs to the client area; loaded at run time.
      const spec = '../../client/index.js';
      const client = (await import(spec)) as ClientModule;
      const kc = await client.loadKubeconfig(o.kubeconfig as string);
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      const h = await startProxy({
        proxyMode: m, clusterCidr: o.clusterCidr as string | undefined, masqueradeAll: !!o.masqueradeAll,
        nodePortAddresses: o.nodeportAddresses ? parseNodePortAddresses(o.nodeportAddresses as string) : undefined,
        localhostNodePorts: parseBool('--iptables-localhost-nodeports', o.iptablesLocalhostNodeports),
        syncPeriodMs: parseDuration(o.syncPeriod as string), minSyncPeriodMs: parseDuration(o.minSyncPeriod as string),
        healthzBindAddress: o.healthzBindAddress as string, metricsBindAddress: o.metricsBindAddress as string,
        hostname: o.hostnameOverride as string | undefined, nodeIPs: o.nodeIp ? (o.nodeIp as string).split(',') : undefined, netns,
      }, client.createClient(kc), ac.signal);
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
      const m = mode(o.mode);
      if (m === 'iptables') process.stdout.write(buildTable(s, e, { clusterCidr: o.podCidr }).payload);
      else if (m === 'nftables') process.stdout.write(buildNft(s, e, { clusterCidr: o.podCidr }, 'cascade', null).script);
      else throw new PodnetError('EFLAG', 'render supports iptables and nftables');
    });
}
