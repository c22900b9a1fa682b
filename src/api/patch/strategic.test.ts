import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatch } from './strategic.js';
import { kindByKind } from '../kinds/index.js';
import { PodnetError } from '../../util/errors.js';

const deployMeta = kindByKind('apps', 'Deployment')!.patchMeta;
const svcMeta = kindByKind('', 'Service')!.patchMeta;
const podMeta = kindByKind('', 'Pod')!.patchMeta;

const deploy = () => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'fe' }, finalizers: ['a.io/x'] },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.24', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }] },
          { name: 'side', image: 'busybox', ports: [] as unknown[] },
        ],
        tolerations: [{ key: 'k', operator: 'Exists' }],
      },
    },
  },
});

test('maps merge recursively, null deletes, scalars replace', () => {
  const out = strategicMergePatch(deploy(), { metadata: { labels: { tier: null, env: 'prod' } }, spec: { replicas: 3 } }, deployMeta) as ReturnType<typeof deploy>;
  assert.deepEqual(out.metadata.labels, { app: 'web', env: 'prod' });
  assert.equal(out.spec.replicas, 3);
  assert.equal(out.spec.template.spec.containers.length, 2);
});

test('original is not modified', () => {
  const d = deploy();
  const before = JSON.stringify(d);
  strategicMergePatch(d, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } } }, deployMeta);
  assert.equal(JSON.stringify(d), before);
});

test('kubectl apply: changed container image merges by name with $setElementOrder', () => {
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }], containers: [{ image: 'nginx:1.25', name: 'web' }] } } },
  };
  const out = strategicMergePatch(deploy(), patch, deployMeta) as ReturnType<typeof deploy>;
  const cs = out.spec.template.spec.containers;
  assert.deepEqual(cs.map((c) => c.name), ['web', 'side']);
  assert.equal(cs[0]!.image, 'nginx:1.25');
  assert.deepEqual(cs[0]!.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal((out.metadata as { annotations?: Record<string, string> }).annotations?.['kubectl.kubernetes.io/last-applied-configuration'], '{}');
});

test('kubectl apply: container ports merge by containerPort, env by name', () => {
  const patch = {
    spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }],
      containers: [{
        '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }],
        '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }],
        name: 'web',
        ports: [{ containerPort: 443 }],
        env: [{ name: 'A', value: '2' }, { name: 'B', value: 'x' }],
      }],
    } } },
  };
  const out = strategicMergePatch(deploy(), patch, deployMeta) as ReturnType<typeof deploy>;
  const web = out.spec.template.spec.containers[0]!;
  assert.deepEqual(web.ports, [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }]);
  assert.deepEqual(web.env, [{ name: 'A', value: '2' }, { name: 'B', value: 'x' }]);
});

test('$patch: delete removes a list item by merge key; removed container', () => {
  const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ $patch: 'delete', name: 'side' }] } } } };
  const out = strategicMergePatch(deploy(), patch, deployMeta) as ReturnType<typeof deploy>;
  assert.deepEqual(out.spec.template.spec.containers.map((c) => c.name), ['web']);
});

test('Service ports merge by port; kubectl apply removing a port', () => {
  const svc = { metadata: { name: 's' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'a', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'b', port: 443, protocol: 'TCP', targetPort: 443 }] } };
  const patch = { spec: { '$setElementOrder/ports': [{ port: 80 }], ports: [{ $patch: 'delete', port: 443 }, { port: 80, targetPort: 9090 }] } };
  const out = strategicMergePatch(svc, patch, svcMeta) as typeof svc;
  assert.deepEqual(out.spec.ports, [{ name: 'a', port: 80, targetPort: 9090, protocol: 'TCP' }]);
  assert.equal(out.spec.clusterIP, '10.96.0.10');
});

test('lists without merge key are replaced (tolerations)', () => {
  const out = strategicMergePatch(deploy(), { spec: { template: { spec: { tolerations: [{ key: 'z', operator: 'Exists' }] } } } }, deployMeta) as ReturnType<typeof deploy>;
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'z', operator: 'Exists' }]);
});

