import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import { openapiV2 } from './index.js';
import { GnosticMappingError, toGnosticDocument } from './gnostic.js';
import { encodeOpenapiV2, openapiV2ProtoPath } from './protobuf.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only traversal of decoded messages

// The decoder side is independent of gnostic.ts: a fresh protobufjs Root from the stored .proto,
// and a generic message → JSON walk driven by the schema's reflection, not by our mapping table.
const root = new protobuf.Root().loadSync(openapiV2ProtoPath(), { keepCase: true });
const Document = root.lookupType('openapi.v2.Document');

function decode(buf: Buffer): J {
  return Document.toObject(Document.decode(buf), { longs: Number, defaults: false, arrays: false, oneofs: false });
}

const camel = (s: string): string => (s === '_ref' ? '$ref' : s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));

/** openapi.v2 message → Swagger 2.0 JSON, following gnostic's conventions generically. */
function toJson(type: protobuf.Type, m: J): unknown {
  switch (type.name) {
    case 'Any': return parseYaml(m.yaml as string);
    case 'TypeItem': return (m.value as string[]).length === 1 ? m.value[0] : m.value;
    case 'ItemsItem': return (m.schema as J[]).length === 1 ? toJson(type.fields.schema!.resolvedType as protobuf.Type, m.schema[0]) : m.schema.map((s: J) => toJson(type.fields.schema!.resolvedType as protobuf.Type, s));
    case 'StringArray': return m.value ?? [];
  }
  if (type.oneofsArray.length === 1 && type.oneofsArray[0]!.name === 'oneof') {
    const [name, v] = Object.entries(m)[0]!;
    const f = type.fields[name]!;
    return f.resolvedType ? toJson(f.resolvedType as protobuf.Type, v) : v;
  }
  const out: J = {};
  for (const [name, v] of Object.entries(m)) {
    const f = type.fields[name]!;
    const sub = f.resolvedType as protobuf.Type | null;
    if (name === 'vendor_extension') {
      for (const e of v as J[]) out[e.name] = parseYaml(e.value.yaml);
    } else if (f.repeated && sub?.name.startsWith('Named')) {
      // a JSON object with free keys, kept as repeated { name, value }
      const valueType = sub!.fields.value!.resolvedType as protobuf.Type | null;
      for (const e of v as J[]) out[e.name] = valueType ? toJson(valueType, e.value ?? {}) : e.value;
    } else if (sub) {
      out[camel(name)] = f.repeated ? (v as J[]).map((x) => toJson(sub, x)) : toJson(sub, v);
    } else {
      out[camel(name)] = v;
    }
  }
  return out; // Definitions, Properties, …: their named list already became this object's keys
}

