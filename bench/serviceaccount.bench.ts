/**
 * Service account tokens: what a request authenticated by a bound bearer token costs compared with
 * the same request authenticated by a client certificate (the reference, same server, same run),
 * and the TokenRequest rate. An in-process API server on 127.0.0.1 (SQLite); requests are
 * sequential over one keep-alive connection each. Not a test.
 *
 *   node dist/bench/serviceaccount.bench.js [--requests 2000] [--tokens 300]
 * Writes bench/results/serviceaccount.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApiServer } from '../src/api/server/index.js';
import { createLogger } from '../src/util/log.js';
import { pct, round, writeResult } from './stats.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const REQUESTS = arg('requests', 2000);
const TOKENS = arg('tokens', 300);

interface Client { call(method: string, path: string, body?: unknown): Promise<{ code: number; body: string }>; close(): void }

function client(url: string, ca: string, auth: { cert: string; key: string } | { token: string }): Client {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca, ...('cert' in auth ? { cert: auth.cert, key: auth.key } : {}) });
  return {
    call: (method, path, body) => new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if ('token' in auth) headers.authorization = `Bearer ${auth.token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const req = request(`${url}${path}`, { method, agent, headers }, (res) => {
        let data = '';
        res.on('data', (d: Buffer) => { data += d.toString(); });
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: data }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    }),
    close: () => agent.destroy(),
  };
}

interface Lat { perSec: number; p50Ms: number; p99Ms: number }

/** Sequential GETs, taking turns between the clients in rounds (so warm-up and machine load fall on all alike). */
async function latencies(clients: Client[], n: number, path: string, rounds = 5): Promise<Lat[]> {
  for (const c of clients) for (let i = 0; i < 50; i++) await c.call('GET', path); // warm up
  const xs: number[][] = clients.map(() => []);
  const total = clients.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (const [k, c] of clients.entries()) {
      const t0 = performance.now();
      for (let i = 0; i < Math.ceil(n / rounds); i++) {
        const t = performance.now();
        const res = await c.call('GET', path);
        if (res.code !== 200) throw new Error(`GET ${path} → ${res.code}: ${res.body}`);
        xs[k]!.push(performance.now() - t);
      }
      total[k]! += performance.now() - t0;
    }
  }
  return clients.map((_c, k) => ({ perSec: round(xs[k]!.length / (total[k]! / 1000), 0), p50Ms: round(pct(xs[k]!, 0.5)), p99Ms: round(pct(xs[k]!, 0.99)) }));
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pn-bench-sa-'));
  const srv = await startApiServer({ dataDir, listen: '127.0.0.1:0', log: createLogger('bench', 'silent') });
  try {
    const admin = client(srv.url, srv.pki.ca.cert, srv.pki.admin);
    const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const r = await admin.call('POST', path, body);
      if (r.code !== 201 && r.code !== 200) throw new Error(`POST ${path} → ${r.code}: ${r.body}`);
      return JSON.parse(r.body) as Record<string, unknown>;
    };
    await post('/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'bench' } });
    await post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
      metadata: { name: 'bench-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'bench', namespace: 'default' }],
    });
    await post('/api/v1/namespaces/default/pods', { metadata: { name: 'holder' }, spec: { serviceAccountName: 'bench', containers: [{ name: 'c', image: 'podnet/shell' }] } });
    const tokenOf = async (bound: boolean): Promise<string> => {
      const tr = await post('/api/v1/namespaces/default/serviceaccounts/bench/token', { spec: bound ? { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'holder' } } : {} });
      return (tr.status as { token: string }).token;
    };
    const unbound = client(srv.url, srv.pki.ca.cert, { token: await tokenOf(false) });
    const bound = client(srv.url, srv.pki.ca.cert, { token: await tokenOf(true) });
    const path = '/api/v1/namespaces/default/configmaps/kube-root-ca.crt';
    // the root CA controller does not run here: create the object the GETs read
    await post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': srv.pki.ca.cert } });
    const [cert, bearer, bearerBound] = await latencies([admin, unbound, bound], REQUESTS, path) as [Lat, Lat, Lat];
    const t0 = performance.now();
    for (let i = 0; i < TOKENS; i++) await tokenOf(i % 2 === 0);
    const tokenRequestsPerSec = round(TOKENS / ((performance.now() - t0) / 1000), 0);
    for (const c of [admin, unbound, bound]) c.close();
    const result = {
      when: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg().map((x) => round(x, 2)), requests: REQUESTS, tokens: TOKENS,
      reference: { clientCertificate: cert },
      bearerToken: bearer, bearerTokenBoundToPod: bearerBound,
      ratio: { bearerVsCertP50: round(bearer.p50Ms / cert.p50Ms, 2), boundVsCertP50: round(bearerBound.p50Ms / cert.p50Ms, 2) },
      tokenRequestsPerSec,
    };
    writeResult('serviceaccount', result);
  } finally {
    await srv.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
