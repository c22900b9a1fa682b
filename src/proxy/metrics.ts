import http from 'node:http';
import { Registry, Histogram, Gauge, Counter } from 'prom-client';
import type { SyncReport } from './types.js';

/** kube-proxy-named Prometheus metrics of one proxier. */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly syncDuration = new Histogram({ name: 'kubeproxy_sync_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds', buckets: [0.001, 0.004, 0.016, 0.064, 0.256, 1.024, 4.096, 16.384], registers: [this.registry] });
  readonly lastSync = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers: [this.registry] });
  readonly rules = new Gauge({ name: 'kubeproxy_sync_proxy_rules_iptables_total', help: 'Total number of rules (iptables/nftables/userspace) kube-proxy has written', labelNames: ['mode'], registers: [this.registry] });
  readonly failures = new Counter({ name: 'kubeproxy_sync_proxy_rules_failures_total', help: 'Failed syncs', registers: [this.registry] });
  readonly services = new Gauge({ name: 'kubeproxy_services', help: 'Service ports known to the proxier', registers: [this.registry] });
  lastOk = 0;

  observe(r: SyncReport): void {
    this.syncDuration.observe(r.durationMs / 1000);
    this.lastSync.setToCurrentTime();
    this.rules.set({ mode: r.mode }, r.rules);
    this.services.set(r.services);
    this.lastOk = Date.now();
  }
}

function hostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i) || '127.0.0.1', port: Number(addr.slice(i + 1)) };
}

/** /healthz (200 while syncs succeed within 2×syncPeriod) and /metrics. Returns the bound address. */
export function serveHttp(addr: string, handler: 'healthz' | 'metrics' | 'both', m: ProxyMetrics, staleAfterMs: number): Promise<{ server: http.Server; port: number }> {
  const { host, port } = hostPort(addr);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if ((path === '/healthz' || path === '/livez') && handler !== 'metrics') {
      const ok = m.lastOk > 0 && Date.now() - m.lastOk < staleAfterMs;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ lastUpdated: m.lastOk ? new Date(m.lastOk).toISOString() : null, currentTime: new Date().toISOString() }));
      return;
    }
    if (path === '/metrics' && handler !== 'healthz') {
      m.registry.metrics().then((t) => { res.writeHead(200, { 'content-type': m.registry.contentType }); res.end(t); }, () => { res.writeHead(500); res.end(); });
      return;
    }
    res.writeHead(404); res.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}
