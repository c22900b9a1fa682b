/**
 * The OpenAPI documents the API server serves, cut from the pinned copy of upstream's spec
 * (./upstream.ts, third_party/kubernetes-openapi/) down to what this server actually serves:
 * - `openapiV3(gvPath)`: upstream's /openapi/v3/<gv> document with only the paths of served
 *   resources and subresources, and the schemas those reach (`kubectl explain`, `kubectl apply`);
 * - `openapiV3Paths()` / `openapiV3Discovery()`: the /openapi/v3 map ('api/v1' → '…?hash=…');
 * - `openapiV2()`: the Swagger 2.0 document of /openapi/v2, generated from the same v3 documents
 *   the way kube-openapi writes v2 (plain `$ref`s, body parameters, consumes/produces);
 * - `unknownFields(obj)`: paths of fields the schema does not define (strict field validation).
 * Custom resources' documents come from an extension (src/api/crd/openapi.ts) merged in.
 */
import { createHash } from 'node:crypto';
import { allKinds } from '../kinds/index.js';
import type { KindSemantics } from '../kinds/types.js';
import { REVIEW_PATHS } from '../authz/reviews.js';
import { definitionForKind, gvPathOf, isJsonObject as isObj, refName, refOf, upstreamDocument, upstreamSchemas, UPSTREAM_VERSION, type Json } from './upstream.js';

export type RefStyle = 'v2' | 'v3';

/** Documents contributed beyond the pinned upstream spec (custom resources' schemas). */
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

// ---------------------------------------------------------------- what is served

const builtinKinds = (): KindSemantics[] => allKinds.filter((k) => !k.custom && upstreamDocument(gvPathOf(k.group, k.version)));

/** Review resources (create-only, nothing stored) per group-version path. */
function reviewResources(gvPath: string): Set<string> {
  const out = new Set<string>();
  for (const [gr, r] of Object.entries(REVIEW_PATHS)) {
    const [group, resource] = gr.split('/') as [string, string];
    for (const v of r.versions) if (gvPathOf(group, v) === gvPath && upstreamDocument(gvPath)) out.add(resource);
  }
  return out;
}

/** The group-version paths served under /openapi/v3 ('api/v1', 'apis/apps/v1', …). */
export function groupVersionPaths(): string[] {
  const gvs = new Set(builtinKinds().map((k) => gvPathOf(k.group, k.version)));
  for (const [gr, r] of Object.entries(REVIEW_PATHS)) {
    const group = gr.split('/')[0]!;
    for (const v of r.versions) if (upstreamDocument(gvPathOf(group, v))) gvs.add(gvPathOf(group, v));
  }
  for (const gv of extension?.v3GroupVersions() ?? []) gvs.add(gv);
  return [...gvs].sort();
}

/**
 * Whether this server serves an upstream path of group-version `gvPath`: the group-version root,
 * collections and items of served resources, their served subresources (incl. proxy/{path}), and
 * review resources. Upstream's deprecated /watch/ paths and unserved kinds are left out.
 */
export function servesPath(gvPath: string, path: string): boolean {
  const prefix = `/${gvPath}`;
  if (path === `${prefix}/`) return true;
  if (!path.startsWith(`${prefix}/`)) return false;
  let rest = path.slice(prefix.length + 1).split('/');
  if (rest[0] === 'watch') return false;
  const kinds = builtinKinds().filter((k) => gvPathOf(k.group, k.version) === gvPath);
  let namespacedForm = false;
  if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length > 2) { rest = rest.slice(2); namespacedForm = true; }
  const resource = rest[0]!;
  if (reviewResources(gvPath).has(resource)) return rest.length === 1 && !namespacedForm;
  const k = kinds.find((x) => x.resource === resource);
  if (!k) return false;
  if (namespacedForm && !k.namespaced) return false;
  if (rest.length === 1) return true;
  if (rest[1] !== '{name}') return false;
  if (rest.length === 2) return !k.namespaced || namespacedForm;
  return k.subresources.includes(rest[2]!) && (!k.namespaced || namespacedForm);
}

/** Every `$ref` target below `v`. */
function refsIn(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) { for (const x of v) refsIn(x, out); return; }
  if (!isObj(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (k === '$ref' && typeof x === 'string') out.add(refName(x));
    else refsIn(x, out);
  }
}
/** Names of the schemas reachable from `roots` (closure over $ref). */
function closure(roots: Iterable<string>, schemas: Json): string[] {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length) {
    const n = todo.pop()!;
    if (seen.has(n) || !isObj(schemas[n])) continue;
    seen.add(n);
    const refs = new Set<string>();
    refsIn(schemas[n], refs);
    todo.push(...refs);
  }
  return [...seen].sort();
}

