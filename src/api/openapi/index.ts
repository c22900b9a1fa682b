/**
 * OpenAPI documents for the kinds podnet serves, generated from the field table in ./schemas.ts:
 * - `openapiV2()`: the Swagger 2.0 document of /openapi/v2 (definitions + paths);
 * - `openapiV3Paths()`: the /openapi/v3 discovery map ('api/v1' → '/openapi/v3/api/v1?hash=…');
 * - `openapiV3(gvPath)`: the /openapi/v3/<gvPath> document (components.schemas + paths), the one
 *   `kubectl explain` and `kubectl apply` (patch meta, fieldValidation support) read;
 * - `unknownFields(obj)`: paths of fields the schema does not know (strict field validation).
 */
import { createHash } from 'node:crypto';
import { DEFINITIONS, type Definition, type FieldTuple } from './schemas.js';
import { allKinds } from '../kinds/index.js';
import type { KindSemantics } from '../kinds/types.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const SHORT_BY_FULL = new Map(Object.entries(DEFINITIONS).map(([short, def]) => [def.full, short]));
const PRIMITIVES: Record<string, Json> = {
  string: { type: 'string' },
  integer: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  boolean: { type: 'boolean' },
  number: { type: 'number', format: 'double' },
  map: { type: 'object', additionalProperties: { type: 'string', default: '' } },
  object: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

export type RefStyle = 'v2' | 'v3';
const refTo = (short: string, style: RefStyle): string =>
  style === 'v3' ? `#/components/schemas/${DEFINITIONS[short]!.full}` : `#/definitions/${DEFINITIONS[short]!.full}`;

function typeSchema(type: string, style: RefStyle, description?: string): Json {
  const withDesc = (s: Json): Json => (description ? { ...s, description } : s);
  if (type.startsWith('[]')) {
    const item = type.slice(2);
    const items = DEFINITIONS[item] ? refSchema(item, style) : typeSchema(item, style);
    return withDesc({ type: 'array', items });
  }
  if (type === 'map<Quantity>') return withDesc({ type: 'object', additionalProperties: refSchema('Quantity', style) });
  const prim = PRIMITIVES[type];
  if (prim) return withDesc({ ...prim });
  if (!DEFINITIONS[type]) throw new Error(`openapi: unknown type ${type}`);
  if (style === 'v3') return withDesc({ ...refSchema(type, style) });
  return withDesc({ $ref: refTo(type, style) });
}
function refSchema(short: string, style: RefStyle): Json {
  // upstream's v3 documents wrap references in allOf so a description/default can sit beside them
  return style === 'v3' ? { allOf: [{ $ref: refTo(short, style) }], default: {} } : { $ref: refTo(short, style) };
}

function patchExtensions(patch: string | undefined): Json {
  if (!patch) return {};
  const [strategy, key] = patch.split(':') as [string, string | undefined];
  const ext: Json = { 'x-kubernetes-patch-strategy': strategy };
  if (key) ext['x-kubernetes-patch-merge-key'] = key;
  return ext;
}

function definitionSchema(def: Definition, style: RefStyle): Json {
  const raw = style === 'v3' && def.rawV3 ? def.rawV3 : def.raw;
  const base: Json = raw ? { ...raw, description: def.description } : { description: def.description, type: 'object' };
  if (def.fields) {
    const props: Json = {};
    for (const [name, type, desc, patch] of def.fields) props[name] = { ...typeSchema(type, style, desc), ...patchExtensions(patch) };
    base.properties = props;
  }
  if (def.required?.length) base.required = def.required;
  if (def.gvk) base['x-kubernetes-group-version-kind'] = [def.gvk];
  return base;
}

/** Short names of every definition reachable from `roots`. */
function closure(roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (short: string): void => {
    if (seen.has(short)) return;
    const def = DEFINITIONS[short];
    if (!def) return;
    seen.add(short);
    for (const f of def.fields ?? []) {
      const t = f[1].startsWith('[]') ? f[1].slice(2) : f[1] === 'map<Quantity>' ? 'Quantity' : f[1];
      if (DEFINITIONS[t]) visit(t);
    }
  };
  for (const r of roots) visit(r);
  return [...seen].sort();
}

// ---------------------------------------------------------------- paths

const Q = (name: string, description: string, type = 'string'): Json => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const P = (name: string, description: string): Json => ({ name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } });
const PARAMS = {
  pretty: Q('pretty', "If 'true', then the output is pretty printed."),
  dryRun: Q('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: All.'),
  fieldManager: Q('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: Q('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.'),
  force: Q('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.', 'boolean'),
  labelSelector: Q('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  fieldSelector: Q('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  limit: Q('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  continue: Q('continue', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: Q('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: Q('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  watch: Q('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  allowWatchBookmarks: Q('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  timeoutSeconds: Q('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  sendInitialEvents: Q('sendInitialEvents', 'sendInitialEvents=true may be set together with watch=true.', 'boolean'),
  gracePeriodSeconds: Q('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
  propagationPolicy: Q('propagationPolicy', "Whether and how garbage collection will be performed: 'Orphan', 'Background', 'Foreground'."),
  name: P('name', 'name of the resource'),
  namespace: P('namespace', 'object name and auth scope, such as for teams and projects'),
};
const LIST_PARAMS = [PARAMS.allowWatchBookmarks, PARAMS.continue, PARAMS.fieldSelector, PARAMS.labelSelector, PARAMS.limit,
  PARAMS.resourceVersion, PARAMS.resourceVersionMatch, PARAMS.sendInitialEvents, PARAMS.timeoutSeconds, PARAMS.watch];
const WRITE_PARAMS = [PARAMS.dryRun, PARAMS.fieldManager, PARAMS.fieldValidation];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const RESPONSE_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

interface Gvk { group: string; version: string; kind: string }
function op(id: string, action: string, gvk: Gvk, params: Json[], bodyRef: string | undefined, respRef: string, patch = false, style: RefStyle = 'v3'): Json {
  const ref = (short: string): string => refTo(short, style);
  const o: Json = {
    description: `${action} ${gvk.kind}`,
    operationId: id,
    parameters: params,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    tags: [gvk.group ? `${gvk.group.split('.')[0]}_${gvk.version}` : `core_${gvk.version}`],
  };
  if (style === 'v3') {
    if (bodyRef) {
      const types = patch ? PATCH_TYPES : ['*/*'];
      o.requestBody = { required: true, content: Object.fromEntries(types.map((t) => [t, { schema: { $ref: ref(bodyRef) } }])) };
    }
    o.responses = {
      200: { description: 'OK', content: Object.fromEntries(RESPONSE_TYPES.map((t) => [t, { schema: { $ref: ref(respRef) } }])) },
      401: { description: 'Unauthorized' },
    };
  } else {
    if (bodyRef) o.parameters = [...params, { name: 'body', in: 'body', required: true, schema: { $ref: ref(bodyRef) } }];
    o.consumes = patch ? PATCH_TYPES : ['*/*'];
    o.produces = RESPONSE_TYPES;
    o.schemes = ['https'];
    o.responses = { 200: { description: 'OK', schema: { $ref: ref(respRef) } }, 401: { description: 'Unauthorized' } };
    o.parameters = (o.parameters as Json[]).map(v2Param);
  }
  return o;
}
function v2Param(p: Json): Json {
  if (!isObj(p.schema) || p.in === 'body') return p;
  const { schema, ...rest } = p;
  return { ...rest, ...schema };
}

function groupPrefix(k: KindSemantics): string {
  return k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
}
function opId(verb: string, k: KindSemantics, suffix = ''): string {
  const gv = k.group === '' ? `Core${k.version.toUpperCase()}` : `${k.group.split('.')[0]!.replace(/^./, (c) => c.toUpperCase())}${k.version.toUpperCase()}`;
  return `${verb}${gv}${k.namespaced ? 'Namespaced' : ''}${k.kind}${suffix}`;
}

function resourcePaths(k: KindSemantics, style: RefStyle): Json {
  const gvk: Gvk = { group: k.group, version: k.version, kind: k.kind };
  const paths: Json = {};
  const base = groupPrefix(k);
  const coll = k.namespaced ? `${base}/namespaces/{namespace}/${k.resource}` : `${base}/${k.resource}`;
  const item = `${coll}/{name}`;
  const scope = k.namespaced ? [PARAMS.namespace] : [];
  const kindShort = k.kind === 'EndpointSlice' ? 'EndpointSlice' : k.kind;
  const list = `${kindShort}List`;
  paths[coll] = {
    get: op(opId('list', k), 'list', gvk, [...LIST_PARAMS], undefined, list, false, style),
    post: op(opId('create', k), 'post', gvk, [...WRITE_PARAMS], kindShort, kindShort, false, style),
    delete: op(opId('deletecollection', k), 'deletecollection', gvk, [...WRITE_PARAMS, ...LIST_PARAMS, PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy], undefined, 'ListMeta', false, style),
    parameters: [...scope, PARAMS.pretty],
  };
  paths[item] = {
    get: op(opId('read', k), 'get', gvk, [], undefined, kindShort, false, style),
    put: op(opId('replace', k), 'put', gvk, [...WRITE_PARAMS], kindShort, kindShort, false, style),
    patch: op(opId('patch', k), 'patch', gvk, [...WRITE_PARAMS, PARAMS.force], 'Patch', kindShort, true, style),
    delete: op(opId('delete', k), 'delete', gvk, [PARAMS.dryRun, PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy], undefined, kindShort, false, style),
    parameters: [PARAMS.name, ...scope, PARAMS.pretty],
  };
  if (k.namespaced) {
    paths[`${base}/${k.resource}`] = {
      get: op(opId('list', k, 'ForAllNamespaces').replace('Namespaced', ''), 'list', gvk, [...LIST_PARAMS], undefined, list, false, style),
      parameters: [PARAMS.pretty],
    };
  }
  if (k.subresources.includes('status')) {
    paths[`${item}/status`] = {
      get: op(opId('read', k, 'Status'), 'get', gvk, [], undefined, kindShort, false, style),
      put: op(opId('replace', k, 'Status'), 'put', gvk, [...WRITE_PARAMS], kindShort, kindShort, false, style),
      patch: op(opId('patch', k, 'Status'), 'patch', gvk, [...WRITE_PARAMS, PARAMS.force], 'Patch', kindShort, true, style),
      parameters: [PARAMS.name, ...scope, PARAMS.pretty],
    };
  }
  if (k.subresources.includes('scale')) {
    const sg: Gvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    paths[`${item}/scale`] = {
      get: op(opId('read', k, 'Scale'), 'get', sg, [], undefined, 'Scale', false, style),
      put: op(opId('replace', k, 'Scale'), 'put', sg, [...WRITE_PARAMS], 'Scale', 'Scale', false, style),
      patch: op(opId('patch', k, 'Scale'), 'patch', sg, [...WRITE_PARAMS, PARAMS.force], 'Patch', 'Scale', true, style),
      parameters: [PARAMS.name, ...scope, PARAMS.pretty],
    };
  }
  if (style === 'v2') {
    // Swagger 2.0 has no `schema` on non-body parameters: path-level ones too carry type inline
    for (const item of Object.values(paths)) if (isObj(item) && Array.isArray(item.parameters)) item.parameters = (item.parameters as Json[]).map(v2Param);
  }
  return paths;
}

// ---------------------------------------------------------------- documents

const INFO = { title: 'Kubernetes', version: 'v1.32.0' };

/** Documents contributed beyond the built-in field table (custom resources' schemas). */
export interface OpenApiExtension {
  /** Swagger 2.0 definitions (full name → schema) and paths to add to /openapi/v2. */
  v2(): { definitions: Json; paths: Json };
  /** Group-version paths ('apis/example.com/v1') the extension serves under /openapi/v3. */
  v3GroupVersions(): string[];
  /** The /openapi/v3/<gv> document of one of those. */
  v3(gvPath: string): Json | undefined;
}
let extension: OpenApiExtension | undefined;
const invalidated: (() => void)[] = [];
/** Installs the extension (replacing any before) and drops every rendered document. */
export function setOpenApiExtension(e: OpenApiExtension): void { extension = e; invalidateOpenApi(); }
/** Drops cached documents (the served kinds changed). */
export function invalidateOpenApi(): void {
  v2Cache = undefined;
  v3Cache.clear();
  for (const l of invalidated) l();
}
/** Called after invalidateOpenApi (the HTTP layer drops its rendered bodies). */
export function onOpenApiInvalidated(l: () => void): void { invalidated.push(l); }

/** Schemas (full name → schema) of built-in definitions and everything they reference, e.g. ['ObjectMeta']. */
export function builtinDefinitions(roots: string[], style: RefStyle): Json {
  const out: Json = {};
  for (const short of closure(roots)) out[DEFINITIONS[short]!.full] = definitionSchema(DEFINITIONS[short]!, style);
  return out;
}
/** The built-in kinds the field table describes (custom kinds come from the extension). */
const builtinKinds = (): KindSemantics[] => allKinds.filter((k) => !k.custom && DEFINITIONS[k.kind]);

/** The group-version paths served under /openapi/v3 ('api/v1', 'apis/apps/v1', …). */
export function groupVersionPaths(): string[] {
  return [...new Set([...builtinKinds().map((k) => (k.group === '' ? `api/${k.version}` : `apis/${k.group}/${k.version}`)), ...(extension?.v3GroupVersions() ?? [])])].sort();
}
function kindsOf(gvPath: string): KindSemantics[] {
  return builtinKinds().filter((k) => (k.group === '' ? `api/${k.version}` : `apis/${k.group}/${k.version}`) === gvPath);
}
function rootsFor(kinds: KindSemantics[]): string[] {
  const roots = ['Patch', 'ListMeta'];
  for (const k of kinds) {
    roots.push(k.kind, `${k.kind}List`);
    if (k.subresources.includes('scale')) roots.push('Scale');
  }
  return roots.filter((r) => DEFINITIONS[r]);
}

const v3Cache = new Map<string, Json>();
/** The OpenAPI v3 document of one group-version ('api/v1', 'apis/apps/v1'); undefined if not served. */
export function openapiV3(gvPath: string): Json | undefined {
  const key = gvPath.replace(/^\/+/, '').replace(/^openapi\/v3\//, '');
  const cached = v3Cache.get(key);
  if (cached) return cached;
  const kinds = kindsOf(key);
  if (kinds.length === 0) {
    const ext = extension?.v3(key);
    if (ext) v3Cache.set(key, ext);
    return ext;
  }
  const schemas: Json = {};
  for (const short of closure(rootsFor(kinds))) schemas[DEFINITIONS[short]!.full] = definitionSchema(DEFINITIONS[short]!, 'v3');
  let paths: Json = {};
  for (const k of kinds) paths = { ...paths, ...resourcePaths(k, 'v3') };
  const doc: Json = { openapi: '3.0.0', info: INFO, paths, components: { schemas } };
  v3Cache.set(key, doc);
  return doc;
}

/** Stable hash of a document (the `hash` query parameter and ETag of /openapi/v3/<gv>). */
function documentHash(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase().slice(0, 128);
}

/** /openapi/v3: `{ paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=…' } } }` as a flat map. */
export function openapiV3Paths(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const gv of groupVersionPaths()) out[gv] = `/openapi/v3/${gv}?hash=${documentHash(openapiV3(gv))}`;
  return out;
}
/** The /openapi/v3 discovery body as upstream serves it. */
export function openapiV3Discovery(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [gv, url] of Object.entries(openapiV3Paths())) paths[gv] = { serverRelativeURL: url };
  return { paths };
}

let v2Cache: Json | undefined;
/** The Swagger 2.0 document of /openapi/v2 (JSON). */
export function openapiV2(): Json {
  if (v2Cache) return v2Cache;
  const definitions: Json = {};
  for (const short of closure(rootsFor(builtinKinds()))) definitions[DEFINITIONS[short]!.full] = definitionSchema(DEFINITIONS[short]!, 'v2');
  let paths: Json = {};
  for (const k of builtinKinds()) paths = { ...paths, ...resourcePaths(k, 'v2') };
  if (extension) {
    const ext = extension.v2();
    Object.assign(definitions, ext.definitions);
    paths = { ...paths, ...ext.paths };
  }
  v2Cache = { swagger: '2.0', info: INFO, paths, definitions, security: [{ BearerToken: [] }], securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } } };
  return v2Cache;
}

// ---------------------------------------------------------------- strict field validation

function defForGvk(group: string, version: string, kind: string): Definition | undefined {
  return Object.values(DEFINITIONS).find((d) => d.gvk && d.gvk.group === group && d.gvk.version === version && d.gvk.kind === kind);
}

function walk(value: unknown, type: string, path: string, out: string[]): void {
  if (type.startsWith('[]')) {
    if (!Array.isArray(value)) return;
    const item = type.slice(2);
    value.forEach((v, i) => walk(v, item, `${path}[${i}]`, out));
    return;
  }
  const def = DEFINITIONS[type];
  if (!def || !def.fields || !isObj(value)) return;
  const known = new Map<string, FieldTuple>(def.fields.map((f) => [f[0], f]));
  for (const [k, v] of Object.entries(value)) {
    const f = known.get(k);
    const p = path ? `${path}.${k}` : k;
    if (!f) {
      if (k.startsWith('$')) continue;
      out.push(p);
      continue;
    }
    walk(v, f[1], p, out);
  }
}

/**
 * Fields of `obj` its schema does not define, as paths like `spec.template.spec.containers[0].foo`
 * (upstream reports them as `unknown field "<path>"`). Free-form maps are not inspected.
 */
export function unknownFields(obj: unknown): string[] {
  if (!isObj(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return [];
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') as [string, string] : ['', obj.apiVersion];
  const def = defForGvk(group, version, obj.kind);
  if (!def) return [];
  const short = SHORT_BY_FULL.get(def.full)!;
  const out: string[] = [];
  walk(obj, short, '', out);
  return out;
}

/** Upstream's strict decoding message: `strict decoding error: unknown field "spec.foo", unknown field "x"`. */
export function strictDecodingMessage(fields: string[]): string {
  return `strict decoding error: ${fields.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`;
}
