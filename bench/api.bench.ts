/**
 * API benchmark (issue 3): a real `podnet apiserver` on SQLite and on a real etcd, driven over
 * HTTPS by our client and by the real kubectl:
 * - pod creation rate (one in flight and 16 in flight) up to 10,000 pods;
 * - list of the 10,000 pods: one request, pages of 500, `kubectl get pods -A` (table, chunked by
 *   500 as kubectl does), `kubectl get pods -A -o json`;
 * - watch event delivery latency to 100 watchers (each its own HTTPS connection).
 * References measured in the same run against the same etcd: etcdctl `get --prefix` of the very
 * keys the apiserver wrote, `etcdctl put`, and the raw etcd3 client's put rate with the same JSON.
 * Not a test; no assertion on time.
 *
 *   node dist/bench/api.bench.js [--pods 10000] [--sequential 1000] [--watchers 100] [--events 200]
 * Writes bench/results/api.json.
 */
import { loadavg, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import { exec } from '../src/util/exec.js';
import { createClient, loadKubeconfig, R, type KubeClient } from '../src/client/index.js';
import type { KObject } from '../src/api/kinds/types.js';
import { startApiServer, runKubectl, type ApiServerHandle } from '../test/support/apiserver.js';
import { startEtcd, ETCDCTL_BIN } from '../test/support/etcd.js';
import { pct, round, median, timeIt, inParallel, writeResult } from './stats.js';
import { measureWatchDelivery, type WatchDelivery } from './watch.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const PODS = arg('pods', 10_000);
const SEQUENTIAL = Math.min(arg('sequential', 1000), PODS);
const WATCHERS = arg('watchers', 100);
const EVENTS = arg('events', 200);
const NS = 'bench';

const pod = (i: number): KObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: `pod-${String(i).padStart(6, '0')}`, namespace: NS, labels: { app: 'bench', shard: String(i % 16) } },
  spec: { nodeName: `node${i % 4}`, containers: [{ name: 'c', image: 'podnet/echo', ports: [{ containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'PAD', value: 'x'.repeat(400) }] }] },
} as KObject);

interface EngineResult {
  pods: number;
  createSequentialPerSec: number; createSequentialP50Ms: number; createSequentialP99Ms: number;
  createConcurrent16PerSec: number; createConcurrent16P50Ms: number; createConcurrent16P99Ms: number;
  listAllOneRequestMs: number; listAllPagesOf500Ms: number;
  kubectlGetPodsTableMs: number; kubectlGetPodsJsonMs: number; kubectlProcessMs: number;
  watch: WatchDelivery;
}