/** proto3 cannot tell an empty list or a false/zero scalar from an absent one: drop those on both sides. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (typeof v !== 'object' || v === null) return v;
  const out: J = {};
  for (const [k, x] of Object.entries(v)) {
    if ((Array.isArray(x) && x.length === 0) || x === false) continue;
    out[k] = normalize(x);
  }
  return out;
}

test('our /openapi/v2 document survives JSON → protobuf → JSON unchanged (incl. every extension)', () => {
  const json = openapiV2();
  const back = toJson(Document, decode(encodeOpenapiV2(json)));
  assert.deepEqual(normalize(back), normalize(json));
  // key order of definitions and paths is kept (gnostic keeps the document's order)
  assert.deepEqual(Object.keys((back as J).definitions), Object.keys(json.definitions as J));
  assert.deepEqual(Object.keys((back as J).paths), Object.keys(json.paths as J));
});

test('decoded form carries what kubectl reads: GVKs, patch merge keys and strategies as YAML Any', () => {
  const doc = decode(encodeOpenapiV2(openapiV2()));
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.info.title, 'Kubernetes');
  const defs = new Map((doc.definitions.additional_properties as J[]).map((n) => [n.name as string, n.value as J]));
  const ext = (s: J): Map<string, unknown> => new Map(((s.vendor_extension ?? []) as J[]).map((e) => [e.name as string, parseYaml(e.value.yaml as string)]));
  assert.deepEqual(ext(defs.get('io.k8s.api.core.v1.Pod')!).get('x-kubernetes-group-version-kind'), [{ group: '', version: 'v1', kind: 'Pod' }]);
  const podSpecProps = new Map((defs.get('io.k8s.api.core.v1.PodSpec')!.properties.additional_properties as J[]).map((n) => [n.name as string, n.value as J]));
  const containers = podSpecProps.get('containers')!;
  assert.deepEqual(containers.type.value, ['array']);
  assert.equal(containers.items.schema[0]._ref, '#/definitions/io.k8s.api.core.v1.Container');
  assert.equal(ext(containers).get('x-kubernetes-patch-merge-key'), 'name');
  assert.equal(ext(containers).get('x-kubernetes-patch-strategy'), 'merge');
  const deploySpec = defs.get('io.k8s.api.apps.v1.DeploymentSpec')!;
  const strategy = (deploySpec.properties.additional_properties as J[]).find((n) => n.name === 'strategy')!.value;
  assert.equal(ext(strategy).get('x-kubernetes-patch-strategy'), 'retainKeys');
  // a query parameter lands in the query sub-schema, the body in body_parameter
  const pods = (doc.paths.path as J[]).find((p) => p.name === '/api/v1/namespaces/{namespace}/pods')!.value;
  const post = pods.post as J;
  assert.ok(post.parameters.some((p: J) => p.parameter?.body_parameter?.schema?._ref === '#/definitions/io.k8s.api.core.v1.Pod'));
  assert.ok(post.parameters.some((p: J) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name === 'fieldValidation'));
  assert.ok(pods.parameters.some((p: J) => p.parameter?.non_body_parameter?.path_parameter_sub_schema?.name === 'namespace'));
  assert.equal(ext(post).get('x-kubernetes-action'), 'post');
  assert.deepEqual(ext(post).get('x-kubernetes-group-version-kind'), { group: '', version: 'v1', kind: 'Pod' });
  assert.equal(post.responses.response_code[0].name, '200');
  assert.equal(post.responses.response_code[0].value.response.schema.schema._ref, '#/definitions/io.k8s.api.core.v1.Pod');
  assert.equal(doc.security_definitions.additional_properties[0].value.api_key_security.in, 'header');
});

/** A Swagger document using the parts of openapi.v2 our own document does not. */
const WIDE = {
  swagger: '2.0',
  info: { title: 't', version: '1', description: 'd', termsOfService: 'tos', contact: { name: 'c', url: 'u', email: 'e@x', 'x-c': 1 }, license: { name: 'Apache-2.0', url: 'l' }, 'x-info': { a: [1, 2] } },
  host: 'h', basePath: '/b', schemes: ['https'], consumes: ['application/json'], produces: ['application/json'],
  paths: {
    'x-paths': 'p',
    '/f': {
      $ref: '#/x',
      parameters: [{ $ref: '#/parameters/shared' }],
      post: {
        tags: ['a'], summary: 's', description: 'd', externalDocs: { description: 'ed', url: 'eu' }, operationId: 'op', deprecated: true,
        schemes: ['http'], security: [{ oauth: ['read', 'write'] }],
        parameters: [
          { name: 'file', in: 'formData', type: 'file', required: true, allowEmptyValue: true },
          { name: 'X-Trace', in: 'header', type: 'array', items: { type: 'array', items: { type: 'integer', format: 'int32', maximum: 9, exclusiveMaximum: true }, collectionFormat: 'pipes' }, collectionFormat: 'csv' },
          { name: 'mode', in: 'query', type: 'string', enum: ['a', 'b'], default: 'a', pattern: '^[ab]$', minLength: 1, maxLength: 1, 'x-q': true },
          { name: 'n', in: 'path', required: true, type: 'number', minimum: 0.5, exclusiveMinimum: true, multipleOf: 0.5 },
          { name: 'list', in: 'query', type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3, uniqueItems: true },
        ],
        responses: {
          200: { description: 'file', schema: { type: 'file', description: 'blob', readOnly: true, example: 'x' }, headers: { 'X-Rate': { type: 'integer', description: 'r', 'x-h': 'h' } }, examples: { 'application/json': { ok: true } } },
          404: { $ref: '#/responses/missing' },
          default: { description: 'err', schema: { $ref: '#/definitions/E' } },
          'x-resp': [1],
        },
      },
    },
  },
  definitions: {
    E: {
      type: 'object', title: 'E', required: ['code'], discriminator: 'kind', minProperties: 1, maxProperties: 9,
      properties: {
        code: { type: 'integer', format: 'int64', default: 500, example: 404 },
        any: { type: ['string', 'null'] },
        tuple: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] },
        open: { type: 'object', additionalProperties: true },
        dict: { type: 'object', additionalProperties: { type: 'string' } },
        mixed: { allOf: [{ $ref: '#/definitions/E' }, { description: 'more' }], xml: { name: 'm', namespace: 'ns', prefix: 'p', attribute: true, wrapped: true } },
        enumerated: { type: 'string', enum: ['A', 'B'], externalDocs: { url: 'doc' } },
      },
    },
  },
  parameters: { shared: { name: 'body', in: 'body', description: 'b', required: true, schema: { $ref: '#/definitions/E' }, 'x-b': 'b' } },
  responses: { missing: { description: 'gone', 'x-r': 'r' } },
  security: [{ key: [] }, { oauth: ['read'] }],
  securityDefinitions: {
    basic: { type: 'basic', description: 'b' },
    key: { type: 'apiKey', name: 'authorization', in: 'header' },
    implicit: { type: 'oauth2', flow: 'implicit', authorizationUrl: 'a', scopes: { read: 'r' } },
    password: { type: 'oauth2', flow: 'password', tokenUrl: 't', scopes: { read: 'r' } },
    application: { type: 'oauth2', flow: 'application', tokenUrl: 't', scopes: {} },
    oauth: { type: 'oauth2', flow: 'accessCode', authorizationUrl: 'a', tokenUrl: 't', scopes: { read: 'r', write: 'w' }, 'x-s': 's' },
  },
  tags: [{ name: 'a', description: 'A', externalDocs: { url: 'u' }, 'x-t': 't' }],
  externalDocs: { description: 'docs', url: 'https://example.invalid' },
  'x-doc': { nested: { list: [1, 'two', null] } },
};

test('every part of openapi.v2 round-trips: oneofs, references, security schemes, validations, extensions', () => {
  const back = toJson(Document, decode(encodeOpenapiV2(WIDE)));
  assert.deepEqual(normalize(back), normalize(WIDE));
});

test('a key openapi.v2 has no field for is refused, naming where', () => {
  assert.throws(() => toGnosticDocument({ swagger: '2.0', definitions: { A: { type: 'object', nullable: true } } }),
    (e: unknown) => e instanceof GnosticMappingError && e.path === '$.definitions.A.nullable');
  assert.throws(() => toGnosticDocument({ swagger: '2.0', paths: { '/a': { get: { parameters: [{ name: 'q', in: 'cookie' }] } } } }), GnosticMappingError);
  assert.throws(() => toGnosticDocument({ swagger: 2 }), GnosticMappingError);
});
