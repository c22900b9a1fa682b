/**
 * `podnet ui`'s HTTP server (node:http, 127.0.0.1 only): the page and its assets (Cytoscape.js from
 * node_modules — nothing from the network), the live snapshot as JSON and as Server-Sent Events, an
 * object's inspect data, a trace (the `podnet trace` subprocess) mapped onto graph elements, and a
 * bounded pcap capture of one interface as a download.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PodnetError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { inspectNodeCommand } from '../observe/inspectnode.js';
import { inspectPodCommand } from '../observe/inspectpod.js';
import { inspectSvcCommand } from '../observe/inspectsvc.js';
import { captureRequest, streamCapture } from './capture.js';
import { mapHops } from './hops.js';
import type { LabState } from './labstate.js';
import { runTrace, traceRequest } from './trace.js';

export class UiError extends PodnetError {
  constructor(code: string, message: string, readonly status = 400) { super(code, message); }
}

/** The repository root (dist/src/ui/ → ../../..; src/ui/ under ts-node-free layouts → ../..). */
export function repoRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const up3 = join(here, '..', '..', '..');
  return existsSync(join(up3, 'package.json')) ? up3 : join(here, '..', '..');
}

export const LOOPBACK = '127.0.0.1';

/** Only the loopback address: the view can run traces and captures, so nothing else may reach it. */
export function checkListen(addr: string): string {
  if (addr === LOOPBACK || addr === 'localhost') return LOOPBACK;
  throw new UiError('ELISTEN', `--listen ${addr}: podnet ui listens on 127.0.0.1 only`);
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

export interface UiServerOptions { state: LabState; kubeconfig: string; lab?: string; log: Logger; root?: string }

export class UiServer {
  private readonly server: Server;
  private readonly root: string;
  private readonly sse = new Set<ServerResponse>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: UiServerOptions) {
    this.root = o.root ?? repoRoot();
    this.server = createServer((req, res) => { void this.handle(req, res); });
  }

  /** Listens on 127.0.0.1:port (0: any free port); resolves with the port. */
  async listen(port: number): Promise<number> {
    await new Promise<void>((res, rej) => { this.server.once('error', rej); this.server.listen(port, LOOPBACK, () => res()); });
    this.unsubscribe = this.o.state.subscribe((s) => { const msg = `event: snapshot\ndata: ${JSON.stringify(s)}\n\n`; for (const r of this.sse) r.write(msg); });
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : port;
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    for (const r of this.sse) r.end();
    this.server.closeAllConnections();
    await new Promise<void>((res) => this.server.close(() => res()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // a page on another origin must not drive this (DNS rebinding): the Host must be the loopback one
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (host !== LOOPBACK && host !== 'localhost') throw new UiError('EHOST', `Host ${req.headers.host ?? '(none)'} refused: use http://127.0.0.1`, 403);
      if (req.method !== 'GET') throw new UiError('EMETHOD', `${req.method ?? ''} not allowed`, 405);
      const url = new URL(req.url ?? '/', `http://${LOOPBACK}`);
      const q = url.searchParams;
      switch (url.pathname) {
        case '/': return this.file(res, join(this.root, 'src', 'ui', 'static', 'index.html'));
        case '/vendor/cytoscape.min.js': return this.file(res, join(this.root, 'node_modules', 'cytoscape', 'dist', 'cytoscape.min.js'));
        case '/favicon.ico': res.writeHead(204).end(); return;
        case '/api/snapshot': return json(res, 200, this.o.state.snapshot());
        case '/api/events': return this.events(req, res);
        case '/api/inspect': return json(res, 200, await this.inspect(q));
        case '/api/trace': {
          const t = await runTrace(traceRequest(q), { root: this.root, kubeconfig: this.o.kubeconfig, lab: this.o.lab });
          return json(res, 200, { trace: t, highlight: mapHops(t, this.o.state.snapshot().graph) });
        }
        case '/api/capture': return await streamCapture(captureRequest(q), { kubeconfig: this.o.kubeconfig, lab: this.o.lab }, req, res);
        default:
          if (url.pathname.startsWith('/static/')) return this.file(res, join(this.root, 'src', 'ui', 'static'), url.pathname.slice('/static/'.length));
          throw new UiError('ENOTFOUND', `no such page ${url.pathname}`, 404);
      }
    } catch (e) {
      const err = e as { code?: string; message?: string; status?: number };
      const status = typeof err.status === 'number' ? err.status : err.code === 'ENOTFOUND' || /not ?found/i.test(err.message ?? '') ? 404 : 500;
      if (!res.headersSent) json(res, status, { error: err.message ?? String(e), code: err.code ?? 'EINTERNAL' });
      else res.end();
      if (status >= 500) this.o.log.warn({ err: e, url: req.url }, 'web view request failed');
    }
  }

  private inspect(q: URLSearchParams): Promise<unknown> {
    const kind = q.get('kind') ?? '';
    const name = q.get('name') ?? '';
    const namespace = q.get('namespace') ?? 'default';
    if (!name) throw new UiError('EFIELD', 'name is required');
    const where = { kubeconfig: this.o.kubeconfig, lab: this.o.lab };
    switch (kind) {
      case 'pod': return inspectPodCommand(name, { ...where, namespace });
      case 'node': return inspectNodeCommand(name, where);
      case 'service': return inspectSvcCommand(name, { ...where, namespace, ...(q.get('node') ? { node: q.get('node')! } : {}) });
      case 'device': {
        const node = q.get('node') ?? '';
        const k = this.o.state.nodeKernel(node);
        if (!k) throw new UiError('ENOTFOUND', `no kernel view of node "${node}"`, 404);
        const link = k.links.find((l) => l.name === name);
        if (!link) throw new UiError('ENOTFOUND', `node ${node} has no device "${name}"`, 404);
        return Promise.resolve({
          node, link, bridge: k.bridges.find((b) => b.name === name), tunnel: k.tunnels.find((t) => t.name === name),
          routes: k.routes.filter((r) => r.dev === name),
        });
      }
      default: throw new UiError('EFIELD', `kind must be pod, node, service or device, not "${kind}"`);
    }
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`event: snapshot\ndata: ${JSON.stringify(this.o.state.snapshot())}\n\n`);
    this.sse.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => { clearInterval(ping); this.sse.delete(res); });
  }

  /** A file under `dir` (`rel` must not climb out of it), or `dir` itself when rel is undefined. */
  private file(res: ServerResponse, dir: string, rel?: string): void {
    const path = rel === undefined ? dir : normalize(join(dir, rel));
    if (rel !== undefined && !path.startsWith(dir + sep)) throw new UiError('ENOTFOUND', 'no such file', 404);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UiError('ENOTFOUND', `no such file ${rel ?? path}`, 404);
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    createReadStream(path).pipe(res);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
