/**
 * The pinned copy of upstream's OpenAPI v3 documents (third_party/kubernetes-openapi/<tag>/v3/,
 * one gzipped JSON per group-version, as kube-apiserver serves them under /openapi/v3/<gv>):
 * loaded lazily, once, and read-only. Everything else that needs a built-in kind's schema (the
 * served /openapi/v2 and /openapi/v3 documents, strict field validation, strategic-merge-patch and
 * server-side-apply list semantics) reads it from here, so there is one source.
 *
 * This module imports nothing of the API machinery (kinds import it for their patch metadata).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PodnetError } from '../../util/errors.js';

export type Json = Record<string, unknown>;
export const isJsonObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The upstream release the pinned documents come from. */
export const UPSTREAM_TAG = 'v1.32';
export const UPSTREAM_VERSION = 'v1.32.0';
const V3_PREFIX = '#/components/schemas/';

/** The pinned documents are missing or unreadable (a broken checkout). */
export class PinnedSpecError extends PodnetError {
  constructor(message: string) {
    super('EPINNEDSPEC', message);
  }
}

function specDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'third_party', 'kubernetes-openapi', UPSTREAM_TAG, 'v3');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new PinnedSpecError(`third_party/kubernetes-openapi/${UPSTREAM_TAG}/v3 not found above ${fileURLToPath(import.meta.url)}`);
}

/** 'api/v1' → 'api__v1_openapi.json.gz' (upstream's file naming under api/openapi-spec/v3). */
const fileOf = (gvPath: string): string => `${gvPath.split('/').join('__')}_openapi.json.gz`;

const docs = new Map<string, Json | null>();
/** Upstream's /openapi/v3/<gvPath> document ('api/v1', 'apis/apps/v1'), or undefined if not pinned. */
export function upstreamDocument(gvPath: string): Json | undefined {
  if (docs.has(gvPath)) return docs.get(gvPath) ?? undefined;
  const file = join(specDir(), fileOf(gvPath));
  let doc: Json | null = null;
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
      if (!isJsonObject(parsed)) throw new Error('not a JSON object');
      doc = parsed;
    } catch (e) {
      throw new PinnedSpecError(`${file}: ${(e as Error).message}`);
    }
  }
  docs.set(gvPath, doc);
  return doc ?? undefined;
}

export const gvPathOf = (group: string, version: string): string => (group === '' ? `api/${version}` : `apis/${group}/${version}`);

/** The component schemas of one group-version's document (full name → schema). */
export function upstreamSchemas(gvPath: string): Json {
  const doc = upstreamDocument(gvPath);
  const comps = doc && isJsonObject(doc.components) ? doc.components : {};
  return isJsonObject(comps.schemas) ? comps.schemas : {};
}