/** Media types this server does not speak (upstream 1.32 lists CBOR for apply) are left out. */
function dropUnservedMedia(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropUnservedMedia);
  if (!isObj(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.includes('cbor')) continue;
    out[k] = dropUnservedMedia(x);
  }
  return out;
}

// ---------------------------------------------------------------- v3

const v3Cache = new Map<string, Json>();
/** The OpenAPI v3 document of one group-version ('api/v1', 'apis/apps/v1'); undefined if not served. */
export function openapiV3(gvPath: string): Json | undefined {
  const key = gvPath.replace(/^\/+/, '').replace(/^openapi\/v3\//, '');
  const cached = v3Cache.get(key);
  if (cached) return cached;
  const upstream = groupVersionPaths().includes(key) ? upstreamDocument(key) : undefined;
  if (!upstream) {
    const ext = extension?.v3(key);
    if (ext) v3Cache.set(key, ext);
    return ext;
  }
  const upPaths = isObj(upstream.paths) ? upstream.paths : {};
  const paths: Json = {};
  for (const [p, item] of Object.entries(upPaths)) if (servesPath(key, p)) paths[p] = dropUnservedMedia(item);
  const refs = new Set<string>();
  refsIn(paths, refs);
  const all = upstreamSchemas(key);
  const schemas: Json = {};
  for (const n of closure(refs, all)) schemas[n] = all[n];
  const components = isObj(upstream.components) ? upstream.components : {};
  const doc: Json = {
    openapi: upstream.openapi ?? '3.0.0', info: upstream.info ?? { title: 'Kubernetes', version: 'unversioned' }, paths,
    components: { schemas, ...(components.securitySchemes ? { securitySchemes: components.securitySchemes } : {}) },
  };
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
  for (const gv of groupVersionPaths()) {
    const doc = openapiV3(gv);
    if (doc) out[gv] = `/openapi/v3/${gv}?hash=${documentHash(doc)}`;
  }
  return out;
}
/** The /openapi/v3 discovery body as upstream serves it. */
export function openapiV3Discovery(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [gv, url] of Object.entries(openapiV3Paths())) paths[gv] = { serverRelativeURL: url };
  return { paths };
}

// ---------------------------------------------------------------- v2 (generated from v3)

/** Swagger 2.0 schema keys (besides x- extensions); anything else of v3 is dropped as kube-openapi does. */
const V2_SCHEMA_KEYS = new Set(['$ref', 'format', 'title', 'description', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required', 'enum',
  'additionalProperties', 'type', 'items', 'allOf', 'properties', 'readOnly', 'example', 'multipleOf']);

/** One v3 schema in Swagger 2.0 form: `allOf: [{$ref}]` wrappers become `$ref`, `oneOf` scalars (IntOrString, Quantity) a string. */
export function schemaToV2(s: unknown): unknown {
  if (!isObj(s)) return s;
  const out: Json = {};
  const ref = refOf(s);
  if (ref && Array.isArray(s.allOf)) out.$ref = `#/definitions/${ref}`;
  if (Array.isArray(s.oneOf) && !s.type) out.type = 'string';
  for (const [k, v] of Object.entries(s)) {
    if (k === 'allOf' && ref) continue;
    if (k === 'default' && ref && isObj(v) && Object.keys(v).length === 0) continue;
    if (!V2_SCHEMA_KEYS.has(k) && !k.startsWith('x-')) continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = `#/definitions/${refName(v)}`;
    else if (k === 'properties' && isObj(v)) out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, schemaToV2(pv)]));
    else if ((k === 'items' || k === 'additionalProperties') && isObj(v)) out[k] = schemaToV2(v);
    else if (k === 'allOf' && Array.isArray(v)) out[k] = v.map(schemaToV2);
    else out[k] = v;
  }
  return out;
}

function paramToV2(p: unknown): unknown {
  if (!isObj(p)) return p;
  const { schema, ...rest } = p;
  return isObj(schema) ? { ...rest, ...schema } : rest;
}

function operationToV2(o: Json): Json {
  const out: Json = {};
  const produces = new Set<string>();
  let body: Json | undefined;
  let consumes: string[] | undefined;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'parameters' && Array.isArray(v)) out.parameters = v.map(paramToV2);
    else if (k === 'requestBody' && isObj(v) && isObj(v.content)) {
      consumes = Object.keys(v.content);
      const first = Object.values(v.content)[0];
      body = { in: 'body', name: 'body', required: true, schema: isObj(first) ? schemaToV2(first.schema) : {} };
    } else if (k === 'responses' && isObj(v)) {
      const rs: Json = {};
      for (const [code, r] of Object.entries(v)) {
        if (!isObj(r)) continue;
        const resp: Json = { description: r.description ?? '' };
        if (isObj(r.content)) {
          for (const t of Object.keys(r.content)) produces.add(t);
          const first = Object.values(r.content)[0];
          if (isObj(first) && first.schema) resp.schema = schemaToV2(first.schema);
        }
        rs[code] = resp;
      }
      out.responses = rs;
    } else out[k] = v;
  }
  if (body) out.parameters = [body, ...((out.parameters as unknown[] | undefined) ?? [])];
  out.consumes = consumes ?? ['*/*'];
  out.produces = [...produces];
  out.schemes = ['https'];
  return out;
}

