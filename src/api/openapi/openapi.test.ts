import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupVersionPaths, openapiV2, openapiV3, openapiV3Discovery, openapiV3Paths, strictDecodingMessage, unknownFields } from './index.js';
import { patchEntriesFor, upstreamSchemas } from './upstream.js';
import { allKinds } from '../kinds/index.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only traversal of JSON documents

test('v3 discovery lists every group-version with a hash', () => {
  assert.deepEqual(groupVersionPaths(), ['api/v1', 'apis/apps/v1', 'apis/authentication.k8s.io/v1', 'apis/authentication.k8s.io/v1beta1', 'apis/authorization.k8s.io/v1', 'apis/batch/v1',
    'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/networking.k8s.io/v1', 'apis/policy/v1', 'apis/rbac.authorization.k8s.io/v1']);
  const paths = openapiV3Paths();
  assert.match(paths['api/v1']!, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
  assert.equal(openapiV3Discovery().paths['apis/apps/v1']!.serverRelativeURL, paths['apis/apps/v1']);
  assert.equal(openapiV3Paths()['api/v1'], paths['api/v1'], 'hash is stable');
  assert.equal(openapiV3('apis/batch/v2'), undefined);
});

test('v3 documents: schemas with GVK, refs resolve, patch extensions', () => {
  for (const gv of groupVersionPaths()) {
    const doc = openapiV3(gv) as J;
    assert.equal(doc.openapi, '3.0.0');
    const schemas = doc.components.schemas as J;
    // every $ref resolves inside the document
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of refs) {
      const name = r.slice(8, -1).replace('#/components/schemas/', '');
      assert.ok(schemas[name], `${gv}: dangling ${name}`);
    }
  }
  const core = openapiV3('api/v1') as J;
  const pod = core.components.schemas['io.k8s.api.core.v1.Pod'];
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
  const containers = core.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers.items.allOf[0].$ref, '#/components/schemas/io.k8s.api.core.v1.Container');
  assert.equal(core.components.schemas['io.k8s.api.core.v1.ServiceSpec'].properties.ports['x-kubernetes-patch-merge-key'], 'port');
  assert.equal(core.components.schemas['io.k8s.api.core.v1.Container'].properties.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.match(core.components.schemas['io.k8s.api.core.v1.ServicePort'].properties.port.description, /exposed by this service/);
  const apps = openapiV3('apis/apps/v1') as J;
  assert.equal(apps.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.ok(apps.components.schemas['io.k8s.api.core.v1.PodSpec'], 'referenced core types are included');
});

test('v3 paths: every resource has PATCH with GVK, strategic merge and fieldValidation', () => {
  for (const k of allKinds) {
    const gv = k.group === '' ? 'api/v1' : `apis/${k.group}/v1`;
    const doc = openapiV3(gv) as J;
    const base = k.group === '' ? '/api/v1' : `/apis/${k.group}/v1`;
    const item = k.namespaced ? `${base}/namespaces/{namespace}/${k.resource}/{name}` : `${base}/${k.resource}/{name}`;
    const p = doc.paths[item];
    assert.ok(p, `${item} present`);
    for (const verb of ['patch', 'put']) {
      assert.deepEqual(p[verb]['x-kubernetes-group-version-kind'], { group: k.group, version: k.version, kind: k.kind });
      assert.ok(p[verb].parameters.some((x: J) => x.name === 'fieldValidation' && x.in === 'query'), `${k.kind} ${verb} fieldValidation`);
    }
    assert.ok(p.patch.requestBody.content['application/strategic-merge-patch+json']);
    const coll = k.namespaced ? `${base}/namespaces/{namespace}/${k.resource}` : `${base}/${k.resource}`;
    assert.ok(doc.paths[coll].post.parameters.some((x: J) => x.name === 'fieldValidation'));
    if (k.subresources.includes('status')) assert.ok(doc.paths[`${item}/status`].patch);
  }
  const apps = openapiV3('apis/apps/v1') as J;
  assert.equal(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch['x-kubernetes-group-version-kind'].kind, 'Scale');
});

test('v2 document: definitions with plain refs', () => {
  const doc = openapiV2() as J;
  assert.equal(doc.swagger, '2.0');
  const defs = doc.definitions as J;
  assert.equal(defs['io.k8s.api.core.v1.PodSpec'].properties.containers.items.$ref, '#/definitions/io.k8s.api.core.v1.Container');
  assert.equal(defs['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'][0].kind, 'Deployment');
  for (const r of JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? []) assert.ok(defs[r.slice(8, -1).replace('#/definitions/', '')], r);
  const patch = doc.paths['/api/v1/namespaces/{namespace}/services/{name}'].patch;
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.ok(patch.parameters.some((x: J) => x.name === 'fieldValidation' && x.type === 'string'));
});

test('served documents are upstream ones, cut to what is served: no unserved kinds, no watch paths, no CBOR', () => {
  const core = openapiV3('api/v1') as J;
  const pathNames = Object.keys(core.paths);
  assert.ok(pathNames.includes('/api/v1/namespaces/{namespace}/pods/{name}/log'));
  assert.ok(pathNames.includes('/api/v1/namespaces/{namespace}/pods/{name}/eviction'));
  assert.ok(pathNames.includes('/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token'));
  assert.ok(!pathNames.some((p) => p.includes('/watch/')), 'deprecated watch paths are not served');
  assert.ok(!pathNames.some((p) => p.includes('persistentvolumeclaims') || p.includes('componentstatuses')), 'unserved kinds are left out');
  assert.ok(!core.components.schemas['io.k8s.api.core.v1.PersistentVolumeClaim'], 'schemas only reachable from unserved paths are left out');
  assert.ok(!JSON.stringify(core).includes('cbor'));
  assert.match(core.components.schemas['io.k8s.api.core.v1.Capabilities'].properties.add.description, /^Added capabilities$/);
  const authn = openapiV3('apis/authentication.k8s.io/v1') as J;
  assert.deepEqual(Object.keys(authn.paths).sort(), ['/apis/authentication.k8s.io/v1/', '/apis/authentication.k8s.io/v1/selfsubjectreviews', '/apis/authentication.k8s.io/v1/tokenreviews']);
});

test('no field upstream types is an untyped object: every property has a type, a $ref or is declared free-form', () => {
  for (const gv of groupVersionPaths()) {
    const schemas = (openapiV3(gv) as J).components.schemas as J;
    for (const [name, def] of Object.entries(schemas) as [string, J][]) {
      for (const [prop, p] of Object.entries((def.properties ?? {}) as J) as [string, J][]) {
        const typed = p.type !== undefined || p.allOf !== undefined || p.$ref !== undefined || p.oneOf !== undefined;
        assert.ok(typed, `${name}.${prop} is untyped`);
        if (p.type === 'object' && !p.properties && !p.additionalProperties) assert.ok(p['x-kubernetes-preserve-unknown-fields'], `${name}.${prop} is an untyped object`);
      }
    }
  }
});

/** Follows `kubectl explain` path steps through a v3 document; returns the field's schema. */
function explainPath(doc: J, rootName: string, steps: string[]): J {
  const schemas = doc.components.schemas as J;
  const deref = (s: J): J => (s.allOf?.[0]?.$ref ? schemas[s.allOf[0].$ref.replace('#/components/schemas/', '')] : s.$ref ? schemas[s.$ref.replace('#/components/schemas/', '')] : s);
  let cur: J = schemas[rootName];
  let field: J = cur;
  for (const st of steps) {
    cur = deref(cur);
    if (cur.type === 'array') cur = deref(cur.items);
    field = cur.properties?.[st];
    assert.ok(field, `${rootName}: no field ${st} (steps ${steps.join('.')})`);
    cur = field;
  }
  return field;
}

test('kubectl explain reaches deep fields with upstream descriptions', () => {
  const core = openapiV3('api/v1') as J;
  const add = explainPath(core, 'io.k8s.api.core.v1.Pod', ['spec', 'containers', 'securityContext', 'capabilities', 'add']);
  assert.equal(add.type, 'array');
  assert.equal(add.items.type, 'string');
  const apps = openapiV3('apis/apps/v1') as J;
  const maxSurge = explainPath(apps, 'io.k8s.api.apps.v1.Deployment', ['spec', 'strategy', 'rollingUpdate', 'maxSurge']);
  assert.equal(maxSurge.allOf[0].$ref, '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.match(maxSurge.description, /The maximum number of pods that can be scheduled above the desired number of pods/);
  const net = openapiV3('apis/networking.k8s.io/v1') as J;
  const except = explainPath(net, 'io.k8s.api.networking.v1.NetworkPolicy', ['spec', 'ingress', 'from', 'ipBlock', 'except']);
  assert.match(except.description, /except is a slice of CIDRs that should not be included within an IPBlock/);
  const v2 = openapiV2() as J;
  assert.equal(v2.definitions['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties.maxSurge.$ref, '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.deepEqual(v2.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { description: v2.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].description, format: 'int-or-string', type: 'string' });
});

test('patch metadata comes from the pinned spec (one source): merge keys, strategies, list types', () => {
  const pod = patchEntriesFor('', 'v1', 'Pod')!;
  assert.deepEqual(pod['spec.containers'], { strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'], listMapKeyDefaults: { name: '' } });
  assert.deepEqual(pod['spec.containers[].ports'], { strategy: 'merge', mergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'], listMapKeyDefaults: { containerPort: 0, protocol: 'TCP' } });
  assert.equal(pod['spec.volumes']!.strategy, 'merge,retainKeys');
  assert.equal(pod['metadata.finalizers']!.strategy, 'merge');
  assert.equal(pod['metadata.ownerReferences']!.mergeKey, 'uid');
  assert.equal(pod['spec.containers[].command']?.listType, 'atomic');
  const deploy = patchEntriesFor('apps', 'v1', 'Deployment')!;
  assert.equal(deploy['spec.strategy']!.strategy, 'retainKeys');
  assert.equal(deploy['spec.template.spec.containers[].env']!.mergeKey, 'name');
  assert.equal(deploy['spec.selector']!.atomic, true);
  assert.equal(patchEntriesFor('', 'v1', 'Service')!['spec.ports']!.mergeKey, 'port');
  assert.equal(patchEntriesFor('', 'v1', 'Nope'), undefined);
  // every served built-in kind's strategic merge metadata is the spec's
  for (const k of allKinds.filter((x) => !x.custom)) assert.deepEqual(k.patchMeta, patchEntriesFor(k.group, k.version, k.kind), k.kind);
  assert.ok(Object.keys(upstreamSchemas('api/v1')).length > 200);
});

test('unknownFields finds what the schema does not define', () => {
  const deploy = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', labels: { anything: 'goes' }, annotations: { 'x/y': 'z' } },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '1' } }, securityContext: { privileged: false, capabilities: { add: ['NET_ADMIN'] }, seccompProfile: { type: 'RuntimeDefault' } }, readinessProbe: { httpGet: { path: '/', port: 80 } } }],
          volumes: [{ name: 'v', configMap: { name: 'cm' } }],
        },
      },
    },
  };
  assert.deepEqual(unknownFields(deploy), []);
  const bad = structuredClone(deploy) as J;
  bad.spec.replicaz = 2;
  bad.spec.template.spec.containers[0].imagePolicy = 'x';
  bad.spec.template.spec.containers[0].ports[0].hostPortz = 1;
  bad.metadata.labelz = {};
  bad.spec.template.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['a'], valuez: 1 }] }] } } };
  assert.deepEqual(unknownFields(bad).sort(), ['metadata.labelz', 'spec.replicaz', 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].valuez', 'spec.template.spec.containers[0].imagePolicy', 'spec.template.spec.containers[0].ports[0].hostPortz']);
  assert.deepEqual(unknownFields({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, tragetPort: 8080 }] } }), ['spec.ports[0].tragetPort']);
  assert.deepEqual(unknownFields({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' }, spec: {} }), ['spec']);
  assert.deepEqual(unknownFields({ apiVersion: 'v1', kind: 'Unknown', foo: 1 }), []);
  assert.equal(strictDecodingMessage(['spec.a', 'b']), 'strict decoding error: unknown field "spec.a", unknown field "b"');
});