async function benchEngine(api: ApiServerHandle): Promise<EngineResult> {
  const cfg = loadKubeconfig(api.kubeconfigPath);
  const client = createClient({ ...cfg, timeoutMs: 120_000 });
  const clients: (KubeClient & { close(): void })[] = [client];
  try {
    await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } as KObject);
    await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watch' } } as KObject);
    // creation: one in flight, then 16 in flight
    const seqLat: number[] = [];
    const tSeq = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) {
      const t = performance.now();
      await client.create(R.pods(NS), pod(i));
      seqLat.push(performance.now() - t);
    }
    const seqMs = performance.now() - tSeq;
    const concLat: number[] = [];
    const concMs = await timeIt(() => inParallel(PODS - SEQUENTIAL, 16, async (j) => {
      const t = performance.now();
      await client.create(R.pods(NS), pod(SEQUENTIAL + j));
      concLat.push(performance.now() - t);
    }));
    // list
    const all = await client.list(R.pods(), {});
    if (all.items.length !== PODS) throw new Error(`listed ${all.items.length} pods, want ${PODS}`);
    const listAllOneRequestMs = await median(5, () => client.list(R.pods(), {}));
    const listAllPagesOf500Ms = await median(5, async () => {
      let cont: string | undefined;
      let n = 0;
      do {
        const page = await client.list(R.pods(), { limit: 500, continue: cont });
        n += page.items.length;
        cont = page.continue || undefined;
      } while (cont);
      if (n !== PODS) throw new Error(`paged ${n} pods`);
    });
    const kubectl = async (a: string[]): Promise<string> => {
      const r = await runKubectl(api.kubeconfigPath, a, undefined, 300_000);
      if (r.code !== 0) throw new Error(`kubectl ${a.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const table = await kubectl(['get', 'pods', '-A']);
    if (table.trim().split('\n').length !== PODS + 1) throw new Error(`kubectl printed ${table.trim().split('\n').length} lines`);
    const kubectlGetPodsTableMs = await median(3, () => kubectl(['get', 'pods', '-A']));
    const kubectlGetPodsJsonMs = await median(3, () => kubectl(['get', 'pods', '-A', '-o', 'json']));
    const kubectlProcessMs = await median(5, () => kubectl(['get', 'namespace', 'default', '-o', 'name']));
    // watch delivery to WATCHERS watchers, each over its own connection
    const from = (await client.list(R.configmaps('watch'), { limit: 1 })).resourceVersion;
    const watch = await measureWatchDelivery({
      watchers: WATCHERS, events: EVENTS, settleMs: 1000,
      async *watch(signal) {
        const c = createClient(cfg);
        clients.push(c);
        for await (const ev of c.watch(R.configmaps('watch'), { resourceVersion: from }, signal)) if (ev.type === 'ADDED') yield ev.object.metadata?.name ?? '';
      },
      key: (i) => `e${i}`,
      write: (name, i) => client.create(R.configmaps('watch'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } } as KObject),
    });
    return {
      pods: PODS,
      createSequentialPerSec: round(SEQUENTIAL / (seqMs / 1000), 1), createSequentialP50Ms: round(pct(seqLat, 0.5)), createSequentialP99Ms: round(pct(seqLat, 0.99)),
      createConcurrent16PerSec: round((PODS - SEQUENTIAL) / (concMs / 1000), 1), createConcurrent16P50Ms: round(pct(concLat, 0.5)), createConcurrent16P99Ms: round(pct(concLat, 0.99)),
      listAllOneRequestMs: round(listAllOneRequestMs), listAllPagesOf500Ms: round(listAllPagesOf500Ms),
      kubectlGetPodsTableMs: round(kubectlGetPodsTableMs), kubectlGetPodsJsonMs: round(kubectlGetPodsJsonMs), kubectlProcessMs: round(kubectlProcessMs),
      watch,
    };
  } finally {
    for (const c of clients) c.close();
  }
}

/** The same etcd the apiserver wrote to: etcdctl over the apiserver's own keys, and raw puts. */
async function etcdReferences(endpoint: string): Promise<Record<string, number>> {
  const ctl = (...a: string[]): ReturnType<typeof exec> => exec([ETCDCTL_BIN, `--endpoints=${endpoint}`, ...a], { env: { ...process.env, ETCDCTL_API: '3' } });
  const keys = (await ctl('get', '--prefix', '--keys-only', `/registry/pods/${NS}/`)).stdout.split('\n').filter(Boolean).length;
  if (keys !== PODS) throw new Error(`etcd holds ${keys} pod keys, want ${PODS}`);
  const raw = new Etcd3({ hosts: endpoint, grpcOptions: { 'grpc.max_receive_message_length': -1 } });
  try {
    const value = (i: number): string => JSON.stringify(pod(i));
    const n = Math.min(PODS, 2000);
    const seqMs = await timeIt(async () => { for (let i = 0; i < n; i++) await raw.put(`/ref/seq/k${i}`).value(value(i)); });
    const concMs = await timeIt(() => inParallel(n, 16, async (i) => { await raw.put(`/ref/conc/k${i}`).value(value(i)); }));
    return {
      etcdctlGetPrefixPodsMs: round(await median(5, () => ctl('get', '--prefix', `/registry/pods/${NS}/`))),
      etcdctlGetPrefixPodsJsonMs: round(await median(3, () => ctl('get', '--prefix', '-w', 'json', `/registry/pods/${NS}/`))),
      etcdctlPutMs: round(await median(20, () => ctl('put', `/ref/put/${Math.random()}`, 'value'))),
      etcdctlProcessMs: round(await median(5, () => ctl('endpoint', 'status'))),
      rawEtcd3PutSequentialPerSec: round(n / (seqMs / 1000), 1),
      rawEtcd3PutConcurrent16PerSec: round(n / (concMs / 1000), 1),
      rawEtcd3ListPodsMs: round(await median(5, () => raw.getAll().prefix(`/registry/pods/${NS}/`).buffers())),
    };
  } finally {
    raw.close();
  }
}

const results: Record<string, unknown> = {};
let api: ApiServerHandle | undefined;
const etcd = await startEtcd();
try {
  process.stderr.write('api bench: sqlite\n');
  api = await startApiServer({ storage: 'sqlite', controllers: 'serviceaccount' });
  const sqlite = await benchEngine(api);
  await api.stop();
  process.stderr.write('api bench: etcd\n');
  api = await startApiServer({ storage: `etcd:${etcd.endpoint}`, controllers: 'serviceaccount' });
  const etcdRes = await benchEngine(api);
  await api.stop();
  api = undefined;
  const ref = await etcdReferences(etcd.endpoint);
  Object.assign(results, {
    date: new Date().toISOString(),
    params: { pods: PODS, sequential: SEQUENTIAL, watchers: WATCHERS, events: EVENTS, podJsonBytes: JSON.stringify(pod(0)).length, node: process.version, cpus: cpus().length, loadAverage1m: round(loadavg()[0]!, 2) },
    kubectlVersion: (await exec(['kubectl', 'version', '--client', '-o', 'json'])).stdout.match(/"gitVersion":\s*"([^"]+)"/)?.[1],
    etcdVersion: (await exec(['/usr/bin/etcd', '--version'])).stdout.split('\n')[0],
    sqlite, etcd: etcdRes, etcdReferences: ref,
    ratios: {
      // > 1: ours takes longer (or creates slower) than the reference
      apiListPods_vs_etcdctlGetPrefix: round(etcdRes.listAllOneRequestMs / ref.etcdctlGetPrefixPodsMs!),
      apiListPods_vs_rawEtcd3List: round(etcdRes.listAllOneRequestMs / ref.rawEtcd3ListPodsMs!),
      kubectlGetPodsJson_vs_etcdctlGetPrefixJson: round(etcdRes.kubectlGetPodsJsonMs / ref.etcdctlGetPrefixPodsJsonMs!),
      rawEtcd3PutRate_vs_apiCreateRateSequential: round(ref.rawEtcd3PutSequentialPerSec! / etcdRes.createSequentialPerSec),
      rawEtcd3PutRate_vs_apiCreateRateConcurrent16: round(ref.rawEtcd3PutConcurrent16PerSec! / etcdRes.createConcurrent16PerSec),
      apiCreateLatency_vs_etcdctlPut: round(etcdRes.createSequentialP50Ms / ref.etcdctlPutMs!),
      sqliteList_vs_etcdList: round(sqlite.listAllOneRequestMs / etcdRes.listAllOneRequestMs),
      sqliteCreateRate_vs_etcdCreateRate: round(sqlite.createConcurrent16PerSec / etcdRes.createConcurrent16PerSec),
      sqliteWatchP99_vs_etcdWatchP99: round(sqlite.watch.deliveryP99Ms / etcdRes.watch.deliveryP99Ms),
    },
    notes: 'One run on a 2-core VM; the apiserver, etcd, kubectl and this driver share the cores. Creates are acknowledged only after the store fsyncs (sqlite WAL synchronous=FULL; etcd WAL). etcdctl and kubectl figures include their process start (etcdctlProcessMs, kubectlProcessMs). kubectl table output is chunked by 500 (its default); -o json is one list request. Watch latency is from just before the create request is sent to the event reaching each watcher.',
  });
  writeResult('api', results);
} finally {
  await api?.stop();
  await etcd.stop();
}