/** The full definition name a `$ref` points at ('#/components/schemas/X' or '#/definitions/X' → X). */
export function refName(ref: string): string {
  return ref.replace(/^#\/(components\/schemas|definitions)\//, '');
}

/** The `$ref` a schema stands for: `{ $ref }` itself or upstream's v3 wrapping `{ allOf: [{ $ref }] }`. */
export function refOf(s: Json): string | undefined {
  if (typeof s.$ref === 'string') return refName(s.$ref);
  if (Array.isArray(s.allOf) && s.allOf.length === 1 && isJsonObject(s.allOf[0]) && typeof s.allOf[0].$ref === 'string') return refName(s.allOf[0].$ref);
  return undefined;
}

/** The definition whose x-kubernetes-group-version-kind names this kind, with its full name. */
export function definitionForKind(group: string, version: string, kind: string): { name: string; schema: Json; schemas: Json } | undefined {
  const schemas = upstreamSchemas(gvPathOf(group, version));
  for (const [name, s] of Object.entries(schemas)) {
    if (!isJsonObject(s) || !Array.isArray(s['x-kubernetes-group-version-kind'])) continue;
    for (const g of s['x-kubernetes-group-version-kind']) {
      if (isJsonObject(g) && g.group === group && g.version === version && g.kind === kind) return { name, schema: s, schemas };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- list and patch semantics

/** One list's or struct's merge semantics, as the x-kubernetes-* extensions of the pinned spec say. */
export interface UpstreamPatchEntry {
  strategy: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
  mergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  /** Defaults of the list-map key fields (ContainerPort.protocol: TCP), as the schema declares them. */
  listMapKeyDefaults?: Record<string, unknown>;
  atomic?: boolean;
}

function resolve(s: Json, schemas: Json): { schema: Json; name?: string } {
  const name = refOf(s);
  if (!name) return { schema: s };
  const target = schemas[name];
  return { schema: isJsonObject(target) ? target : {}, name };
}

/**
 * Every path of a kind's schema that carries merge semantics, in the dotted form strategic merge
 * patch and server-side apply use (`spec.template.spec.containers[].ports`): patch strategy and
 * merge key (x-kubernetes-patch-strategy / -merge-key), list type and keys (x-kubernetes-list-type /
 * -list-map-keys), atomic maps and structs (x-kubernetes-map-type: atomic). Recursive types stop at
 * their first repetition on a path (JSONSchemaProps), so the walk is finite.
 */
export function patchEntriesFor(group: string, version: string, kind: string): Record<string, UpstreamPatchEntry> | undefined {
  const def = definitionForKind(group, version, kind);
  if (!def) return undefined;
  const out: Record<string, UpstreamPatchEntry> = {};
  const walk = (raw: Json, path: string, stack: string[]): void => {
    const { schema, name } = resolve(raw, def.schemas);
    if (name && stack.includes(name)) return;
    const nextStack = name ? [...stack, name] : stack;
    const strategy = (raw['x-kubernetes-patch-strategy'] ?? schema['x-kubernetes-patch-strategy']) as string | undefined;
    const mergeKey = (raw['x-kubernetes-patch-merge-key'] ?? schema['x-kubernetes-patch-merge-key']) as string | undefined;
    const mapType = raw['x-kubernetes-map-type'] ?? schema['x-kubernetes-map-type'];
    if (schema.type === 'array') {
      const listType = schema['x-kubernetes-list-type'] as UpstreamPatchEntry['listType'] | undefined;
      const keys = Array.isArray(schema['x-kubernetes-list-map-keys']) ? (schema['x-kubernetes-list-map-keys'] as string[]) : undefined;
      if (strategy || listType) {
        const e: UpstreamPatchEntry = { strategy: normStrategy(strategy) };
        if (mergeKey) e.mergeKey = mergeKey;
        if (listType) e.listType = listType;
        if (keys) e.listMapKeys = keys;
        if (keys && isJsonObject(schema.items)) {
          const item = resolve(schema.items, def.schemas).schema;
          const props = isJsonObject(item.properties) ? item.properties : {};
          const defaults: Record<string, unknown> = {};
          for (const k of keys) {
            const p = props[k];
            if (isJsonObject(p) && p.default !== undefined) defaults[k] = p.default;
          }
          if (Object.keys(defaults).length) e.listMapKeyDefaults = defaults;
        }
        out[path] = e;
      }
      if (isJsonObject(schema.items)) walk(schema.items, `${path}[]`, nextStack);
      return;
    }
    if (path && (strategy || mapType === 'atomic')) {
      const e: UpstreamPatchEntry = { strategy: normStrategy(strategy) };
      if (mapType === 'atomic') e.atomic = true;
      out[path] = e;
    }
    if (isJsonObject(schema.properties)) {
      for (const [k, v] of Object.entries(schema.properties)) if (isJsonObject(v)) walk(v, path ? `${path}.${k}` : k, nextStack);
    }
  };
  walk(def.schema, '', [def.name]);
  return out;
}

function normStrategy(s: string | undefined): UpstreamPatchEntry['strategy'] {
  if (!s) return 'replace';
  const parts = s.split(',').map((x) => x.trim()).sort();
  if (parts.includes('merge') && parts.includes('retainKeys')) return 'merge,retainKeys';
  if (parts.includes('merge')) return 'merge';
  if (parts.includes('retainKeys')) return 'retainKeys';
  return 'replace';
}

export { V3_PREFIX };
