import https from 'node:https';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { KObject } from '../meta/types.js';
import { ApiError, ConnectionError, type Status } from './errors.js';
import { resourcePath } from './resources.js';
import type { ApiWatchEvent, ClientConfig, CreateOptions, DeleteOptions, KubeClient, ListOptions, ListResult, ResourceRef } from './types.js';

type Query = Record<string, string | number | boolean | undefined>;

const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

function qs(q: Query): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function listQuery(o: ListOptions | undefined): Query {
  return { labelSelector: o?.labelSelector, fieldSelector: o?.fieldSelector, limit: o?.limit, continue: o?.continue, resourceVersion: o?.resourceVersion };
}

/** Talks HTTPS to the API server over TCP or a unix socket (`unix:///path`), with one keep-alive agent. */
export class HttpKubeClient implements KubeClient {
  private readonly agent: http.Agent;
  private readonly base: { host?: string; port?: number; socketPath?: string; protocol: 'https:' | 'http:' };
  private readonly timeoutMs: number;

  constructor(readonly cfg: ClientConfig) {
    const tls = { ca: cfg.ca, cert: cfg.cert, key: cfg.key, rejectUnauthorized: !cfg.insecureSkipTlsVerify };
    if (cfg.server.startsWith('unix://')) {
      this.base = { socketPath: cfg.server.slice('unix://'.length), protocol: 'https:' };
    } else {
      let u: URL;
      try { u = new URL(cfg.server); } catch { throw new ConnectionError(`invalid server URL "${cfg.server}"`); }
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConnectionError(`server URL "${cfg.server}" must be https://, http:// or unix://`);
      this.base = { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), protocol: u.protocol };
    }
    this.agent = this.base.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: 64, ...tls })
      : new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.timeoutMs = cfg.timeoutMs ?? 30_000;
  }

  /** Closes idle keep-alive sockets. */
  close(): void { this.agent.destroy(); }

  private open(method: string, path: string, body: unknown, contentType: string | undefined, signal?: AbortSignal, timeout = true): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json', 'user-agent': this.cfg.userAgent ?? 'podnet' };
    if (payload) { headers['content-type'] = contentType ?? 'application/json'; headers['content-length'] = payload.length; }
    if (this.cfg.token) headers.authorization = `Bearer ${this.cfg.token}`;
    const mod = this.base.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request({
        method, path, headers, agent: this.agent,
        ...(this.base.socketPath ? { socketPath: this.base.socketPath, servername: 'localhost', host: 'localhost' } : { host: this.base.host, port: this.base.port }),
        ca: this.cfg.ca, cert: this.cfg.cert, key: this.cfg.key, rejectUnauthorized: !this.cfg.insecureSkipTlsVerify,
        signal,
      } as https.RequestOptions, resolve);
      if (timeout) req.setTimeout(this.timeoutMs, () => req.destroy(new ConnectionError(`${method} ${path}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', (e: Error) => {
        if (e instanceof ConnectionError || (e as { name?: string }).name === 'AbortError') reject(e);
        else reject(new ConnectionError(`${method} ${path} → ${this.cfg.server}: ${e.message}`, e));
      });
      req.end(payload);
    });
  }

  private async readAll(res: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private toError(httpStatus: number, text: string, what: string): ApiError {
    let st: Status = {};
    try { const j = JSON.parse(text) as Status; if (j && typeof j === 'object') st = j; } catch { /* not JSON */ }
    return new ApiError(httpStatus, st, st.message ?? `${what}: HTTP ${httpStatus} ${text.slice(0, 200)}`);
  }

  /** One JSON request; non-2xx answers become ApiError. */
  async request<R>(method: string, path: string, body?: unknown, contentType?: string): Promise<R> {
    const res = await this.open(method, path, body, contentType);
    const text = await this.readAll(res);
    const code = res.statusCode ?? 0;
    if (code < 200 || code > 299) throw this.toError(code, text, `${method} ${path}`);
    return (text ? JSON.parse(text) : undefined) as R;
  }

  get<T extends KObject>(ref: ResourceRef, name: string): Promise<T> {
    return this.request('GET', resourcePath(ref, name));
  }

  async list<T extends KObject>(ref: ResourceRef, opts?: ListOptions): Promise<ListResult<T>> {
    const r = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>('GET', resourcePath(ref) + qs(listQuery(opts)));
    const out: ListResult<T> = { items: r.items ?? [], resourceVersion: r.metadata?.resourceVersion ?? '' };
    if (r.metadata?.continue) out.continue = r.metadata.continue;
    return out;
  }

  /** Every page of a list (limit/continue), merged. */
  async listAll<T extends KObject>(ref: ResourceRef, opts?: ListOptions, pageSize = 500): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.list<T>(ref, { ...opts, limit: pageSize, continue: cont });
      items.push(...page.items);
      if (!rv) rv = page.resourceVersion;
      cont = page.continue;
    } while (cont);
    return { items, resourceVersion: rv };
  }

  create<T extends KObject>(ref: ResourceRef, obj: T, opts?: CreateOptions): Promise<T> {
    const path = opts?.subresource ? resourcePath(ref, opts.name ?? obj.metadata?.name, opts.subresource) : resourcePath(ref);
    return this.request('POST', path + qs({ fieldManager: opts?.fieldManager }), obj);
  }

  update<T extends KObject>(ref: ResourceRef, obj: T, subresource?: string): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) return Promise.reject(new ApiError(422, { reason: 'Invalid', message: 'update: metadata.name is required' }));
    return this.request('PUT', resourcePath(ref, name, subresource), obj);
  }

  patch<T extends KObject>(ref: ResourceRef, name: string, patch: unknown, type: 'merge' | 'json' | 'strategic', subresource?: string): Promise<T> {
    return this.request('PATCH', resourcePath(ref, name, subresource), patch, PATCH_TYPES[type]);
  }

  async delete(ref: ResourceRef, name: string, opts?: DeleteOptions): Promise<void> {
    const body = opts ? { kind: 'DeleteOptions', apiVersion: 'v1', ...opts } : undefined;
    await this.request('DELETE', resourcePath(ref, name), body);
  }

  /**
   * A watch as an async iterable of events, read from the chunked newline-delimited JSON stream.
   * Ends when the server closes the stream; aborting `signal` ends it too. An ERROR event
   * carrying a Status (e.g. 410 Gone / Expired) is thrown as ApiError.
   */
  async *watch<T extends KObject>(ref: ResourceRef, opts: ListOptions & { resourceVersion: string; allowWatchBookmarks?: boolean; timeoutSeconds?: number }, signal: AbortSignal): AsyncIterable<ApiWatchEvent<T>> {
    if (signal.aborted) return;
    const q: Query = { ...listQuery(opts), limit: undefined, continue: undefined, watch: 1, allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined, timeoutSeconds: opts.timeoutSeconds };
    const path = resourcePath(ref) + qs(q);
    let res: IncomingMessage;
    try { res = await this.open('GET', path, undefined, undefined, signal, false); } catch (e) { if (signal.aborted) return; throw e; }
    const code = res.statusCode ?? 0;
    if (code < 200 || code > 299) throw this.toError(code, await this.readAll(res), `watch ${path}`);
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const ev = JSON.parse(line) as ApiWatchEvent<T>;
          if (ev.type === 'ERROR') {
            const st = ev.object as unknown as Status;
            throw new ApiError(st.code ?? 500, st);
          }
          yield ev;
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError || e instanceof SyntaxError) throw e;
      throw new ConnectionError(`watch ${path} broke: ${(e as Error).message}`, e);
    } finally {
      res.destroy();
    }
    const rest = buf.trim();
    if (rest) {
      const ev = JSON.parse(rest) as ApiWatchEvent<T>;
      if (ev.type === 'ERROR') { const st = ev.object as unknown as Status; throw new ApiError(st.code ?? 500, st); }
      yield ev;
    }
  }
}

/** The client every daemon uses. */
export function createClient(cfg: ClientConfig): KubeClient & { listAll: HttpKubeClient['listAll']; request: HttpKubeClient['request']; close(): void } {
  return new HttpKubeClient(cfg);
}
