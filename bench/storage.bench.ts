/**
 * Storage benchmark: SqliteStore and EtcdStore (against a real etcd on 127.0.0.1) —
 * create rate (sequential and 16 in flight), list of 10,000 pod-sized entries, watch delivery
 * latency to 100 watchers. References measured in the same run against the same etcd: etcdctl
 * (`put`, `get --prefix`, `get --prefix --keys-only`; etcdctl 3.4 has no --count-only) and the raw etcd3 client. Not a test.
 *
 *   node dist/bench/storage.bench.js [--entries 10000] [--puts 2000] [--watchers 100] [--events 200]
 * Writes bench/results/storage.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import { exec } from '../src/util/exec.js';
import { createStore, type Store } from '../src/api/storage/index.js';
import { startEtcd, ETCDCTL_BIN } from '../test/support/etcd.js';
import { pct, round, timeIt, median, inParallel, writeResult } from './stats.js';
import { measureWatchDelivery, type WatchDelivery } from './watch.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const ENTRIES = arg('entries', 10_000);
const PUTS = arg('puts', 2000);
const WATCHERS = arg('watchers', 100);
const EVENTS = arg('events', 200);

const podValue = (i: number): Buffer => Buffer.from(JSON.stringify({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: `pod-${i}`, namespace: 'bench', uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, labels: { app: 'bench', shard: String(i % 16) } },
  spec: { nodeName: `node${i % 4}`, containers: [{ name: 'c', image: 'podnet/echo', ports: [{ containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'PAD', value: 'x'.repeat(600) }] }] },
  status: { phase: 'Running', podIP: `10.244.${i % 256}.${Math.floor(i / 256) % 256}` },
}));

interface EngineResult {
  createSequentialPerSec: number; createSequentialP50Ms: number; createSequentialP99Ms: number;
  createConcurrent16PerSec: number;
  list10kMs: number; list10kPagedBy500Ms: number; count10kMs: number;
  watch: WatchDelivery;
}

async function benchStore(store: Store): Promise<EngineResult> {
  // create rate, one in flight
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < PUTS; i++) {
    const t = performance.now();
    await store.create(`/registry/configmaps/seq/k${i}`, podValue(i));
    lat.push(performance.now() - t);
  }
  const seqMs = performance.now() - t0;
  const concMs = await timeIt(() => inParallel(PUTS, 16, (i) => store.create(`/registry/configmaps/conc/k${i}`, podValue(i))));
  // 10k entries to list
  await inParallel(ENTRIES, 32, (i) => store.create(`/registry/pods/bench/pod-${String(i).padStart(6, '0')}`, podValue(i)));
  const list = await store.list('/registry/pods/bench/');
  if (list.items.length !== ENTRIES) throw new Error(`listed ${list.items.length}, want ${ENTRIES}`);
  const listMs = await median(5, () => store.list('/registry/pods/bench/'));
  const pagedMs = await median(3, async () => {
    let startKey: string | undefined;
    let revision: number | undefined;
    let n = 0;
    for (;;) {
      const page = await store.list('/registry/pods/bench/', { limit: 500, startKey, revision });
      n += page.items.length;
      revision = page.revision;
      if (!page.more) break;
      startKey = `${page.items[page.items.length - 1]!.key}\0`;
    }
    if (n !== ENTRIES) throw new Error(`paged ${n}`);
  });
  const countMs = await median(5, () => store.count('/registry/pods/bench/'));
  // watch latency: WATCHERS watches on one prefix, EVENTS writes spaced out one by one
  const from = await store.currentRevision();
  const watch = await measureWatchDelivery({
    watchers: WATCHERS, events: EVENTS, settleMs: 500,
    async *watch(signal) { for await (const ev of store.watch('/registry/events/bench/', from, signal)) if (ev.type === 'put') yield ev.entry.key; },
    key: (i) => `/registry/events/bench/e${i}`,
    write: (key, i) => store.create(key, Buffer.from(`event ${i}`)),
  });
  return {
    createSequentialPerSec: round(PUTS / (seqMs / 1000), 1),
    createSequentialP50Ms: round(pct(lat, 0.5)), createSequentialP99Ms: round(pct(lat, 0.99)),
    createConcurrent16PerSec: round(PUTS / (concMs / 1000), 1),
    list10kMs: round(listMs), list10kPagedBy500Ms: round(pagedMs), count10kMs: round(countMs),
    watch,
  };
}

async function etcdReferences(endpoint: string): Promise<Record<string, number>> {
  const ctl = (...a: string[]): Promise<unknown> => exec([ETCDCTL_BIN, `--endpoints=${endpoint}`, ...a], { env: { ...process.env, ETCDCTL_API: '3' } });
  const ctlStartMs = await median(5, () => ctl('endpoint', 'status'));
  const ctlPutMs = await median(20, async () => ctl('put', `/ref/put/${Math.random()}`, 'value'));
  const ctlGetMs = await median(5, () => ctl('get', '--prefix', '/registry/pods/bench/'));
  const ctlGetProtoMs = await median(5, () => ctl('get', '--prefix', '-w', 'protobuf', '/registry/pods/bench/'));
  const ctlKeysMs = await median(5, () => ctl('get', '--prefix', '--keys-only', '/registry/pods/bench/'));
  const raw = new Etcd3({ hosts: endpoint, grpcOptions: { 'grpc.max_receive_message_length': -1 } });
  try {
    const t0 = performance.now();
    for (let i = 0; i < PUTS; i++) await raw.put(`/ref/raw/k${i}`).value(podValue(i));
    const rawPutMs = performance.now() - t0;
    const rawListMs = await median(5, () => raw.getAll().prefix('/registry/pods/bench/').buffers());
    return {
      etcdctlProcessStartMs: round(ctlStartMs), etcdctlPutMs: round(ctlPutMs),
      etcdctlGetPrefix10kMs: round(ctlGetMs), etcdctlGetPrefix10kProtobufMs: round(ctlGetProtoMs), etcdctlGetPrefixKeysOnlyMs: round(ctlKeysMs),
      rawEtcd3PutSequentialPerSec: round(PUTS / (rawPutMs / 1000), 1), rawEtcd3List10kMs: round(rawListMs),
    };
  } finally {
    raw.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'pn-bstorage-'));
const etcd = await startEtcd();
try {
  const sqliteStore = await createStore('sqlite', dir, { compactIntervalMs: 0 });
  const sqlite = await benchStore(sqliteStore);
  await sqliteStore.close();
  const etcdStore = await createStore(`etcd:${etcd.endpoint}`, '', { compactIntervalMs: 0 });
  const etcdRes = await benchStore(etcdStore);
  await etcdStore.close();
  const ref = await etcdReferences(etcd.endpoint);
  const result = {
    date: new Date().toISOString(),
    params: { entries: ENTRIES, puts: PUTS, watchers: WATCHERS, events: EVENTS, valueBytes: podValue(0).length, node: process.version, cpus: cpus().length, loadAverage1m: round(loadavg()[0]!, 2) },
    etcdVersion: (await exec(['/usr/bin/etcd', '--version'])).stdout.split('\n')[0],
    sqlite, etcd: etcdRes, etcdReferences: ref,
    ratios: {
      // > 1 means ours is slower than the reference
      etcdStoreList10k_vs_etcdctlGetPrefix: round(etcdRes.list10kMs / ref.etcdctlGetPrefix10kMs!),
      etcdStoreList10k_vs_etcdctlGetPrefixProtobuf: round(etcdRes.list10kMs / ref.etcdctlGetPrefix10kProtobufMs!),
      etcdStoreList10k_vs_rawEtcd3Client: round(etcdRes.list10kMs / ref.rawEtcd3List10kMs!),
      etcdStoreCreateLatency_vs_etcdctlPut: round(etcdRes.createSequentialP50Ms / ref.etcdctlPutMs!),
      rawEtcd3PutRate_vs_etcdStoreCreateRate: round(ref.rawEtcd3PutSequentialPerSec! / etcdRes.createSequentialPerSec),
      sqliteList10k_vs_etcdStoreList10k: round(sqlite.list10kMs / etcdRes.list10kMs),
      sqliteCreateRate_vs_etcdStoreCreateRate: round(sqlite.createSequentialPerSec / etcdRes.createSequentialPerSec),
      sqliteWatchP99_vs_etcdWatchP99: round(sqlite.watch.deliveryP99Ms / etcdRes.watch.deliveryP99Ms),
    },
    notes: 'One run on a shared 2-core VM while other suites ran (see loadAverage1m): fsync-bound create rates vary several-fold between runs. etcdctl figures include its process start (etcdctlProcessStartMs, measured with `endpoint status`). Both stores fsync every write (sqlite WAL synchronous=FULL; etcd WAL).',
  };
  writeResult('storage', result);
} finally {
  await etcd.stop();
  rmSync(dir, { recursive: true, force: true });
}
