/**
 * Service create cost with the allocation state in memory (the single-server mode, what every
 * server did before issue 17) and as claim keys in the store (one create-if-absent key per
 * ClusterIP/nodePort, the mode for API servers sharing an etcd), on SQLite and on a real etcd.
 * Reference, same server, same run: creating a ConfigMap (one object write, no allocation).
 * Not a test; no assertion on time.
 *
 *   node dist/bench/apiservices.bench.js [--n 300]
 * Writes bench/results/apiservices.json.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createClient, loadKubeconfig, R } from '../src/client/index.js';
import type { KObject } from '../src/meta/types.js';
import { startApiServer } from '../test/support/apiserver.js';
import { startEtcd } from '../test/support/etcd.js';
import { inParallel, pct, round, writeResult } from './stats.js';

const args = process.argv.slice(2);
const N = (() => { const i = args.indexOf('--n'); return i >= 0 ? Number(args[i + 1]) : 300; })();

interface Row { storage: string; allocation: string; serviceCreatePerSec: number; serviceP50Ms: number; serviceP99Ms: number; service16PerSec: number; configMapCreatePerSec: number; configMapP50Ms: number; ratioServiceToConfigMap: number }

async function measure(storage: string, allocation: 'memory' | 'store'): Promise<Row> {
  const api = await startApiServer({ storage, controllers: '', extraArgs: ['--service-allocation', allocation] });
  const c = createClient({ ...loadKubeconfig(api.kubeconfigPath), timeoutMs: 60_000 });
  try {
    const seq = async (mk: (i: number) => KObject, ref: ReturnType<typeof R.services>): Promise<{ perSec: number; lat: number[] }> => {
      const lat: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < N; i++) { const t = performance.now(); await c.create(ref, mk(i)); lat.push(performance.now() - t); }
      return { perSec: N / ((performance.now() - t0) / 1000), lat };
    };
    const svc = (p: string) => (i: number): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `${p}${i}` }, spec: { type: 'NodePort', ports: [{ port: 80 }] } } as KObject);
    const cm = (i: number): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm${i}` }, data: { k: 'v' } } as KObject);
    const cms = await seq(cm, R.configmaps('default'));
    const s = await seq(svc('s'), R.services('default'));
    const t16 = performance.now();
    await inParallel(N, 16, (i) => c.create(R.services('default'), svc('p')(i)));
    const p16 = N / ((performance.now() - t16) / 1000);
    return {
      storage: storage.replace(/:.*/, ''), allocation, serviceCreatePerSec: round(s.perSec, 1), serviceP50Ms: round(pct(s.lat, 0.5), 2), serviceP99Ms: round(pct(s.lat, 0.99), 2),
      service16PerSec: round(p16, 1), configMapCreatePerSec: round(cms.perSec, 1), configMapP50Ms: round(pct(cms.lat, 0.5), 2), ratioServiceToConfigMap: round(pct(s.lat, 0.5) / pct(cms.lat, 0.5), 2),
    };
  } finally {
    c.close();
    await api.stop();
  }
}

const rows: Row[] = [];
rows.push(await measure('sqlite', 'memory'));
rows.push(await measure('sqlite', 'store'));
for (const mode of ['memory', 'store'] as const) {
  const etcd = await startEtcd(); // a fresh etcd per mode: same starting point
  try { rows.push(await measure(`etcd:${etcd.endpoint}`, mode)); } finally { await etcd.stop(); }
}
for (const r of rows) process.stderr.write(`${r.storage}/${r.allocation}: Service ${r.serviceCreatePerSec}/s p50 ${r.serviceP50Ms} ms (16 in flight ${r.service16PerSec}/s), ConfigMap ${r.configMapCreatePerSec}/s p50 ${r.configMapP50Ms} ms, ratio ${r.ratioServiceToConfigMap}\n`);
writeResult('apiservices', { date: new Date().toISOString(), n: N, cpus: cpus().length, loadavg: loadavg(), rows });
