/**
 * OpenAPI for custom resources, from their definitions' schemas: Swagger 2.0 definitions and paths
 * for /openapi/v2 (JSON and gnostic protobuf: only keys Swagger 2.0 has, so `nullable` and the like
 * are dropped as upstream does) and one /openapi/v3/apis/<group>/<version> document per served
 * group-version. Definitions are named as upstream names them (`com.example.stable.v1.CronTab`)
 * and carry x-kubernetes-group-version-kind, which `kubectl explain` looks up.
 */
import { allKinds } from '../kinds/index.js';
import type { KindSemantics } from '../kinds/types.js';
import { builtinDefinitions, setOpenApiExtension, type RefStyle } from '../openapi/index.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

export function definitionName(k: KindSemantics): string {
  return `${k.group.split('.').reverse().join('.')}.${k.version}.${k.kind}`;
}

const V2_KEYS = new Set(['$ref', 'format', 'title', 'description', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required', 'enum',
  'additionalProperties', 'type', 'items', 'allOf', 'properties']);

/** A schema in the form one document style takes (v2: Swagger 2.0 keys and x- extensions only). */
function convert(s: unknown, style: RefStyle): unknown {
  if (!isObj(s)) return s;
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (style === 'v2' && !V2_KEYS.has(k) && !k.startsWith('x-')) continue;
    if (k === 'properties' && isObj(v)) out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, convert(pv, style)]));
    else if ((k === 'items' || k === 'additionalProperties') && isObj(v)) out[k] = convert(v, style);
    else out[k] = v;
  }
  return out;
}

const ref = (full: string, style: RefStyle): Json => (style === 'v3'
  ? { allOf: [{ $ref: `#/components/schemas/${full}` }], default: {} }
  : { $ref: `#/definitions/${full}` });

