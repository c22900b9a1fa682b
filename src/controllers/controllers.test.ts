import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Service, Endpoints, Event } from 'kubernetes-types/core/v1.js';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KObject } from '../meta/types.js';
import { R } from '../client/resources.js';
import { createLogger } from '../util/log.js';
import { startControllerManager } from './index.js';
import { MemApi } from './testing/memapi.js';

type K<T> = T & KObject;

async function until<T>(what: string, f: () => T | undefined | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function readyNode(name: string): K<Node> {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
}

async function makeReady(api: MemApi, p: K<Pod>, ip: string, ready = true): Promise<void> {
  await api.patch(R.pods(p.metadata.namespace), p.metadata.name!, { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }, 'merge', 'status');
}

test('controllers against an in-memory API: deployment → pods → scheduled → endpoints; scale; rollout; GC; node IPAM', async () => {
  const api = new MemApi();
  const ac = new AbortController();
  const log = createLogger('controllers-test', process.env.PODNET_LOG_LEVEL ?? 'silent');
  for (const n of ['n1', 'n2', 'n3']) await api.create(R.nodes, readyNode(n));
  await api.create(R.nodes, { ...readyNode('n4'), status: { conditions: [{ type: 'Ready', status: 'False' }] } });
  const m = await startControllerManager(api, { clusterCidr: '10.20.0.0/22', nodeCidrMaskSize: 24, serviceCidr: '10.96.0.0/12', log }, ac.signal);
  try {
    // node IPAM: 4 nodes get the 4 /24s of a /22
    await until('podCIDRs', () => api.all<K<Node>>('nodes').every((n) => n.spec?.podCIDR));
    const cidrs = api.all<K<Node>>('nodes').map((n) => n.spec!.podCIDR!).sort();
    assert.deepEqual(cidrs, ['10.20.0.0/24', '10.20.1.0/24', '10.20.2.0/24', '10.20.3.0/24']);
    assert.deepEqual(api.all<K<Node>>('nodes')[0]!.spec!.podCIDRs, [api.all<K<Node>>('nodes')[0]!.spec!.podCIDR]);
    // exhausted: a fifth node gets an event and NetworkUnavailable
    await api.create(R.nodes, readyNode('n5'));
    const n5 = await until('NetworkUnavailable', () => api.all<K<Node>>('nodes').find((n) => n.metadata.name === 'n5' && n.status?.conditions?.some((c) => c.type === 'NetworkUnavailable' && c.status === 'True')));
    assert.match(n5.status!.conditions!.find((c) => c.type === 'NetworkUnavailable')!.message!, /no podCIDR available.*10\.20\.0\.0\/22/);
    await until('CIDRNotAvailable event', () => api.all<K<Event>>('events').some((e) => e.reason === 'CIDRNotAvailable' && e.involvedObject.name === 'n5'));
    // freeing a range lets n5 have it
    await api.delete(R.nodes, 'n4');
    const got = await until('n5 podCIDR', () => api.all<K<Node>>('nodes').find((n) => n.metadata.name === 'n5' && n.spec?.podCIDR));
    assert.equal(got.spec!.podCIDR, cidrs.find((c) => !api.all<K<Node>>('nodes').some((n) => n.metadata.name !== 'n5' && n.spec?.podCIDR === c)));
    await api.delete(R.nodes, 'n5');

    // Service + Deployment of 3
    await api.create(R.services('default'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] } } as K<Service>);
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'echo:1', ports: [{ name: 'http', containerPort: 8080 }] }] } };
    await api.create(R.deployments('default'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template } } as K<Deployment>);
    const pods = await until('3 scheduled pods', () => { const p = api.all<K<Pod>>('pods', 'default'); return p.length === 3 && p.every((x) => x.spec?.nodeName) && p; });
    const rs = api.all<K<ReplicaSet>>('replicasets', 'default');
    assert.equal(rs.length, 1);
    assert.match(rs[0]!.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs[0]!.metadata.labels!['pod-template-hash'], rs[0]!.metadata.name!.slice(4));
    for (const p of pods) {
      assert.ok(p.metadata.name!.startsWith(`${rs[0]!.metadata.name}-`));
      assert.equal(p.metadata.ownerReferences![0]!.uid, rs[0]!.metadata.uid);
      assert.equal(p.metadata.labels!['pod-template-hash'], rs[0]!.metadata.labels!['pod-template-hash']);
    }
    assert.deepEqual(pods.map((p) => p.spec!.nodeName).sort(), ['n1', 'n2', 'n3'], 'spread over the Ready nodes');
    assert.ok(api.calls.includes('create pods/binding'), 'bound through pods/binding');
    await until('Scheduled events', () => api.all<K<Event>>('events', 'default').filter((e) => e.reason === 'Scheduled').length === 3);

    // running with IPs but not ready yet: all in notReadyAddresses; then ready
    for (const [i, p] of pods.entries()) await makeReady(api, p, `10.20.${i}.5`, false);
    const ep0 = await until('endpoints', () => api.all<K<Endpoints>>('endpoints', 'default').find((e) => e.subsets?.[0]?.notReadyAddresses?.length === 3));
    assert.equal(ep0.subsets![0]!.addresses, undefined);
    for (const [i, p] of pods.entries()) await makeReady(api, p, `10.20.${i}.5`);
    const ep = await until('ready endpoints', () => api.all<K<Endpoints>>('endpoints', 'default').find((e) => e.subsets?.[0]?.addresses?.length === 3));
    assert.deepEqual(ep.subsets![0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const slice = await until('slice', () => api.all<K<EndpointSlice>>('endpointslices', 'default').find((s) => s.endpoints?.filter((e) => e.conditions?.ready).length === 3));
    assert.equal(api.all<K<EndpointSlice>>('endpointslices', 'default').length, 1, 'exactly one slice');
    assert.equal(slice.metadata.labels!['kubernetes.io/service-name'], 'web');
    assert.equal(slice.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const d = await until('deployment status 3/3', () => api.all<K<Deployment>>('deployments', 'default').find((x) => x.status?.readyReplicas === 3 && x.status.availableReplicas === 3 && x.status.updatedReplicas === 3));
    assert.equal(d.status!.observedGeneration, d.metadata.generation);
    assert.equal(d.status!.conditions!.find((c) => c.type === 'Available')!.status, 'True');
    assert.equal(d.status!.conditions!.find((c) => c.type === 'Progressing')!.reason, 'NewReplicaSetAvailable');

    // scale to 1 and back to 3
    await api.patch(R.deployments('default'), 'web', { spec: { replicas: 1 } }, 'merge');
    await until('1 pod', () => api.all<K<Pod>>('pods', 'default').length === 1);
    await until('1 endpoint', () => api.all<K<Endpoints>>('endpoints', 'default')[0]?.subsets?.[0]?.addresses?.length === 1);
    await api.patch(R.deployments('default'), 'web', { spec: { replicas: 3 } }, 'merge');
    const again = await until('3 pods again', () => { const p = api.all<K<Pod>>('pods', 'default'); return p.length === 3 && p.every((x) => x.spec?.nodeName) && p; });
    for (const [i, p] of again.entries()) if (!p.status?.podIP) await makeReady(api, p, `10.20.${i}.9`);
    await until('3/3 again', () => api.all<K<Deployment>>('deployments', 'default')[0]?.status?.readyReplicas === 3);

    // rolling update: new template → new RS, old scaled to 0, never fewer than 3 available
    await api.patch(R.deployments('default'), 'web', { spec: { template: { spec: { containers: [{ name: 'web', image: 'echo:2', ports: [{ name: 'http', containerPort: 8080 }] }] } } } }, 'merge');
    let ipn = 100;
    await until('rollout done', () => {
      for (const p of api.all<K<Pod>>('pods', 'default')) if (p.spec?.nodeName && !p.status?.podIP) void makeReady(api, p, `10.20.9.${ipn++}`);
      const ds = api.all<K<Deployment>>('deployments', 'default')[0]!;
      const rss = api.all<K<ReplicaSet>>('replicasets', 'default');
      return rss.length === 2 && ds.status?.updatedReplicas === 3 && ds.status.replicas === 3 && ds.status.availableReplicas === 3
        && ds.status.observedGeneration === ds.metadata.generation && rss.some((r) => r.spec?.replicas === 0);
    }, 8000);
    const rsAfter = api.all<K<ReplicaSet>>('replicasets', 'default');
    assert.deepEqual(rsAfter.map((r) => r.metadata.annotations!['deployment.kubernetes.io/revision']).sort(), ['1', '2']);
    assert.equal(api.all<K<Deployment>>('deployments', 'default')[0]!.metadata.annotations!['deployment.kubernetes.io/revision'], '2');

    // delete the deployment: GC removes RSes and pods; delete the service: endpoints + slices go
    await api.delete(R.deployments('default'), 'web');
    await until('GC', () => api.all('replicasets', 'default').length === 0 && api.all('pods', 'default').length === 0);
    await api.delete(R.services('default'), 'web');
    await until('endpoints gone', () => api.all('endpoints', 'default').length === 0 && api.all('endpointslices', 'default').length === 0);
  } finally {
    ac.abort();
    await m.done;
  }
});
