/**
 * API server at scale (issue 17, "Scale"): a real `podnet apiserver` child process on SQLite (the
 * default store; the etcd store is not measured here, see bench/api.bench.ts), driven over HTTPS:
 * (a) watch fan-out: W concurrent watchers (each its own TLS connection; pods of all namespaces,
 *     of one namespace, and label-selected), one writer making N pod creates one at a time,
 *     paced (latency) and then back to back (throughput). Delivery latency per event per watcher,
 *     from the write's ack and from its send; events/s; the API server's RSS and CPU.
 * (b) list of P pods: creation rate through the API (64 creates in flight), then one list request,
 *     pages of 500 (limit + continue, as kubectl --chunk-size 500), the same as Tables (kubectl's
 *     default output), and `kubectl get pods -A --chunk-size=500 | wc -l`; time per page, total,
 *     bytes, peak RSS of the API server (VmHWM, reset through /proc/PID/clear_refs per phase).
 * References in the same run, same rows: the raw store read (SQLite SELECT of the pod rows on a
 * copy of the server's database) and JSON.parse + JSON.stringify of the same objects, so the
 * ratio is the server's overhead over the raw work.
 * Not a test; no assertion on time.
 *
 *   node dist/bench/apiscale.bench.js [--watchers 1000] [--events 200] [--pods 50000] [--page 500]
 * Writes bench/results/apiscale.json.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { parse as parseYaml } from 'yaml';
import { exec } from '../src/util/exec.js';
import { startApiServer, type ApiServerHandle } from '../test/support/apiserver.js';
import { inParallel, pct, round, writeResult } from './stats.js';

const maxOf = (xs: number[]): number => xs.reduce((m, x) => (x > m ? x : m), -Infinity);

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const WATCHERS = arg('watchers', 1000);
const EVENTS = arg('events', 200);
const PODS = arg('pods', 50_000);
const PAGE = arg('page', 500);
const NS = 'scale';
const FAN_NS = 'fan';

const pod = (ns: string, i: number, group: string): object => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: `pod-${String(i).padStart(6, '0')}`, namespace: ns, labels: { app: 'scale', group, shard: String(i % 16) } },
  spec: { nodeName: `node${i % 50}`, containers: [{ name: 'c', image: 'podnet/echo', ports: [{ containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'PAD', value: 'x'.repeat(400) }] }] },
});

// ---- HTTPS to the server with the admin client certificate ----

interface Conn { url: string; ca: Buffer; cert: Buffer; key: Buffer; agent: Agent }
function connOf(api: ApiServerHandle): Conn {
  const kc = parseYaml(readFileSync(api.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
  const b = (s: string): Buffer => Buffer.from(s, 'base64');
  return {
    url: api.url, ca: b(kc.clusters[0]!.cluster['certificate-authority-data']!), cert: b(kc.users[0]!.user['client-certificate-data']!), key: b(kc.users[0]!.user['client-key-data']!),
    agent: new Agent({ keepAlive: true, maxSockets: 128 }),
  };
}

interface Resp { status: number; body: Buffer; ms: number }
function call(c: Conn, method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Resp> {
  const t = performance.now();
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(`${c.url}${path}`, { method, agent: c.agent, ca: c.ca, cert: c.cert, key: c.key, headers: { accept, ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - t }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}
async function ok(c: Conn, method: string, path: string, body?: unknown, accept?: string): Promise<Resp> {
  const r = await call(c, method, path, body, accept);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.toString().slice(0, 300)}`);
  return r;
}

/** A namespace and its default ServiceAccount (pod admission looks it up; no controllers run here). */
async function namespace(c: Conn, name: string): Promise<void> {
  await ok(c, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await ok(c, 'POST', `/api/v1/namespaces/${name}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
}

// ---- the server process: RSS, peak RSS, CPU ----

function procStatus(pid: number): { rssMiB: number; hwmMiB: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (f: string): number => Number(new RegExp(`^${f}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
  return { rssMiB: round(kb('VmRSS') / 1024, 1), hwmMiB: round(kb('VmHWM') / 1024, 1) };
}
/** utime + stime of the process in ms. */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10; // USER_HZ = 100
}
/** Resets the peak RSS (VmHWM) to the current RSS (Linux ≥ 4.0). */
function resetPeak(pid: number): void { writeFileSync(`/proc/${pid}/clear_refs`, '5'); }

// ---- (a) watch fan-out ----

interface WatchSpec { label: string; path: string; expects(group: string): boolean }
const watchSpecs = (): WatchSpec[] => [
  { label: 'all namespaces', path: '/api/v1/pods', expects: () => true },
  { label: `namespace ${FAN_NS}`, path: `/api/v1/namespaces/${FAN_NS}/pods`, expects: () => true },
  { label: 'labelSelector group=a (half the writes)', path: `/api/v1/pods?labelSelector=${encodeURIComponent('group=a')}`, expects: (g) => g === 'a' },
];

interface Watcher { spec: WatchSpec; got: number; close(): void }

/** One raw watch stream; calls onEvent(name) for every ADDED line. Resolves once the headers arrived. */
function openWatch(c: Conn, spec: WatchSpec, rv: string, onEvent: (name: string) => void): Promise<Watcher> {
  const sep = spec.path.includes('?') ? '&' : '?';
  return new Promise((resolve, reject) => {
    const req = request(`${c.url}${spec.path}${sep}watch=1&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=3600`, { agent: false, ca: c.ca, cert: c.cert, key: c.key, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch ${spec.path}: ${res.statusCode}`)); return; }
      const w: Watcher = { spec, got: 0, close: () => req.destroy() };
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.startsWith('{"type":"ADDED"')) continue;
          const m = /"name":"(pod-\d+)"/.exec(line);
          if (m) { w.got++; onEvent(m[1]!); }
        }
      });
      res.on('error', () => { /* closed by us */ });
      resolve(w);
    });
    req.on('error', (e) => { if (!(e as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) reject(e); });
    req.end();
  });
}

interface FanoutPhase {
  writes: number; deliveries: number; expectedDeliveries: number;
  fromAckP50Ms: number; fromAckP99Ms: number; fromAckMaxMs: number;
  fromSendP50Ms: number; fromSendP99Ms: number; fromSendMaxMs: number;
  lastWatcherP50Ms: number; lastWatcherP99Ms: number;
  writeAckP50Ms: number; writeAckP99Ms: number;
  wallMs: number; writesPerSec: number; deliveriesPerSec: number;
  serverCpuMs: number; serverCpuPercent: number; serverRssMiB: number; serverPeakRssMiB: number;
}

async function fanout(c: Conn, pid: number, watchers: number, events: number): Promise<{ setup: Record<string, number>; paced: FanoutPhase; burst: FanoutPhase }> {
  await namespace(c, FAN_NS);
  const rv = (JSON.parse((await ok(c, 'GET', `/api/v1/namespaces/${FAN_NS}/pods?limit=1`)).body.toString()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const specs = watchSpecs();
  // 60 % all namespaces, 30 % namespaced, 10 % label-selected
  const specOf = (i: number): WatchSpec => specs[i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2]!;
  let phase: { sentAt: Map<string, number>; ackAt: Map<string, number>; names: string[]; at: number[]; got: number; want: number; done?: () => void } | undefined;
  const onEvent = (name: string): void => {
    const p = phase;
    if (!p) return;
    const now = performance.now();
    if (!p.sentAt.has(name)) return;
    p.names.push(name);
    p.at.push(now);
    if (++p.got === p.want) p.done?.();
  };
  const rss0 = procStatus(pid).rssMiB;
  const tOpen = performance.now();
  const open: Watcher[] = [];
  await inParallel(watchers, 50, async (i) => { open.push(await openWatch(c, specOf(i), rv, (n) => onEvent(n))); });
  const openMs = performance.now() - tOpen;
  await new Promise((r) => setTimeout(r, 1000));
  const rssWatching = procStatus(pid).rssMiB;
  let next = 0;
  const run = async (n: number, width: number, gapMs: number): Promise<FanoutPhase> => {
    const groups = Array.from({ length: n }, (_, j) => ((next + j) % 2 === 0 ? 'a' : 'b'));
    const want = groups.reduce((s, g) => s + open.filter((w) => w.spec.expects(g)).length, 0);
    const p = { sentAt: new Map<string, number>(), ackAt: new Map<string, number>(), names: [] as string[], at: [] as number[], got: 0, want, done: undefined as (() => void) | undefined };
    const finished = new Promise<void>((r) => { p.done = r; });
    phase = p;
    const base = next;
    next += n;
    resetPeak(pid);
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    const acks: number[] = [];
    await inParallel(n, width, async (j) => {
      const i = base + j;
      const name = `pod-${String(i).padStart(6, '0')}`;
      const t = performance.now();
      p.sentAt.set(name, t);
      await ok(c, 'POST', `/api/v1/namespaces/${FAN_NS}/pods`, pod(FAN_NS, i, groups[j]!));
      const a = performance.now();
      p.ackAt.set(name, a);
      acks.push(a - t);
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`watchers got ${p.got}/${want} events`)), 120_000); })]);
    clearTimeout(timer);
    const wall = performance.now() - t0;
    const cpu = cpuMs(pid) - cpu0;
    const st = procStatus(pid);
    phase = undefined;
    const fromAck = p.at.map((t, i) => t - p.ackAt.get(p.names[i]!)!);
    const fromSend = p.at.map((t, i) => t - p.sentAt.get(p.names[i]!)!);
    const last = new Map<string, number>();
    p.at.forEach((t, i) => { const n = p.names[i]!; last.set(n, Math.max(last.get(n) ?? 0, t)); });
    const lastWatcher = [...last].map(([n, t]) => t - p.ackAt.get(n)!);
    return {
      writes: n, deliveries: p.got, expectedDeliveries: want,
      fromAckP50Ms: round(pct(fromAck, 0.5)), fromAckP99Ms: round(pct(fromAck, 0.99)), fromAckMaxMs: round(maxOf(fromAck)),
      fromSendP50Ms: round(pct(fromSend, 0.5)), fromSendP99Ms: round(pct(fromSend, 0.99)), fromSendMaxMs: round(maxOf(fromSend)),
      lastWatcherP50Ms: round(pct(lastWatcher, 0.5)), lastWatcherP99Ms: round(pct(lastWatcher, 0.99)),
      writeAckP50Ms: round(pct(acks, 0.5)), writeAckP99Ms: round(pct(acks, 0.99)),
      wallMs: round(wall), writesPerSec: round(n / (wall / 1000), 1), deliveriesPerSec: round(p.got / (wall / 1000), 0),
      serverCpuMs: cpu, serverCpuPercent: round((cpu / wall) * 100, 1), serverRssMiB: st.rssMiB, serverPeakRssMiB: st.hwmMiB,
    };
  };
  try {
    const paced = await run(events, 1, 20);
    const burst = await run(events, 8, 0);
    return { setup: { watchersOpenMs: round(openMs), serverRssBeforeMiB: rss0, serverRssWatchingMiB: rssWatching }, paced, burst };
  } finally {
    for (const w of open) w.close();
  }
}

// ---- (b) list of many pods ----

interface PagedList { pages: number; items: number; totalMs: number; pageP50Ms: number; pageP99Ms: number; pageMaxMs: number; bytes: number; serverPeakRssMiB: number }

/** Pages through every pod; with `writeAfterFirst` a pod is created after the first page, so the later pages read at a past revision (as in a cluster that keeps writing). */
async function listPaged(c: Conn, pid: number, accept: string, count: (body: Buffer) => number, writeAfterFirst?: string): Promise<PagedList> {
  resetPeak(pid);
  const times: number[] = [];
  let cont = '';
  let items = 0;
  let bytes = 0;
  const t0 = performance.now();
  do {
    const r = await ok(c, 'GET', `/api/v1/pods?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, undefined, accept);
    times.push(r.ms);
    bytes += r.body.length;
    items += count(r.body);
    cont = (JSON.parse(r.body.toString()) as { metadata: { continue?: string } }).metadata.continue ?? '';
    if (writeAfterFirst && times.length === 1) await ok(c, 'POST', `/api/v1/namespaces/${NS}/pods`, { ...pod(NS, 0, 'a'), metadata: { name: writeAfterFirst, namespace: NS } });
  } while (cont);
  const totalMs = performance.now() - t0;
  return { pages: times.length, items, totalMs: round(totalMs), pageP50Ms: round(pct(times, 0.5)), pageP99Ms: round(pct(times, 0.99)), pageMaxMs: round(maxOf(times)), bytes, serverPeakRssMiB: procStatus(pid).hwmMiB };
}

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

async function bigList(c: Conn, api: ApiServerHandle, pid: number, pods: number): Promise<Record<string, unknown>> {
  await namespace(c, NS);
  resetPeak(pid);
  const lat: number[] = [];
  const t0 = performance.now();
  await inParallel(pods, 64, async (i) => {
    const r = await ok(c, 'POST', `/api/v1/namespaces/${NS}/pods`, pod(NS, i, i % 2 ? 'b' : 'a'));
    lat.push(r.ms);
    if (i % 5000 === 4999) process.stderr.write(`  created ${i + 1}/${pods}\n`);
  });
  const createMs = performance.now() - t0;
  const create = { pods, inFlight: 64, perSec: round(pods / (createMs / 1000), 1), p50Ms: round(pct(lat, 0.5)), p99Ms: round(pct(lat, 0.99)), serverPeakRssMiB: procStatus(pid).hwmMiB };
  const itemsOf = (b: Buffer): number => (JSON.parse(b.toString()) as { items: unknown[] }).items.length;
  const rowsOf = (b: Buffer): number => (JSON.parse(b.toString()) as { rows: unknown[] }).rows.length;
  // one request, no limit
  const one: { ms: number; bytes: number; items: number; serverPeakRssMiB: number }[] = [];
  for (let k = 0; k < 3; k++) {
    resetPeak(pid);
    const r = await ok(c, 'GET', '/api/v1/pods');
    one.push({ ms: r.ms, bytes: r.body.length, items: itemsOf(r.body), serverPeakRssMiB: procStatus(pid).hwmMiB });
  }
  const oneReq = { ms: round(pct(one.map((x) => x.ms), 0.5)), bytes: one[0]!.bytes, items: one[0]!.items, serverPeakRssMiB: maxOf(one.map((x) => x.serverPeakRssMiB)) };
  if (oneReq.items < pods) throw new Error(`listed ${oneReq.items} pods, want ≥ ${pods}`);
  const pagedJson = await listPaged(c, pid, 'application/json', itemsOf);
  const pagedJson2 = await listPaged(c, pid, 'application/json', itemsOf);
  const pagedTable = await listPaged(c, pid, TABLE_ACCEPT, rowsOf);
  const pagedPastRevision = await listPaged(c, pid, 'application/json', itemsOf, 'moving-1');
  if (pagedPastRevision.items !== pagedJson.items) throw new Error(`paged at a past revision: ${pagedPastRevision.items} items, want ${pagedJson.items}`);
  const tableOne = await ok(c, 'GET', '/api/v1/pods', undefined, TABLE_ACCEPT);
  // the real kubectl, as a user types it
  resetPeak(pid);
  const tk = performance.now();
  const k = await exec(['sh', '-c', `kubectl get pods -A --chunk-size=${PAGE} | wc -l`], { env: { ...process.env, KUBECONFIG: api.kubeconfigPath } });
  const kubectlMs = performance.now() - tk;
  const lines = Number(k.stdout.trim());
  const tp = performance.now();
  await exec(['kubectl', 'get', 'namespace', 'default', '-o', 'name'], { env: { ...process.env, KUBECONFIG: api.kubeconfigPath } });
  const kubectlProcessMs = performance.now() - tp;
  return {
    create,
    listOneRequest: oneReq,
    listPagedJson: pagedJson.totalMs <= pagedJson2.totalMs ? pagedJson : pagedJson2,
    listPagedTable: pagedTable,
    listPagedJsonPastRevision: pagedPastRevision,
    listTableOneRequest: { ms: round(tableOne.ms), bytes: tableOne.body.length },
    kubectlGetPodsChunked: { ms: round(kubectlMs), lines, serverPeakRssMiB: procStatus(pid).hwmMiB, kubectlProcessMs: round(kubectlProcessMs) },
  };
}

// ---- references: the raw store read and JSON work on the same rows ----

function jsonRef(values: Buffer[], revision: number): { parseMs: number; stringifyMs: number; bytes: number } {
  const t0 = performance.now();
  const items = values.map((v, i) => { const o = JSON.parse(v.toString()) as { metadata: Record<string, unknown> }; o.metadata.resourceVersion = String(revision - i); return o; });
  const t1 = performance.now();
  const s = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(revision) }, items });
  const t2 = performance.now();
  return { parseMs: round(t1 - t0), stringifyMs: round(t2 - t1), bytes: Buffer.byteLength(s) };
}

