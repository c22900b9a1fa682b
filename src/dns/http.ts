import http from 'node:http';

/** Where /metrics text comes from (a prom-client Registry is one). */
export interface MetricsSource { contentType: string; metrics(): Promise<string> }

/** /health (process alive), /ready (caches synced and sockets bound) and /metrics (Prometheus). */
export function startDnsHttp(addr: { host: string; port: number }, probe: { ready(): boolean }, registry: MetricsSource): Promise<http.Server> {
  const srv = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') { res.writeHead(200, { 'content-type': 'text/plain' }).end('OK'); return; }
    if (path === '/ready') {
      const ok = probe.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'OK' : 'not ready');
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)));
      return;
    }
    res.writeHead(404).end('not found');
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(addr.port, addr.host, () => { srv.off('error', reject); resolve(srv); });
  });
}
