import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupVersionPaths, openapiV2, openapiV3, openapiV3Discovery, openapiV3Paths, strictDecodingMessage, unknownFields } from './index.js';
import { DEFINITIONS } from './schemas.js';
import { allKinds } from '../kinds/index.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only traversal of JSON documents

test('v3 discovery lists every group-version with a hash', () => {
  assert.deepEqual(groupVersionPaths(), ['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/networking.k8s.io/v1', 'apis/policy/v1', 'apis/rbac.authorization.k8s.io/v1']);
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

test('every field type names a known definition or primitive', () => {
  const prim = new Set(['string', 'integer', 'int64', 'boolean', 'number', 'map', 'object', 'map<Quantity>']);
  for (const [short, def] of Object.entries(DEFINITIONS)) {
    for (const [name, type] of def.fields ?? []) {
      const t = type.startsWith('[]') ? type.slice(2) : type;
      assert.ok(prim.has(t) || DEFINITIONS[t], `${short}.${name}: ${type}`);
    }
  }
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