function sqliteReference(dataDir: string): Record<string, number> {
  // The server holds its database in exclusive mode; read a copy (the WAL is replayed on open).
  const dir = mkdtempSync(join(tmpdir(), 'pn-apiscale-ref-'));
  try {
    copyFileSync(join(dataDir, 'podnet.db'), join(dir, 'podnet.db'));
    if (existsSync(join(dataDir, 'podnet.db-wal'))) copyFileSync(join(dataDir, 'podnet.db-wal'), join(dir, 'podnet.db-wal'));
    const db = new Database(join(dir, 'podnet.db'), { readonly: false });
    try {
      const all = db.prepare<[string, string], { value: Buffer }>('SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key');
      const page = db.prepare<[string, string, number], { key: string; value: Buffer }>('SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?');
      all.all('/registry/pods/', '/registry/pods0'); // warm the page cache
      const times: number[] = [];
      let rows: { value: Buffer }[] = [];
      for (let k = 0; k < 3; k++) { const t = performance.now(); rows = all.all('/registry/pods/', '/registry/pods0'); times.push(performance.now() - t); }
      const tp = performance.now();
      let start = '/registry/pods/';
      let n = 0;
      for (;;) {
        const r = page.all(start, '/registry/pods0', PAGE);
        n += r.length;
        if (r.length < PAGE) break;
        start = r[r.length - 1]!.key + '\u0000';
      }
      const pagedMs = performance.now() - tp;
      const j = jsonRef(rows.map((r) => r.value), 1_000_000);
      return { rows: rows.length, selectAllMs: round(pct(times, 0.5)), selectPagedMs: round(pagedMs), pagedRows: n, jsonParseMs: j.parseMs, jsonStringifyMs: j.stringifyMs, jsonBytes: j.bytes, selectParseStringifyMs: round(pct(times, 0.5) + j.parseMs + j.stringifyMs) };
    } finally { db.close(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** Servers to stop when a timeout or ^C ends the run early. */
const running = new Set<{ stop(): Promise<void> }>();
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => { void Promise.allSettled([...running].map((r) => r.stop())).then(() => process.exit(1)); });
}

async function benchEngine(storage: string): Promise<Record<string, unknown>> {
  const api = await startApiServer({ storage, controllers: '' });
  running.add(api);
  try {
    const pid = api.pid()!;
    const c = connOf(api);
    process.stderr.write(`apiscale (${storage}): watch fan-out to ${WATCHERS} watchers, ${EVENTS} writes\n`);
    const watch = await fanout(c, pid, WATCHERS, EVENTS);
    process.stderr.write(`apiscale (${storage}): ${PODS} pods, create and list\n`);
    const list = await bigList(c, api, pid, PODS);
    c.agent.destroy();
    const reference = sqliteReference(api.dataDir);
    return { storage: storage.split(':')[0], watch, list, reference };
  } finally {
    running.delete(api);
    await api.stop();
  }
}

const results: Record<string, unknown> = {};
const sqlite = await benchEngine('sqlite');
const l = sqlite.list as Record<string, Record<string, number>>;
const ref = sqlite.reference as Record<string, number>;
const raw = ref.selectParseStringifyMs!;
Object.assign(results, {
  date: new Date().toISOString(),
  params: { watchers: WATCHERS, events: EVENTS, pods: PODS, page: PAGE, podJsonBytes: JSON.stringify(pod(NS, 0, 'a')).length, node: process.version, cpus: cpus().length, loadAverage1m: round(loadavg()[0]!, 2) },
  kubectlVersion: (await exec(['kubectl', 'version', '--client', '-o', 'json'])).stdout.match(/"gitVersion":\s*"([^"]+)"/)?.[1],
  sqlite,
  ratios: {
    sqlite: {
      // > 1: the API server takes longer than the raw store read + JSON of the same rows
      listOneRequest_vs_rawReadParseStringify: round(l.listOneRequest!.ms! / raw),
      listPaged500_vs_rawReadParseStringify: round(l.listPagedJson!.totalMs! / raw),
      listPagedTable500_vs_rawReadParseStringify: round(l.listPagedTable!.totalMs! / raw),
      listPaged500PastRevision_vs_rawReadParseStringify: round(l.listPagedJsonPastRevision!.totalMs! / raw),
      kubectlChunked_vs_rawReadParseStringify: round(l.kubectlGetPodsChunked!.ms! / raw),
      // against the SELECT alone (no JSON work)
      listOneRequest_vs_rawSelect: round(l.listOneRequest!.ms! / ref.selectAllMs!),
      listPaged500_vs_rawSelectPaged: round(l.listPagedJson!.totalMs! / ref.selectPagedMs!),
    },
  },
  notes: 'One run on a 2-core VM shared with the watchers, the writer and kubectl (all in this process or its children). Watch latency: fromAck = event arrival at a watcher − the write\'s HTTP response at the writer (negative when the event arrives first); fromSend = arrival − just before the write was sent; lastWatcher = per write, until the last watcher had it (from the ack). paced: one write in flight, 20 ms apart; burst: 8 in flight back to back. Peak RSS is VmHWM after a reset through /proc/PID/clear_refs at the start of each phase. The references read the same rows: a SELECT on a copy of the server\'s SQLite file, then JSON.parse of every value and JSON.stringify of the list.',
});
writeResult('apiscale', results);
// the watch sockets' teardown must not keep the process alive
process.exit(0);
