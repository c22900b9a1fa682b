import { isIP } from '../util/addr.js';
import type { Logger } from '../util/log.js';
import { PodnetError } from '../util/errors.js';
import { DnsServer, type Listener } from './server.js';
import { IndexedClusterView } from './view.js';
import { createDnsMetrics } from './metrics.js';
import { startDnsHttp } from './http.js';
import { UdpWorkerPool } from './udpworkers.js';
import { UdpThreadPool } from './udpthreads.js';
import { parseUpstream, upstreamsFromResolvConf, type Upstream } from './forward.js';
import { recordSource } from './sources.js';
import './sources-kube.js';

export interface DnsOptions {
  listen: string[];              // ['0.0.0.0:53']
  zone: string;                  // cluster.local
  ttl: number;
  dnsServiceIPs: string[];
  upstreams: string[];           // explicit IP[:port]
  resolvConf?: string;           // or the nameservers of this file
  httpListen?: string;           // '0.0.0.0:8080' for /health, /ready, /metrics
  source: string;                // 'kubernetes' | 'file'
  sourceOpts: Record<string, string | undefined>;
  log?: Logger;
  /** UDP workers (0: UDP served by this thread through Node's dgram). */
  udpWorkers?: number;
  /** 'threads' (default): batched recvmmsg/sendmmsg threads (udpthreads.ts); 'processes': cluster workers (udpworkers.ts). */
  udpWorkerKind?: UdpWorkerKind;
}

export type UdpWorkerKind = 'threads' | 'processes';

function parseHostPort(s: string, defPort: number): Listener {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^([^:]*):(\d+)$/.exec(s);
  if (m) return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
  if (isIP(s)) return { host: s, port: defPort };
  throw new PodnetError('EBADADDR', `bad listen address "${s}" (want HOST:PORT)`);
}

/** Runs the cluster DNS server until the signal aborts. */
export async function startDns(opts: DnsOptions, signal: AbortSignal): Promise<{ server: DnsServer; view: IndexedClusterView; close(): Promise<void> }> {
  const upstreams: Upstream[] = opts.upstreams.map(parseUpstream);
  if (!upstreams.length && opts.resolvConf) upstreams.push(...upstreamsFromResolvConf(opts.resolvConf));
  const view = new IndexedClusterView();
  const metrics = createDnsMetrics();
  const server = new DnsServer({ zone: { zone: opts.zone.replace(/\.$/, '').toLowerCase(), ttl: opts.ttl, dnsServiceIPs: opts.dnsServiceIPs }, view, upstreams, metrics, log: opts.log });
  const workers = opts.udpWorkers ?? 0;
  const kind = opts.udpWorkerKind ?? 'threads';
  const pool = workers <= 0 ? undefined : kind === 'threads' ? new UdpThreadPool(server, opts.log) : new UdpWorkerPool(server, opts.log);
  let synced = false;
  const http = opts.httpListen ? await startDnsHttp(parseHostPort(opts.httpListen, 8080), { ready: () => synced && server.ready }, pool ? pool.metricsSource(metrics) : metrics.registry) : undefined;
  await recordSource(opts.source, opts.sourceOpts).start(view, signal);
  synced = true;
  const listeners = opts.listen.map((l) => parseHostPort(l, 53));
  if (pool) await server.listen(await pool.start(listeners, workers), { udp: false });
  else await server.listen(listeners);
  opts.log?.info({ listen: server.addresses(), zone: opts.zone, upstreams, udpWorkers: workers, udpWorkerKind: workers ? kind : undefined }, 'cluster DNS serving');
  const close = async (): Promise<void> => {
    await pool?.close();
    await server.close();
    await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
  };
  signal.addEventListener('abort', () => { void close(); }, { once: true });
  return { server, view, close };
}