function pathItemToV2(item: unknown): Json {
  const out: Json = {};
  if (!isObj(item)) return out;
  for (const [k, v] of Object.entries(item)) {
    if (k === 'parameters' && Array.isArray(v)) out.parameters = v.map(paramToV2);
    else if (isObj(v) && ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'].includes(k)) out[k] = operationToV2(v);
    else if (k.startsWith('x-')) out[k] = v;
  }
  return out;
}

let v2Cache: Json | undefined;
/** The Swagger 2.0 document of /openapi/v2 (JSON), every served group-version in one. */
export function openapiV2(): Json {
  if (v2Cache) return v2Cache;
  const definitions: Json = {};
  const paths: Json = {};
  const extGvs = new Set(extension?.v3GroupVersions() ?? []);
  for (const gv of groupVersionPaths()) {
    if (extGvs.has(gv) && !upstreamDocument(gv)) continue;
    const doc = openapiV3(gv);
    if (!doc) continue;
    const schemas = isObj(doc.components) && isObj(doc.components.schemas) ? doc.components.schemas : {};
    for (const [n, s] of Object.entries(schemas)) definitions[n] ??= schemaToV2(s);
    for (const [p, item] of Object.entries(isObj(doc.paths) ? doc.paths : {})) paths[p] = pathItemToV2(item);
  }
  if (extension) {
    const ext = extension.v2();
    Object.assign(definitions, ext.definitions);
    Object.assign(paths, ext.paths);
  }
  const sortedDefs: Json = {};
  for (const n of Object.keys(definitions).sort()) sortedDefs[n] = definitions[n];
  v2Cache = {
    swagger: '2.0', info: { title: 'Kubernetes', version: UPSTREAM_VERSION }, paths, definitions: sortedDefs,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
  return v2Cache;
}

/**
 * Schemas (full name → schema) of upstream definitions and everything they reference, by their
 * short names as in the meta and core packages (e.g. ['ObjectMeta', 'ListMeta']).
 */
export function builtinDefinitions(roots: string[], style: RefStyle): Json {
  const all = upstreamSchemas('api/v1');
  const names = Object.keys(all);
  const full = roots.map((r) => names.find((n) => n === `io.k8s.apimachinery.pkg.apis.meta.v1.${r}`) ?? names.find((n) => n.endsWith(`.${r}`))).filter((n): n is string => !!n);
  const out: Json = {};
  for (const n of closure(full, all)) out[n] = style === 'v2' ? schemaToV2(all[n]) : all[n];
  return out;
}

// ---------------------------------------------------------------- strict field validation

function walk(raw: unknown, value: unknown, schemas: Json, path: string, out: string[], depth: number): void {
  if (!isObj(raw) || depth > 64) return;
  const name = refOf(raw);
  const s = name ? schemas[name] : raw;
  if (!isObj(s) || s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    if (isObj(s.items)) value.forEach((v, i) => walk(s.items, v, schemas, `${path}[${i}]`, out, depth + 1));
    return;
  }
  if (!isObj(value)) return;
  if (isObj(s.properties)) {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      const f = s.properties[k];
      if (f === undefined) {
        if (!k.startsWith('$')) out.push(p);
        continue;
      }
      walk(f, v, schemas, p, out, depth + 1);
    }
    return;
  }
  if (isObj(s.additionalProperties)) for (const [k, v] of Object.entries(value)) walk(s.additionalProperties, v, schemas, path ? `${path}.${k}` : k, out, depth + 1);
}

/**
 * Fields of `obj` its upstream schema does not define, as paths like
 * `spec.template.spec.containers[0].foo` (upstream reports them as `unknown field "<path>"`).
 * Free-form maps (labels, data, x-kubernetes-preserve-unknown-fields) are not inspected.
 */
export function unknownFields(obj: unknown): string[] {
  if (!isObj(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return [];
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') as [string, string] : ['', obj.apiVersion];
  const def = definitionForKind(group, version, obj.kind);
  if (!def) return [];
  const out: string[] = [];
  walk(def.schema, obj, def.schemas, '', out, 0);
  return out;
}

/** Upstream's strict decoding message: `strict decoding error: unknown field "spec.foo", unknown field "x"`. */
export function strictDecodingMessage(fields: string[]): string {
  return `strict decoding error: ${fields.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`;
}
