// End-to-end: the controllers and the client against the real podnet API server, driven by the
// real kubectl. Issue 3 acceptance 3 (500 concurrent Services → 500 distinct ClusterIPs, all freed
// on delete) and Deployment → ReplicaSet → Pods → scheduled on Ready nodes → Endpoints/Slices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Service, Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { KObject } from '../../src/api/kinds/types.js';
import { createClient, loadKubeconfig, R, ApiError, createInformer } from '../../src/client/index.js';
import { startControllerManager } from '../../src/controllers/index.js';
import { broadcast, contains, network, parseCidr, parseIP } from '../../src/util/addr.js';
import { createLogger } from '../../src/util/log.js';
import { startApiServer } from '../support/apiserver.js';

type K<T> = T & KObject;
async function until<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try { const v = await f(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('controllers e2e against the real API server and kubectl', async (t) => {
  // The server runs no controllers of its own: the ones under test run here, in this process.
  const api = await startApiServer({ controllers: '' });
  const ac = new AbortController();
  const client = createClient({ ...loadKubeconfig(api.kubeconfigPath), userAgent: 'podnet-e2e-controllers' });
  const kubectl = async (...args: string[]): Promise<string> => (await api.kubectl(args)).stdout;
  let cm: Awaited<ReturnType<typeof startControllerManager>> | undefined;
  try {
    cm = await startControllerManager(client, { clusterCidr: '10.244.0.0/16', nodeCidrMaskSize: 24, serviceCidr: '10.96.0.0/12', log: createLogger('e2e-controllers', process.env.PODNET_LOG_LEVEL ?? 'warn') }, ac.signal);

    await t.test('informer over the real watch: add, update, delete', async () => {
      const inf = createInformer<K<Service>>(client, R.services('default'));
      const seen: string[] = [];
      inf.on({ onAdd: (s) => seen.push(`add ${s.metadata.name}`), onDelete: (s) => seen.push(`del ${s.metadata.name}`) });
      const iac = new AbortController();
      await inf.start(iac.signal);
      await client.create(R.services('default'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'inf-probe' }, spec: { ports: [{ port: 80 }] } } as unknown as K<Service>);
      await until('informer add', () => inf.get('default', 'inf-probe'));
      await client.delete(R.services('default'), 'inf-probe');
      await until('informer delete', () => !inf.get('default', 'inf-probe') && seen.includes('del inf-probe'));
      iac.abort();
      await assert.rejects(client.get(R.services('default'), 'inf-probe'), (e: unknown) => e instanceof ApiError && e.code === 'NotFound' && e.httpStatus === 404);
    });

    await t.test('acceptance 3: 500 concurrent Services get 500 distinct ClusterIPs in range; delete frees every one', async () => {
      const ns = `pn-tctl-${Math.random().toString(36).slice(2, 6)}`;
      await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      const kube = await client.get<K<Service>>(R.services('default'), 'kubernetes');
      const range = network(parseCidr(`${kube.spec!.clusterIP}/12`)); // the default service range 10.96.0.0/12
      const mk = (i: number, ip?: string): K<Service> => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: ns }, spec: { ports: [{ port: 80, protocol: 'TCP' }], ...(ip ? { clusterIP: ip } : {}) } } as unknown as K<Service>);
      const created = await Promise.all(Array.from({ length: 500 }, (_, i) => client.create(R.services(ns), mk(i))));
      const ips = created.map((s) => s.spec!.clusterIP!);
      assert.equal(new Set(ips).size, 500, 'distinct');
      assert.ok(!ips.includes(kube.spec!.clusterIP!), 'the kubernetes Service keeps the first address');
      for (const ip of ips) {
        const p = parseIP(ip);
        assert.ok(contains(range, p), `${ip} inside the service range`);
        assert.ok(p.value > range.ip.value && p.value < broadcast(range).value, `${ip} is neither network nor broadcast`);
      }
      // A requested IP that is taken is refused with the field named.
      await assert.rejects(client.create(R.services(ns), mk(9999, ips[0])), (e: unknown) => e instanceof ApiError && e.httpStatus === 422 && /spec\.clusterIPs?/.test(e.message));
      await Promise.all(created.map((s) => client.delete(R.services(ns), s.metadata.name!)));
      // Every freed address can be requested again explicitly: nothing leaked.
      const again = await Promise.all(ips.map((ip, i) => client.create(R.services(ns), mk(i, ip))));
      assert.deepEqual(again.map((s) => s.spec!.clusterIP), ips);
      await Promise.all(again.map((s) => client.delete(R.services(ns), s.metadata.name!)));
      await client.delete(R.namespaces, ns);
    });

    await t.test('Deployment of 3 → RS → pods on Ready nodes → Endpoints/EndpointSlices; scale 1 and back', async () => {
      const ns = `pn-tctl-${Math.random().toString(36).slice(2, 6)}`;
      const nodes = ['a', 'b'].map((x) => `${ns}-node-${x}`);
      for (const n of nodes) {
        await client.create(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: n, labels: { 'kubernetes.io/hostname': n } } } as K<Node>);
        // The node IPAM controller may write podCIDR meanwhile: retry on 409 like any client.
        await until('node status written', async () => {
          const cur = await client.get<K<Node>>(R.nodes, n);
          await client.update(R.nodes, { ...cur, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test plays the node agent', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } }, 'status');
          return true;
        });
      }
      try {
        const manifest = `apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${ns} }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      nodeSelector: { pn-e2e: "${ns}" }
      containers:
      - name: web
        image: podnet/echo
        ports: [{ name: http, containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${ns} }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
`;
        // Only our nodes carry the label, so other tests' nodes never get these pods.
        for (const n of nodes) await client.patch(R.nodes, n, { metadata: { labels: { 'pn-e2e': ns } } }, 'merge');
        const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
        const dir = mkdtempSync('/tmp/pn-tctl-');
        try {
          writeFileSync(`${dir}/m.yaml`, manifest);
          await kubectl('apply', '-f', `${dir}/m.yaml`);
        } finally { rmSync(dir, { recursive: true, force: true }); }

        const pods = await until('3 scheduled pods', async () => {
          const l = await client.list<K<Pod>>(R.pods(ns));
          return l.items.length === 3 && l.items.every((p) => p.spec?.nodeName) && l.items;
        });
        assert.ok(pods.every((p) => nodes.includes(p.spec!.nodeName!)));
        assert.deepEqual([...new Set(pods.map((p) => p.spec!.nodeName))].sort(), [...nodes].sort(), 'spread over both nodes');
        const rsList = await client.list<KObject>(R.replicasets(ns));
        assert.equal(rsList.items.length, 1);
        const rsName = rsList.items[0]!.metadata.name!;
        assert.match(rsName, /^web-[a-z0-9]+$/);
        for (const p of pods) assert.equal(p.metadata.ownerReferences?.[0]?.name, rsName);

        // The test plays the kubelet: pods get IPs and become Ready.
        const ready = async (p: K<Pod>, i: number): Promise<void> => {
          const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          await client.patch(R.pods(ns), p.metadata.name!, { status: { phase: 'Running', podIP: `10.244.77.${i + 10}`, podIPs: [{ ip: `10.244.77.${i + 10}` }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ts }, { type: 'ContainersReady', status: 'True', lastTransitionTime: ts }] } }, 'merge', 'status');
        };
        await Promise.all(pods.map(ready));
        const ep = await until('endpoints with 3 ready addresses', async () => {
          const e = await client.get<K<Endpoints>>(R.endpoints(ns), 'web');
          return e.subsets?.[0]?.addresses?.length === 3 && e;
        });
        assert.deepEqual(ep.subsets![0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
        assert.ok(ep.subsets![0]!.addresses!.every((a) => a.targetRef?.kind === 'Pod' && nodes.includes(a.nodeName!)));
        const slices = JSON.parse(await kubectl('get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web', '-o', 'json')) as { items: EndpointSlice[] };
        const sl = await until('slice with 3 ready endpoints', async () => {
          const s = JSON.parse(await kubectl('get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web', '-o', 'json')) as { items: EndpointSlice[] };
          return s.items.length === 1 && s.items[0]!.endpoints?.filter((e) => e.conditions?.ready).length === 3 && s.items[0];
        });
        void slices;
        assert.equal(sl.addressType, 'IPv4');
        assert.equal(sl.metadata!.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
        await until('kubectl get deploy shows 3/3', async () => /web\s+3\/3\s+3\s+3/.test(await kubectl('get', 'deploy', 'web', '-n', ns)));
        await kubectl('rollout', 'status', 'deploy/web', '-n', ns, '--timeout=30s');

        await kubectl('scale', 'deploy/web', '-n', ns, '--replicas=1');
        await until('1 pod', async () => (await client.list<K<Pod>>(R.pods(ns))).items.filter((p) => !p.metadata.deletionTimestamp).length === 1);
        await until('1 endpoint', async () => (await client.get<K<Endpoints>>(R.endpoints(ns), 'web')).subsets?.[0]?.addresses?.length === 1);
        await kubectl('scale', 'deploy/web', '-n', ns, '--replicas=3');
        const again = await until('3 scheduled pods again', async () => {
          const l = (await client.list<K<Pod>>(R.pods(ns))).items.filter((p) => !p.metadata.deletionTimestamp);
          return l.length === 3 && l.every((p) => p.spec?.nodeName) && l;
        });
        await Promise.all(again.filter((p) => !p.status?.podIP).map((p, i) => ready(p, i + 20)));
        await until('kubectl get deploy shows 3/3 again', async () => /web\s+3\/3/.test(await kubectl('get', 'deploy', 'web', '-n', ns)));
        const d = await client.get<K<Deployment>>(R.deployments(ns), 'web');
        assert.equal(d.status?.observedGeneration, d.metadata.generation);
        await client.delete(R.namespaces, ns);
      } finally {
        for (const n of nodes) await client.delete(R.nodes, n).catch(() => undefined);
      }
    });
  } finally {
    ac.abort();
    await cm?.done;
    (client as { close?: () => void }).close?.();
    await api.stop();
  }
});
