import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../kinds/types.js';
import { kindByResourceVersion } from '../kinds/index.js';
import { openapiV2, openapiV3, openapiV3Paths } from '../openapi/index.js';
import { encodeOpenapiV2 } from '../openapi/protobuf.js';
import { crdKind, customKinds } from './kinds.js';
import { installCustomResourceOpenApi } from './openapi.js';
import { syncDefinition } from './controller.js';

const crd = (): KObject => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.t.example.com' },
  spec: {
    group: 't.example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', nullable: true, minimum: 1 }, tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' } } } } } } },
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
    ],
  },
});

test('a definition: defaults and status, validation of the definition itself', () => {
  const o = crd();
  crdKind.defaults(o);
  assert.deepEqual(crdKind.validate(o), []);
  const st = o.status as { conditions: { type: string; status: string }[]; storedVersions: string[]; acceptedNames: { singular: string; listKind: string } };
  assert.deepEqual(st.conditions.map((c) => `${c.type}=${c.status}`), ['NamesAccepted=True', 'Established=True']);
  assert.deepEqual(st.storedVersions, ['v1']);
  assert.equal(st.acceptedNames.listKind, 'WidgetList');
  const bad = crd();
  (bad.spec as { versions: { storage: boolean }[] }).versions[1]!.storage = true;
  (bad.spec as { group: string }).group = 'nodot';
  bad.metadata.name = 'x.y';
  const fields = crdKind.validate(bad).map((e) => e.field);
  assert.ok(fields.includes('spec.group') && fields.includes('metadata.name') && fields.includes('spec.versions'), JSON.stringify(fields));
});

test('served versions are routed, and OpenAPI v2 (JSON and protobuf) and v3 carry the schema', () => {
  installCustomResourceOpenApi();
  const o = crd();
  crdKind.defaults(o);
  try {
    syncDefinition(o);
    assert.equal(kindByResourceVersion('t.example.com', 'v1', 'widgets')?.kind, 'Widget');
    assert.equal(kindByResourceVersion('t.example.com', 'v1beta1', 'widgets')?.version, 'v1beta1');
    const v2 = openapiV2() as { definitions: Record<string, { properties?: Record<string, unknown>; 'x-kubernetes-group-version-kind'?: unknown }>; paths: Record<string, unknown> };
    const def = v2.definitions['com.example.t.v1.Widget']!;
    assert.deepEqual(def['x-kubernetes-group-version-kind'], [{ group: 't.example.com', version: 'v1', kind: 'Widget' }]);
    assert.deepEqual((def.properties!.spec as { properties: { size: unknown } }).properties.size, { type: 'integer', minimum: 1 }, 'v2 drops nullable');
    assert.ok(v2.paths['/apis/t.example.com/v1/namespaces/{namespace}/widgets/{name}']);
    assert.ok(encodeOpenapiV2(v2).length > 1000, 'the protobuf form encodes');
    assert.ok(Object.keys(openapiV3Paths()).includes('apis/t.example.com/v1'));
    const v3 = openapiV3('apis/t.example.com/v1') as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    assert.deepEqual((v3.components.schemas['com.example.t.v1.Widget']!.properties!.spec as { properties: { size: unknown } }).properties.size, { type: 'integer', nullable: true, minimum: 1 });
    assert.ok(v3.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assert.deepEqual(customKinds(o)[0]!.patchMeta['spec.tags'], { strategy: 'merge' });
  } finally {
    syncDefinition({ ...o, metadata: { ...o.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
  }
  assert.equal(kindByResourceVersion('t.example.com', 'v1', 'widgets'), undefined);
  assert.equal(openapiV3('apis/t.example.com/v1'), undefined);
});
