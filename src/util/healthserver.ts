/**
 * A small HTTP server for a daemon's /healthz (200 "ok" while healthy, 500 otherwise) and
 * /metrics (Prometheus text of a prom-client registry). Binds one address: 127.0.0.1 in the root
 * network namespace, the node IP inside a node's namespace.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer { server: Server; port: number; close(): Promise<void> }

/** `healthy` returns undefined when healthy, else why not (logged by the caller, not served). */
export async function serveHealthAndMetrics(host: string, port: number, registry: Registry, healthy: () => string | undefined): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { 'content-type': 'text/plain' }); res.end('method not allowed\n'); return; }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      const why = healthy();
      res.writeHead(why ? 500 : 200, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(why ? `[-]${path.slice(1)} failed: reason withheld\n` : 'ok');
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then((t) => { res.writeHead(200, { 'content-type': registry.contentType }); res.end(t); }, () => { res.writeHead(500); res.end(); });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }); res.end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, () => { server.off('error', reject); resolve(); }); });
  return {
    server, port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
