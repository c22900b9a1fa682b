/**
 * /healthz, /livez and /readyz as kube-apiserver answers them: named checks (`ping`, `log`,
 * `etcd` = the storage answers), `?verbose` lists each, `?exclude=<name>` skips one, and
 * `/<endpoint>/<check>` runs a single check. A failure is 500 with every check listed and the
 * failing one's reason withheld (it goes to the server log instead).
 */
import type { ServerResponse } from 'node:http';

export interface HealthCheck { name: string; check(): Promise<void> }
export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

export const HEALTH_ENDPOINTS: readonly HealthEndpoint[] = ['healthz', 'livez', 'readyz'];

/** The endpoint and optional single check a path names, or undefined for other paths. */
export function healthPath(path: string): { endpoint: HealthEndpoint; check?: string } | undefined {
  const [, first, second, ...rest] = path.split('/');
  if (!HEALTH_ENDPOINTS.includes(first as HealthEndpoint) || rest.length) return undefined;
  return { endpoint: first as HealthEndpoint, ...(second ? { check: second } : {}) };
}

/** A storage check: the store must answer within timeoutMs. */
export function storageCheck(ping: () => Promise<unknown>, timeoutMs = 2000): HealthCheck {
  return {
    name: 'etcd',
    async check() {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([ping(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); })]);
      } finally { clearTimeout(timer); }
    },
  };
}

export const BASE_CHECKS: readonly HealthCheck[] = [
  { name: 'ping', check: async () => undefined },
  { name: 'log', check: async () => undefined },
];

export interface HealthResult { code: number; body: string; failed: { name: string; error: string }[] }

/** Runs the checks for one endpoint and renders upstream's text answer. */
export async function runHealth(endpoint: HealthEndpoint, checks: readonly HealthCheck[], q: URLSearchParams, single?: string): Promise<HealthResult> {
  if (single !== undefined) {
    const c = checks.find((x) => x.name === single);
    if (!c) return { code: 404, body: '404 page not found\n', failed: [] };
    try { await c.check(); return { code: 200, body: 'ok', failed: [] }; } catch (e) {
      const error = (e as Error).message;
      return { code: 500, body: 'internal server error: reason withheld\n', failed: [{ name: c.name, error }] };
    }
  }
  const excluded = new Set(q.getAll('exclude'));
  const lines: string[] = [];
  const failed: { name: string; error: string }[] = [];
  for (const c of checks) {
    if (excluded.has(c.name)) { lines.push(`[+]${c.name} excluded: ok`); continue; }
    try { await c.check(); lines.push(`[+]${c.name} ok`); } catch (e) {
      failed.push({ name: c.name, error: (e as Error).message });
      lines.push(`[-]${c.name} failed: reason withheld`);
    }
  }
  if (failed.length) return { code: 500, body: `${lines.join('\n')}\n${endpoint} check failed\n`, failed };
  const verbose = q.has('verbose') && q.get('verbose') !== 'false';
  return { code: 200, body: verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok', failed };
}

export function writeHealth(res: ServerResponse, r: HealthResult): void {
  res.writeHead(r.code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache, private', 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}
