/**
 * Pieces every kind shares: upstream's HumanDuration/translateTimestampSince for AGE cells,
 * ObjectMeta validation (ValidateObjectMeta / ValidateObjectMetaUpdate), column helpers and a
 * builder that turns a per-kind description into a KindSemantics.
 */
import type { FieldError, KObject, KindSemantics, PatchMeta, TableColumnDefinition, TableRow } from './types.js';
import {
  asArr, asObj, asStr, forbidden, invalid, isDNS1035Label, isDNS1123Label, isPathSegmentName, isDNS1123Subdomain, isObj, isQualifiedName,
  required, validateAnnotations, validateLabels,
} from '../validation/index.js';
import { patchEntriesFor } from '../openapi/upstream.js';

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** printers.translateTimestampSince: `<unknown>` for a missing timestamp. */
export function translateTimestampSince(ts: unknown, now: Date): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

// ---------------------------------------------------------------- table columns

const NAME_DESC = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
export const AGE_DESC = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.';

export function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}
export const nameCol = (): TableColumnDefinition => col('Name', 'string', NAME_DESC, 0, 'name');
export const ageCol = (): TableColumnDefinition => col('Age', 'string', AGE_DESC);


// ---------------------------------------------------------------- metadata validation

export type NameValidator = (name: string, prefix: boolean) => string[];
/** Upstream masks a trailing '-' of generateName before validating it as a name. */
function maskTrailingDash(n: string): string {
  return n.length > 1 && n.endsWith('-') ? `${n.slice(0, -1)}a` : n;
}
export const nameIsDNSSubdomain: NameValidator = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameValidator = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameValidator = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);
export const nameIsPathSegment: NameValidator = (n, prefix) => (prefix ? [] : isPathSegmentName(n));

