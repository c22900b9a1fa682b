/**
 * Issue 17, robustness 3 (etcd restart): SIGKILL etcd and start it again on the same data dir while
 * the cluster runs, in both places podnet uses etcd.
 * - API storage (`podnet apiserver --storage etcd`): objects and allocations survive with their
 *   resourceVersions, an informer (the agents' list+watch) sees every later event without a restart,
 *   kubectl and creates work again, the API server process is the same.
 * - flannel's etcd subnet manager (`lab up --subnet-manager etcd`): every node keeps its subnet
 *   lease (same key, same node), renewed past its TTL after the restart, the routes in the nodes'
 *   kernels are unchanged, and pods still reach each other across nodes.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createClient, createInformer, loadKubeconfig, R } from '../../src/client/index.js';
import type { KObject } from '../../src/meta/types.js';
import { restartLabEtcd } from '../../src/lab/up.js';
import { startApiServer, type ApiServerHandle } from '../support/apiserver.js';
import { startEtcd, type EtcdHandle } from '../support/etcd.js';
import { echoServersListening, labDown, labKubectl, labLeftovers, must, PODNET, randomLabName, rootNetwork, until } from '../support/lab.js';

type Svc = KObject & { spec: { clusterIP?: string; ports: { port: number; nodePort?: number }[] } };
const svc = (name: string): Svc => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } } as unknown as Svc);
const running = (p: number | undefined): boolean => { if (!p) return false; try { return !/\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8')); } catch { return false; } };

test('etcd restart under the API server (--storage etcd): objects, allocations and resourceVersions survive; informer, kubectl and creates recover without a restart', { timeout: 180_000 }, async () => {
  let etcd: EtcdHandle | undefined;
  let api: ApiServerHandle | undefined;
  const ac = new AbortController();
  let client: ReturnType<typeof createClient> | undefined;
  try {
    etcd = await startEtcd();
    api = await startApiServer({ storage: `etcd:${etcd.endpoint}`, controllers: 'serviceaccount,endpoints', nodePortRange: '30000-30049' });
    const apiPid = api.pid();
    client = createClient({ ...loadKubeconfig(api.kubeconfigPath), timeoutMs: 10_000 });
    const before: Svc[] = [];
    for (let i = 0; i < 20; i++) before.push(await client.create<Svc>(R.services('default'), svc(`pre-${i}`)));
    await client.create(R.configmaps('default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' }, data: { a: '1' } } as KObject);
    const events: string[] = [];
    const inf = createInformer<Svc>(client, R.services());
    inf.on({ onAdd: (o) => events.push(`ADD ${o.metadata.name}`), onDelete: (o) => events.push(`DEL ${o.metadata.name}`) });
    void inf.start(ac.signal);
    await inf.synced();
    const listsBefore = inf.lists;

    await etcd.crash();
    // while etcd is down the API says so (503), and nothing half-done stays behind
    const down = await api.kubectlRaw(['create', 'configmap', 'while-down', '--from-literal=x=1']);
    assert.notEqual(down.code, 0, 'a write with etcd down fails');
    await etcd.restart();

    // kubectl and creates work again (the etcd client reconnects; no API server restart)
    await until('kubectl get after the etcd restart', async () => (await api!.kubectlRaw(['get', 'services'])).code === 0, 60_000);
    assert.equal(api.pid(), apiPid, 'same API server process');
    assert.ok(running(apiPid));
    const after = await until('a Service create after the restart', async () => client!.create<Svc>(R.services('default'), svc('post-0')), 30_000);
    await client.delete(R.services('default'), 'pre-3');
    // every object as before, same resourceVersion; the new ClusterIP/nodePort collide with none
    for (const s of before.filter((x) => x.metadata.name !== 'pre-3')) {
      const g: Svc = await client.get<Svc>(R.services('default'), s.metadata.name!);
      assert.equal(g.metadata.resourceVersion, s.metadata.resourceVersion);
      assert.equal(g.spec.clusterIP, s.spec.clusterIP);
    }
    assert.ok(!before.some((s) => s.spec.clusterIP === after.spec.clusterIP || s.spec.ports[0]!.nodePort === after.spec.ports[0]!.nodePort));
    assert.deepEqual((await client.get<KObject & { data: Record<string, string> }>(R.configmaps('default'), 'keep')).data, { a: '1' });
    assert.equal((await api.kubectlRaw(['get', 'configmap', 'while-down'])).code, 1, 'the write refused while etcd was down did not happen');
    // the informer re-watched (or re-listed) by itself and saw both later events
    await until('the informer saw the events after the restart', async () => events.includes('ADD post-0') && events.includes('DEL pre-3'), 30_000);
    process.stdout.write(`# etcd restart (API storage): ${before.length} Services + 1 ConfigMap kept with their resourceVersions; informer re-lists ${inf.lists - listsBefore}, events after restart ${events.filter((e) => e === 'ADD post-0' || e === 'DEL pre-3').length}/2\n`);
  } finally {
    ac.abort();
    client?.close();
    const dirs = [api?.dataDir, etcd?.dataDir].filter((d): d is string => !!d);
    const pids = [api?.pid(), etcd?.pid()];
    await api?.stop(); await etcd?.stop();
    for (const p of pids) assert.ok(!running(p), `process ${p} left running`);
    for (const d of dirs) assert.ok(!existsSync(d), `${d} left behind`);
  }
});

const podYaml = (name: string, node: string): string =>
  ['apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}, namespace: default, labels: {app: fe}}`, 'spec:', `  nodeName: ${node}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n');

test('etcd restart under flannel (lab --subnet-manager etcd): every node keeps its subnet lease past its TTL, routes unchanged, pods still reach across nodes', { timeout: 240_000 }, async () => {
  const lab = randomLabName('tfq');
  const rootBefore = await rootNetwork();
  const etcdctl = (args: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, 'client', '--', 'etcdctl', '--endpoints', 'http://192.168.138.100:2379', ...args]);
  const leases = async (): Promise<Record<string, string>> => {
    const out = (await etcdctl(['get', '--prefix', '/coreos.com/network/subnets/'])).trim().split('\n');
    const m: Record<string, string> = {};
    for (let i = 0; i + 1 < out.length; i += 2) m[out[i]!] = (JSON.parse(out[i + 1]!) as { PublicIP: string }).PublicIP;
    return m;
  };
  const routes = async (node: string): Promise<string> => (await must('ip', ['-n', `pn-${lab}-${node}`, 'route', 'show', 'proto', 'static'])).trim() + (await must('ip', ['-n', `pn-${lab}-${node}`, 'route'])).split('\n').filter((l) => /10\.244\./.test(l)).sort().join('\n');
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2', '--subnet-manager', 'etcd'], { timeoutMs: 180_000 });
    const kubectl = labKubectl(lab);
    await kubectl(['apply', '-f', '-'], [podYaml('f1', 'node1'), podYaml('f2', 'node2')].join('\n---\n') + '\n');
    const pods = await until('2 pods Running', async () => {
      const l = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=fe', '-o', 'json'])) as { items: { metadata: { name: string }; status: { phase?: string; podIP?: string } }[] };
      const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
      return ok.length === 2 ? ok.map((p) => ({ name: p.metadata.name, ip: p.status.podIP! })) : undefined;
    }, 90_000);
    await echoServersListening(kubectl, pods.map((p) => p.name));
    const leasesBefore = await leases();
    assert.equal(Object.keys(leasesBefore).length, 2, JSON.stringify(leasesBefore));
    const routesBefore = [await routes('node1'), await routes('node2')];
    const ttl = 10; // the lab's --subnet-lease-ttl

    const restartedAt = Date.now();
    await restartLabEtcd(lab, 1500);
    // past a whole TTL after the restart: a lease nobody renewed would be gone by now
    await new Promise((r) => setTimeout(r, (ttl + 3) * 1000 - (Date.now() - restartedAt)));
    const leasesAfter = await leases();
    assert.deepEqual(leasesAfter, leasesBefore, 'same subnet per node');
    for (const key of Object.keys(leasesAfter)) {
      const id = /"lease":(\d+)/.exec(await etcdctl(['get', key, '-w', 'json']))?.[1];
      assert.ok(id && id !== '0', `${key} is bound to a live etcd lease`);
      const left = await etcdctl(['lease', 'timetolive', BigInt(id).toString(16)]);
      assert.match(left, /remaining\(\d+s\)/, left);
    }
    assert.deepEqual([await routes('node1'), await routes('node2')], routesBefore, 'routes in the nodes unchanged');
    const [p1, p2] = [pods[0]!, pods[1]!];
    const r = await kubectl(['exec', p1.name, '--', 'sh', '-c', `curl -s --max-time 10 http://${p2.ip}:8080/`]);
    assert.match(r, new RegExp(`ip=${p2.ip.replace(/\./g, '\\.')} peer=${p1.ip.replace(/\./g, '\\.')}:`), r);
    process.stdout.write(`# etcd restart (flannel leases): ${Object.keys(leasesAfter).length}/2 nodes kept their subnet ${ttl + 3}s after the restart (TTL ${ttl}s), routes unchanged, pod→pod across nodes ok\n`);
  } finally {
    const down = await labDown(lab);
    assert.equal(down.code, 0, down.stderr);
  }
  assert.deepEqual(labLeftovers(lab), []);
  assert.equal(await rootNetwork(), rootBefore, 'the root namespace is as before');
});
