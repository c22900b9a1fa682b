/**
 * Issue 17, robustness 3 (HA): a highly available control plane as kubeadm's stacked topology has
 * it — a 3-member etcd cluster and two `podnet apiserver` processes on it (127.0.0.1, two ports,
 * one shared PKI), each embedding the controllers behind leader election. Faults: concurrent
 * Service creates through both servers into small ranges (the allocators must never hand out a
 * ClusterIP or nodePort twice: their state is claim keys in etcd), kill -9 of one etcd member
 * (still writable), kill -9 of the API server holding the controllers' lease (the other takes the
 * lease over, its controllers act, a watch through it never misses an event). What is asserted is
 * what etcd holds and what the servers answer.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { createClient, createInformer, loadKubeconfig, R, type KubeClient } from '../../src/client/index.js';
import type { KObject } from '../../src/meta/types.js';
import { startApiServer, type ApiServerHandle } from '../support/apiserver.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcdcluster.js';
import { until } from '../support/lab.js';

type Svc = KObject & { spec: { clusterIP?: string; ports: { port: number; nodePort?: number }[] } };
type Lease = KObject & { spec?: { holderIdentity?: string; leaseTransitions?: number } };

const svc = (name: string): Svc => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } } as unknown as Svc);

/** Create through `c`, retrying while the server answers 5xx (counted): a fault may cost a retry, never a duplicate. */
async function createRetrying(c: KubeClient, name: string, failures: { n: number }): Promise<Svc> {
  for (let i = 0; ; i++) {
    try { return await c.create<Svc>(R.services('default'), svc(name)); } catch (e) {
      failures.n++;
      if (i >= 40) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

test('HA control plane: 3 etcd members + 2 API servers; racing Service creates never collide; one member and one API server killed: still writable, lease fails over, watch continues', { timeout: 240_000 }, async () => {
  const t0 = Date.now();
  let etcd: EtcdCluster | undefined;
  let a: ApiServerHandle | undefined;
  let b: ApiServerHandle | undefined;
  const clients: { close(): void }[] = [];
  const ac = new AbortController();
  let raw: Etcd3 | undefined;
  try {
    etcd = await startEtcdCluster(3);
    const common = {
      storage: `etcd:${etcd.endpoints}`, serviceCidr: '10.96.0.0/25', nodePortRange: '30000-30127', controllers: 'serviceaccount,endpoints',
      extraArgs: ['--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms',
        // the negative control: PODNET_HA_SERVICE_ALLOCATION=memory (each server its own bitmaps) makes this test fail on duplicates
        ...(process.env.PODNET_HA_SERVICE_ALLOCATION ? ['--service-allocation', process.env.PODNET_HA_SERVICE_ALLOCATION] : [])],
    };
    a = await startApiServer(common);
    b = await startApiServer({ ...common, pkiFrom: a.dataDir });
    const ca = createClient({ ...loadKubeconfig(a.kubeconfigPath), timeoutMs: 10_000 });
    const cb = createClient({ ...loadKubeconfig(b.kubeconfigPath), timeoutMs: 10_000 });
    clients.push(ca, cb);
    const idA = `${hostname()}_127.0.0.1:${a.port}`, idB = `${hostname()}_127.0.0.1:${b.port}`;

    // exactly one of the two runs the controllers: a started first and holds the lease
    const lease0 = await cb.get<Lease>(R.leases('kube-system'), 'podnet-controller-manager');
    assert.equal(lease0.spec?.holderIdentity, idA, 'the first server holds the controllers\' lease');

    // a watch through b (an informer: list, then watch from its resourceVersion)
    const seen = new Set<string>();
    const inf = createInformer<Svc>(cb, R.services());
    inf.on({ onAdd: (o) => seen.add(o.metadata.name!) });
    void inf.start(ac.signal);
    await inf.synced();

    // 1. 100 NodePort Services at once, alternating servers, into 125 addresses and 128 ports
    const N = 100;
    const failures = { n: 0 };
    const made = await Promise.all([...Array(N).keys()].map((i) => createRetrying(i % 2 ? cb : ca, `race-${i}`, failures)));
    const ips = made.map((s) => s.spec.clusterIP!);
    const ports = made.map((s) => s.spec.ports[0]!.nodePort!);
    assert.equal(new Set(ips).size, N, 'no ClusterIP handed out twice');
    assert.equal(new Set(ports).size, N, 'no nodePort handed out twice');
    // what etcd holds: one claim per address/port, each naming its Service
    raw = new Etcd3({ hosts: etcd.endpoints.split(',') });
    const ipClaims = await raw.getAll().prefix('/registry/networking.k8s.io/ipaddresses/').json() as Record<string, { spec: { parentRef: { name: string } } }>;
    const portClaims = await raw.getAll().prefix('/registry/podnet.io/servicenodeports/').keys();
    for (const s of made) assert.equal(ipClaims[`/registry/networking.k8s.io/ipaddresses/${s.spec.clusterIP}`]?.spec.parentRef.name, s.metadata.name);
    assert.equal(Object.keys(ipClaims).length, N + 1, 'claims = the Services + kubernetes');
    assert.equal(portClaims.length, N);
    // and what each server's list says: the same, distinct
    const listed = (await ca.list<Svc>(R.services('default'))).items.filter((s) => s.metadata.name!.startsWith('race-'));
    assert.equal(new Set(listed.map((s) => s.spec.clusterIP)).size, N);
    await until('the watch through b saw every create', async () => made.every((s) => seen.has(s.metadata.name!)), 20_000);
    const raceMs = Date.now() - t0;

    // 2. kill -9 one etcd member (the first endpoint, where both servers' clients start): still writable
    await etcd.kill(0);
    const afterMember: Svc[] = [];
    for (let i = 0; i < 10; i++) afterMember.push(await createRetrying(i % 2 ? cb : ca, `member-down-${i}`, failures));
    const failuresAfterMember = failures.n;
    assert.equal(new Set([...made, ...afterMember].map((s) => s.spec.clusterIP)).size, N + 10);
    const got = await ca.get<Svc>(R.services('default'), 'race-7');
    assert.equal(got.spec.clusterIP, made[7]!.spec.clusterIP);

    // 3. kill -9 the API server holding the lease: b takes the lease over, its controllers act, the watch goes on
    await a.kill9();
    const killedAt = Date.now();
    await until('b holds the controllers\' lease', async () => (await cb.get<Lease>(R.leases('kube-system'), 'podnet-controller-manager')).spec?.holderIdentity === idB, 30_000);
    const failoverMs = Date.now() - killedAt;
    await cb.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'after-failover' } } as KObject);
    await until('b\'s serviceaccount controller made default in a new namespace', async () => { await cb.get(R.serviceaccounts('after-failover'), 'default'); return true; }, 30_000);
    const late = await createRetrying(cb, 'after-failover', failures);
    await until('the watch through b saw the create after the failover', async () => seen.has('after-failover'), 20_000);
    assert.ok(!ips.includes(late.spec.clusterIP!));
    const k = await b.kubectl(['get', 'services', '-o', 'name']);
    assert.equal(k.stdout.trim().split('\n').filter((l) => l.startsWith('service/race-')).length, N);
    const lease1 = await cb.get<Lease>(R.leases('kube-system'), 'podnet-controller-manager');
    process.stdout.write(`# HA: ${N} racing Service creates through 2 API servers: ${N} distinct ClusterIPs, ${N} distinct nodePorts (${raceMs} ms incl. start); `
      + `etcd member killed: ${afterMember.length} creates ok, ${failuresAfterMember} retried; API server killed: lease to the other in ${failoverMs} ms (transitions ${lease1.spec?.leaseTransitions}), watch missed 0 of ${seen.size} creates; ${failures.n} retries in all\n`);
  } finally {
    ac.abort();
    for (const c of clients) c.close();
    raw?.close();
    const dirs = [a?.dataDir, b?.dataDir, etcd?.dir].filter((d): d is string => !!d);
    const pids = [a?.pid(), b?.pid(), ...(etcd?.members.map((m) => m.pid()) ?? [])].filter((p): p is number => !!p);
    await a?.stop(); await b?.stop(); await etcd?.stop();
    // nothing left behind: processes and their directories
    const running = (p: number): boolean => { try { return !/\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8')); } catch { return false; } };
    for (const p of pids) assert.ok(!running(p), `process ${p} left running`);
    for (const d of dirs) assert.ok(!existsSync(d), `${d} left behind`);
  }
});