function kindSchemas(k: KindSemantics, style: RefStyle): Json {
  const schema = convert(structuredClone(k.custom!.schema), style) as Json;
  const props = isObj(schema.properties) ? schema.properties : {};
  schema.properties = {
    apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
    kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
    metadata: { ...ref(OBJECT_META, style), description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    ...Object.fromEntries(Object.entries(props).filter(([n]) => n !== 'apiVersion' && n !== 'kind' && n !== 'metadata')),
  };
  schema.type = 'object';
  const gvk = { group: k.group, version: k.version, kind: k.kind };
  schema['x-kubernetes-group-version-kind'] = [gvk];
  const name = definitionName(k);
  const list: Json = {
    description: `${k.listKind} is a list of ${k.kind}`, type: 'object', required: ['items'],
    properties: {
      apiVersion: { type: 'string' }, kind: { type: 'string' },
      items: { type: 'array', description: `List of ${k.resource}.`, items: style === 'v3' ? { $ref: `#/components/schemas/${name}` } : { $ref: `#/definitions/${name}` } },
      metadata: { ...ref(LIST_META, style) },
    },
    'x-kubernetes-group-version-kind': [{ ...gvk, kind: k.listKind }],
  };
  return { [name]: schema, [`${name}List`]: list };
}

/** The REST paths of one custom kind (list/create, get/replace/patch/delete, status, scale), each operation with its GVK. */
function kindPaths(k: KindSemantics, style: RefStyle): Json {
  const name = definitionName(k);
  const refOf = (n: string): Json => ({ $ref: style === 'v3' ? `#/components/schemas/${n}` : `#/definitions/${n}` });
  const gvk = { group: k.group, version: k.version, kind: k.kind };
  const tag = `${k.group.split('.')[0]}_${k.version}`;
  const op = (id: string, action: string, resp: string, body?: string, patch = false): Json => {
    const o: Json = { operationId: `${id}${k.kind}`, tags: [tag], 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, description: `${action} a ${k.kind}` };
    const q = (n: string, type = 'string'): Json => (style === 'v3' ? { name: n, in: 'query', schema: { type, uniqueItems: true } } : { name: n, in: 'query', type, uniqueItems: true });
    const params = action === 'post' || action === 'put' || action === 'patch'
      ? [q('dryRun'), q('fieldManager'), q('fieldValidation'), ...(action === 'patch' ? [q('force', 'boolean')] : [])]
      : action === 'list' ? [q('labelSelector'), q('fieldSelector'), q('limit', 'integer'), q('watch', 'boolean'), q('resourceVersion')]
        : action === 'delete' ? [q('dryRun'), q('gracePeriodSeconds', 'integer'), q('propagationPolicy')] : [];
    const consumes = patch ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'] : ['application/json', 'application/yaml'];
    if (style === 'v3') {
      if (body) o.requestBody = { content: Object.fromEntries(consumes.map((t) => [t, { schema: refOf(body) }])) };
      o.parameters = params;
      o.responses = { 200: { description: 'OK', content: { 'application/json': { schema: refOf(resp) } } }, 401: { description: 'Unauthorized' } };
    } else {
      o.consumes = consumes; o.produces = ['application/json', 'application/yaml'];
      o.parameters = [...params, ...(body ? [{ name: 'body', in: 'body', required: true, schema: refOf(body) }] : [])];
      o.responses = { 200: { description: 'OK', schema: refOf(resp) }, 401: { description: 'Unauthorized' } };
    }
    return o;
  };
  const param = (n: string, desc: string): Json => (style === 'v3'
    ? { name: n, in: 'path', required: true, description: desc, schema: { type: 'string', uniqueItems: true } }
    : { name: n, in: 'path', required: true, description: desc, type: 'string', uniqueItems: true });
  const scope = k.namespaced ? [param('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const coll = `/apis/${k.group}/${k.version}${k.namespaced ? '/namespaces/{namespace}' : ''}/${k.resource}`;
  const item = `${coll}/{name}`;
  const Namespaced = k.namespaced ? 'Namespaced' : '';
  const paths: Json = {
    [coll]: { get: op(`list${Namespaced}`, 'list', `${name}List`), post: op(`create${Namespaced}`, 'post', name, name), parameters: scope },
    [item]: {
      get: op(`read${Namespaced}`, 'get', name), put: op(`replace${Namespaced}`, 'put', name, name),
      patch: op(`patch${Namespaced}`, 'patch', name, name, true), delete: op(`delete${Namespaced}`, 'delete', name),
      parameters: [param('name', `name of the ${k.kind}`), ...scope],
    },
  };
  if (k.namespaced) paths[`/apis/${k.group}/${k.version}/${k.resource}`] = { get: op('listForAllNamespaces', 'list', `${name}List`) };
  if (k.subresources.includes('status')) {
    paths[`${item}/status`] = { get: op(`read${Namespaced}Status`, 'get', name), put: op(`replace${Namespaced}Status`, 'put', name, name), patch: op(`patch${Namespaced}Status`, 'patch', name, name, true), parameters: [param('name', `name of the ${k.kind}`), ...scope] };
  }
  return paths;
}

const customKinds = (): KindSemantics[] => allKinds.filter((k) => k.custom);
const gvPath = (k: KindSemantics): string => `apis/${k.group}/${k.version}`;

/** Plugs custom resources into the OpenAPI documents (once, at start). */
export function installCustomResourceOpenApi(): void {
  setOpenApiExtension({
    v2() {
      const definitions: Json = {};
      const paths: Json = {};
      for (const k of customKinds()) { Object.assign(definitions, kindSchemas(k, 'v2')); Object.assign(paths, kindPaths(k, 'v2')); }
      return { definitions, paths };
    },
    v3GroupVersions: () => [...new Set(customKinds().map(gvPath))],
    v3(gv) {
      const ks = customKinds().filter((k) => gvPath(k) === gv);
      if (!ks.length) return undefined;
      const schemas: Json = builtinDefinitions(['ObjectMeta', 'ListMeta'], 'v3');
      const paths: Json = {};
      for (const k of ks) { Object.assign(schemas, kindSchemas(k, 'v3')); Object.assign(paths, kindPaths(k, 'v3')); }
      return { openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths, components: { schemas } };
    },
  });
}
