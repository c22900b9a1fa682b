import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { computeSlices, computeSubsets } from './endpointsmodel.js';
import { podsToDelete, resolveFenceposts, rollingStep, templateHash } from './rsmodel.js';
import { failureMessage, schedule } from './schedmodel.js';
import { matchesSelector } from './util.js';
import { WorkQueue } from './queue.js';

function pod(name: string, ip: string | undefined, opts: { ready?: boolean; labels?: Record<string, string>; ns?: string; node?: string; ports?: { name: string; containerPort: number; protocol?: string }[]; deleting?: boolean; phase?: string; created?: string } = {}): Pod {
  return {
    metadata: { name, namespace: opts.ns ?? 'default', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z', ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { containers: [{ name: 'c', ports: opts.ports ?? [{ name: 'http', containerPort: 8080 }] }], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: { phase: opts.phase ?? 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}
const svc: Service = {
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { team: 'a' } },
  spec: { selector: { app: 'web' }, clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' }] },
};

test('endpoints: ready vs not ready, named ports, pods without the port name, other namespaces and unlabelled pods', () => {
  const pods = [
    pod('a', '10.244.1.5', { node: 'n1' }),
    pod('b', '10.244.2.7', { ready: false, node: 'n2' }),
    pod('c', '10.244.1.6', { ports: [{ name: 'web', containerPort: 8081 }] }), // no "http" port
    pod('d', '10.244.1.9', { ns: 'other' }),
    pod('e', '10.244.1.10', { labels: { app: 'db' } }),
    pod('f', undefined),
    pod('g', '10.244.1.11', { phase: 'Succeeded' }),
    pod('h', '10.244.1.12', { deleting: true }),
  ];
  const subsets = computeSubsets(svc, pods);
  assert.equal(subsets.length, 2);
  const full = subsets.find((s) => s.ports?.length === 2)!;
  assert.deepEqual(full.addresses?.map((a) => a.ip), ['10.244.1.5']);
  assert.equal(full.addresses?.[0]?.nodeName, 'n1');
  assert.deepEqual(full.addresses?.[0]?.targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
  assert.deepEqual(full.notReadyAddresses?.map((a) => a.ip), ['10.244.2.7']);
  assert.deepEqual(full.ports?.find((p) => p.name === 'http'), { name: 'http', port: 8080, protocol: 'TCP' });
  const metricsOnly = subsets.find((s) => s.ports?.length === 1)!;
  assert.deepEqual(metricsOnly.addresses?.map((a) => a.ip), ['10.244.1.6']);
  assert.deepEqual(metricsOnly.ports, [{ name: 'metrics', port: 9090, protocol: 'TCP' }]);
});

test('endpoints: no selector → nothing; headless without ports lists addresses', () => {
  assert.deepEqual(computeSubsets({ ...svc, spec: { ...svc.spec, selector: undefined } }, [pod('a', '10.0.0.1')]), []);
  const headless: Service = { metadata: { name: 'h', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'web' } } };
  const s = computeSubsets(headless, [pod('a', '10.0.0.1')]);
  assert.deepEqual(s, [{ addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }] }]);
});

test('endpointslices: conditions, terminating, grouping by port set', () => {
  const slices = computeSlices(svc, [pod('a', '10.244.1.5', { node: 'n1' }), pod('b', '10.244.2.7', { ready: false }), pod('h', '10.244.1.12', { deleting: true }), pod('c', '10.244.1.6', { ports: [] })]);
  assert.equal(slices.length, 2);
  const main = slices.find((s) => s.ports.length === 2)!;
  assert.deepEqual(main.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`).sort(), ['http:8080/TCP', 'metrics:9090/TCP']);
  const byIP = Object.fromEntries(main.endpoints.map((e) => [e.addresses[0], e.conditions]));
  assert.deepEqual(byIP['10.244.1.5'], { ready: true, serving: true, terminating: false });
  assert.deepEqual(byIP['10.244.2.7'], { ready: false, serving: false, terminating: false });
  assert.deepEqual(byIP['10.244.1.12'], { ready: false, serving: true, terminating: true });
  assert.equal(main.endpoints.find((e) => e.addresses[0] === '10.244.1.5')?.nodeName, 'n1');
  const many = Array.from({ length: 250 }, (_, i) => pod(`p${i}`, `10.1.${i >> 8}.${i & 255}`));
  assert.deepEqual(computeSlices(svc, many).map((s) => s.endpoints.length), [100, 100, 50]);
});

test('scale-down picks unscheduled, pending, not-ready, newest first', () => {
  const pods = [
    pod('ready-old', '1.1.1.1', { node: 'n', created: '2026-01-01T00:00:00Z' }),
    pod('ready-new', '1.1.1.2', { node: 'n', created: '2026-01-02T00:00:00Z' }),
    pod('notready', '1.1.1.3', { node: 'n', ready: false }),
    pod('pending', undefined, { node: 'n', phase: 'Pending', ready: false }),
    pod('unscheduled', undefined, { phase: 'Pending', ready: false }),
  ];
  assert.deepEqual(podsToDelete(pods, 5).map((p) => p.metadata!.name), ['unscheduled', 'pending', 'notready', 'ready-new', 'ready-old']);
  assert.deepEqual(podsToDelete(pods, 0), []);
});

test('template hash: stable under key order, changes with the template, ignores its own label', () => {
  const t1 = { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
  const t2 = { spec: { containers: [{ image: 'nginx:1', name: 'c' }] }, metadata: { labels: { tier: 'fe', app: 'web', 'pod-template-hash': 'x' } } };
  const h = templateHash(t1);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  assert.equal(templateHash(t2), h);
  assert.notEqual(templateHash({ ...t1, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }), h);
  assert.notEqual(templateHash(t1, 1), h);
});

test('rolling update arithmetic', () => {
  assert.deepEqual(resolveFenceposts(undefined, undefined, 3), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts(0, 0, 3), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts('50%', '50%', 3), { surge: 2, unavailable: 1 });
  // 3 replicas, surge 1, unavailable 0: new RS grows to 1, old keeps 3 (nothing new available yet)
  let s = rollingStep(3, 1, 0, { name: 'new', replicas: 0, available: 0, created: 'b' }, [{ name: 'old', replicas: 3, available: 3, created: 'a' }]);
  assert.deepEqual([s.newReplicas, s.old.get('old')], [1, 3]);
  // the new pod is available → old can drop to 2
  s = rollingStep(3, 1, 0, { name: 'new', replicas: 1, available: 1, created: 'b' }, [{ name: 'old', replicas: 3, available: 3, created: 'a' }]);
  assert.deepEqual([s.newReplicas, s.old.get('old')], [1, 2]);
  s = rollingStep(3, 1, 0, { name: 'new', replicas: 1, available: 1, created: 'b' }, [{ name: 'old', replicas: 2, available: 2, created: 'a' }]);
  assert.deepEqual([s.newReplicas, s.old.get('old')], [2, 2]);
  // unhealthy old pods are removed first, as far as allPods - minAvailable allows (3 - 2 = 1)
  s = rollingStep(3, 0, 1, { name: 'new', replicas: 0, available: 0, created: 'b' }, [{ name: 'old', replicas: 3, available: 1, created: 'a' }]);
  assert.equal(s.old.get('old'), 2);
  // scale down of a finished rollout
  s = rollingStep(1, 1, 0, { name: 'new', replicas: 3, available: 3, created: 'b' }, []);
  assert.equal(s.newReplicas, 1);
});

test('scheduler: Ready + schedulable + nodeSelector + taints, spreads by fewest pods', () => {
  const node = (name: string, o: { ready?: boolean; unsched?: boolean; labels?: Record<string, string>; taint?: boolean } = {}): Node => ({
    metadata: { name, labels: o.labels ?? {} },
    spec: { ...(o.unsched ? { unschedulable: true } : {}), ...(o.taint ? { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } : {}) },
    status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  });
  const nodes = [node('n1'), node('n2', { labels: { disk: 'ssd' } }), node('n3', { ready: false }), node('n4', { unsched: true }), node('n5', { taint: true })];
  const p = pod('p', undefined);
  const load = new Map([['n1', 2], ['n2', 1]]);
  assert.equal(schedule(p, nodes, load).node, 'n2');
  assert.equal(schedule(p, nodes, new Map([['n2', 5]])).node, 'n1');
  const sel = { ...p, spec: { ...p.spec!, nodeSelector: { disk: 'hdd' } } };
  const r = schedule(sel, nodes, load);
  assert.equal(r.node, undefined);
  assert.equal(failureMessage(r), "0/5 nodes are available: 3 node(s) didn't match Pod's node affinity/selector, 1 node(s) were not ready, 1 node(s) were unschedulable.");
  const tol = { ...p, spec: { ...p.spec!, nodeSelector: undefined, tolerations: [{ key: 'k', operator: 'Exists' as const }] } };
  assert.equal(schedule(tol, [nodes[4]!], new Map()).node, 'n5');
});

test('label selectors', () => {
  assert.ok(matchesSelector({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'In', values: ['x', 'y'] }, { key: 'c', operator: 'DoesNotExist' }] }, { a: '1', b: 'y' }));
  assert.ok(!matchesSelector({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['y'] }] }, { b: 'y' }));
  assert.ok(matchesSelector({}, { any: 'thing' }));
});

test('work queue: dedupes, never runs a key twice at once, retries failures', async () => {
  const q = new WorkQueue({ name: 't', workers: 3, baseDelayMs: 5 });
  const ac = new AbortController();
  const running = new Set<string>();
  let overlap = false;
  const counts = new Map<string, number>();
  let fails = 2;
  // The first run of 'a' holds until the test has added 'a' again, so "while a runs" is not a guess.
  let aStarted!: () => void;
  const aRunning = new Promise<void>((r) => { aStarted = r; });
  let releaseA!: () => void;
  const aGate = new Promise<void>((r) => { releaseA = r; });
  const run = q.run(async (k) => {
    if (running.has(k)) overlap = true;
    running.add(k);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (k === 'a' && counts.get('a') === 1) { aStarted(); await aGate; } else await new Promise((r) => setTimeout(r, 5));
    running.delete(k);
    if (k === 'flaky' && fails-- > 0) throw new Error('boom');
  }, ac.signal);
  for (let i = 0; i < 10; i++) q.add('a');
  q.add('b'); q.add('flaky');
  await aRunning;
  q.add('a'); // while a runs: once more afterwards
  releaseA();
  const done = (): boolean => counts.get('a') === 2 && counts.get('b') === 1 && counts.get('flaky') === 3 && running.size === 0;
  for (const end = Date.now() + 30_000; !done() && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
  ac.abort();
  await run;
  assert.equal(overlap, false);
  assert.equal(counts.get('a'), 2);
  assert.equal(counts.get('b'), 1);
  assert.equal(counts.get('flaky'), 3);
});