test('primitive list with merge strategy is a union; $deleteFromPrimitiveList removes', () => {
  let out = strategicMergePatch(deploy(), { metadata: { finalizers: ['b.io/y', 'a.io/x'] } }, deployMeta) as ReturnType<typeof deploy>;
  assert.deepEqual(out.metadata.finalizers, ['a.io/x', 'b.io/y']);
  out = strategicMergePatch(out, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.io/x'] } }, deployMeta) as ReturnType<typeof deploy>;
  assert.deepEqual(out.metadata.finalizers, ['b.io/y']);
  out = strategicMergePatch(out, { metadata: { '$setElementOrder/finalizers': ['c.io/z', 'b.io/y'], finalizers: ['c.io/z'] } }, deployMeta) as ReturnType<typeof deploy>;
  assert.deepEqual(out.metadata.finalizers, ['c.io/z', 'b.io/y']);
});

test('$patch: replace on a map and inside a list', () => {
  let out = strategicMergePatch(deploy(), { metadata: { labels: { $patch: 'replace', only: 'me' } } }, deployMeta) as ReturnType<typeof deploy>;
  assert.deepEqual(out.metadata.labels, { only: 'me' });
  out = strategicMergePatch(deploy(), { spec: { template: { spec: { containers: [{ name: 'solo', image: 'x' }, { $patch: 'replace' }] } } } }, deployMeta) as ReturnType<typeof deploy>;
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'solo', image: 'x' }]);
});

test('$patch: delete on a map removes it', () => {
  const out = strategicMergePatch(deploy(), { spec: { strategy: { $patch: 'delete' } } }, deployMeta) as { spec: Record<string, unknown> };
  assert.equal(out.spec.strategy, undefined);
});

test('$retainKeys: switching strategy to Recreate drops rollingUpdate', () => {
  const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } };
  const out = strategicMergePatch(deploy(), patch, deployMeta) as { spec: { strategy: unknown } };
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  const out2 = strategicMergePatch(deploy(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, deployMeta) as { spec: { strategy: unknown } };
  assert.deepEqual(out2.spec.strategy, { type: 'Recreate' });
});

test('volumes merge by name and retain keys of each volume', () => {
  const pod = { spec: { volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', configMap: { name: 'cm' } }], containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'v', mountPath: '/a' }] }] } };
  const patch = { spec: { volumes: [{ $retainKeys: ['hostPath', 'name'], name: 'v', hostPath: { path: '/tmp' } }], containers: [{ name: 'c', volumeMounts: [{ mountPath: '/b', name: 'w' }] }] } };
  const out = strategicMergePatch(pod, patch, podMeta) as typeof pod;
  assert.deepEqual(out.spec.volumes, [{ name: 'v', hostPath: { path: '/tmp' } }, { name: 'w', configMap: { name: 'cm' } }]);
  assert.deepEqual(out.spec.containers[0]!.volumeMounts, [{ name: 'v', mountPath: '/a' }, { mountPath: '/b', name: 'w' }]);
});

test('status conditions merge by type', () => {
  const pod = { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }] } };
  const out = strategicMergePatch(pod, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, podMeta) as typeof pod;
  assert.deepEqual(out.status.conditions, [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }]);
});

test('new nested values keep no directives', () => {
  const out = strategicMergePatch({}, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'a', image: 'x' }] } } } }, deployMeta);
  assert.deepEqual(out, { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } });
});

test('malformed patches throw EBADPATCH', () => {
  const bad: unknown[] = [
    [1, 2],
    'str',
    { spec: { template: { spec: { containers: [{ image: 'no-name' }] } } } },
    { spec: { template: { spec: { containers: ['x'] } } } },
    { metadata: { $patch: 'explode' } },
    { spec: { $retainKeys: 'type' } },
    { spec: { '$setElementOrder/ports': 'x' } },
    { spec: { $bogus: 1 } },
    { metadata: { finalizers: [{ a: 1 }] } },
  ];
  for (const p of bad) {
    assert.throws(() => strategicMergePatch(deploy(), p, deployMeta), (e: unknown) => e instanceof PodnetError && e.code === 'EBADPATCH', JSON.stringify(p));
  }
});

test('scale-like patch and label patch (kubectl scale/label)', () => {
  const out = strategicMergePatch(deploy(), { spec: { replicas: 0 }, metadata: { labels: { new: 'l' } } }, deployMeta) as ReturnType<typeof deploy>;
  assert.equal(out.spec.replicas, 0);
  assert.deepEqual(out.metadata.labels, { app: 'web', tier: 'fe', new: 'l' });
});