function validateObjectMeta(obj: KObject, namespaced: boolean, nameFn: NameValidator): FieldError[] {
  const errs: FieldError[] = [];
  const md = isObj(obj.metadata) ? obj.metadata : ({} as KObject['metadata']);
  const name = md.name;
  const gen = md.generateName;
  if (typeof gen === 'string' && gen !== '') {
    for (const m of nameFn(gen, true)) errs.push(invalid('metadata.generateName', gen, m));
  }
  if (name === undefined || name === '') {
    if (!gen) errs.push(required('metadata.name', 'name or generateName is required'));
  } else if (typeof name !== 'string') {
    errs.push(invalid('metadata.name', name, 'must be a string'));
  } else {
    for (const m of nameFn(name, false)) errs.push(invalid('metadata.name', name, m));
  }
  if (namespaced) {
    const ns = md.namespace;
    if (!ns) errs.push(required('metadata.namespace'));
    else for (const m of isDNS1123Label(ns)) errs.push(invalid('metadata.namespace', ns, m));
  } else if (md.namespace) {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (md.generation !== undefined && (typeof md.generation !== 'number' || md.generation < 0)) {
    errs.push(invalid('metadata.generation', md.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(md.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(md.annotations, 'metadata.annotations'));
  asArr(md.ownerReferences).forEach((r, i) => {
    const ref = asObj(r);
    const p = `metadata.ownerReferences[${i}]`;
    if (!asStr(ref.apiVersion)) errs.push(invalid(`${p}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!asStr(ref.kind)) errs.push(invalid(`${p}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!asStr(ref.name)) errs.push(invalid(`${p}.name`, ref.name ?? '', 'name must not be empty'));
    if (!asStr(ref.uid)) errs.push(invalid(`${p}.uid`, ref.uid ?? '', 'uid must not be empty'));
  });
  const controllers = asArr(md.ownerReferences).filter((r) => asObj(r).controller === true);
  if (controllers.length > 1) {
    errs.push(invalid('metadata.ownerReferences', md.ownerReferences, 'Only one reference can have Controller set to true.'));
  }
  const seen = new Set<string>();
  asArr(md.finalizers).forEach((f, i) => {
    const s = asStr(f);
    for (const m of isQualifiedName(s)) errs.push(invalid(`metadata.finalizers`, s, m));
    if (seen.has(s)) errs.push({ type: 'FieldValueDuplicate', field: `metadata.finalizers[${i}]`, message: `Duplicate value: ${JSON.stringify(s)}` });
    seen.add(s);
  });
  return errs;
}

function validateObjectMetaUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const n = obj.metadata ?? {};
  const o = old.metadata ?? {};
  const immutable = (f: 'name' | 'namespace' | 'uid' | 'creationTimestamp'): void => {
    if (n[f] !== undefined && n[f] !== '' && o[f] !== undefined && n[f] !== o[f]) {
      errs.push(invalid(`metadata.${f}`, n[f], 'field is immutable'));
    }
  };
  immutable('name');
  immutable('namespace');
  immutable('uid');
  immutable('creationTimestamp');
  if (o.deletionTimestamp && n.finalizers) {
    // finalizers may only be removed from an object being deleted
    const oldF = new Set(o.finalizers ?? []);
    for (const f of n.finalizers) {
      if (!oldF.has(f)) errs.push(forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${JSON.stringify(f)}}`));
    }
  }
  return errs;
}

// ---------------------------------------------------------------- the builder

export interface KindSpec {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  nameFn: NameValidator;
  defaults?: (obj: KObject) => void;
  validateSpec?: (obj: KObject, old?: KObject) => FieldError[];
  table: KindSemantics['table'];
  fields?: (obj: KObject) => Record<string, string>;
  patchMeta?: PatchMeta;
  hasGeneration?: boolean;
}

/** Meta list merge keys every kind shares (ObjectMeta tags). */
const META_PATCH: PatchMeta = {
  'metadata.finalizers': { strategy: 'merge' },
  'metadata.ownerReferences': { strategy: 'merge', mergeKey: 'uid' },
};
/** Prefix every path of a relative PatchMeta. */
export function prefixMeta(prefix: string, m: PatchMeta): PatchMeta {
  const out: PatchMeta = {};
  for (const [k, v] of Object.entries(m)) out[`${prefix}.${k}`] = v;
  return out;
}

export function defineKind(s: KindSpec): KindSemantics {
  const singular = s.kind.toLowerCase();
  let patchMetaCache: PatchMeta | undefined;
  return {
    group: s.group,
    version: s.version,
    kind: s.kind,
    resource: s.resource,
    singular,
    listKind: `${s.kind}List`,
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    subresources: s.subresources ?? [],
    defaults(obj: KObject): void {
      if (!isObj(obj.metadata)) (obj as { metadata: object }).metadata = {};
      s.defaults?.(obj);
    },
    validate(obj: KObject, old?: KObject): FieldError[] {
      const errs = validateObjectMeta(obj, s.namespaced, s.nameFn);
      if (old) errs.push(...validateObjectMetaUpdate(obj, old));
      if (s.validateSpec) errs.push(...s.validateSpec(obj, old));
      return errs;
    },
    table: s.table,
    selectableFields(obj: KObject): Record<string, string> {
      // cluster-scoped objects answer '' for metadata.namespace (so `metadata.namespace=` selects all)
      const base: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '', 'metadata.namespace': s.namespaced ? obj.metadata?.namespace ?? '' : '' };
      return { ...base, ...(s.fields ? s.fields(obj) : {}) };
    },
    // built-in kinds: from the pinned upstream spec (the one source of merge keys, patch strategies
    // and list types), read on first use; kinds upstream does not define keep their own table
    get patchMeta(): PatchMeta {
      patchMetaCache ??= patchEntriesFor(s.group, s.version, s.kind) ?? { ...META_PATCH, ...(s.patchMeta ?? {}) };
      return patchMetaCache;
    },
    hasGeneration: s.hasGeneration ?? false,
  };
}

/** Typed view of a nested field without `any`. */
export function get(o: unknown, ...path: string[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** A table whose rows are `cells(object)` under fixed columns. */
export function simpleTable(
  columns: TableColumnDefinition[],
  cells: (o: KObject, now: Date) => unknown[],
): KindSemantics['table'] {
  return (items: KObject[], now: Date) => ({
    columnDefinitions: columns,
    rows: items.map((o): TableRow => ({ cells: cells(o, now), object: o })),
  });
}
