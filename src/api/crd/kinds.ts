/**
 * The CustomResourceDefinition kind (apiextensions.k8s.io/v1) and the kinds a definition serves:
 * one KindSemantics per served version, with the version's structural schema (pruning, defaults,
 * validation), its additionalPrinterColumns as the server-side Table, status/scale subresources,
 * and list merge semantics (x-kubernetes-list-type/-list-map-keys) for apply and patch.
 */
import type { CustomKindInfo, FieldError, KindSemantics, KObject, PatchMeta, TableColumnDefinition } from '../kinds/types.js';
import { col, defineKind, nameCol, nameIsDNSSubdomain, translateTimestampSince } from '../kinds/common.js';
import { kindByResource } from '../kinds/index.js';
import { asArr, asObj, asStr, invalid, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, notSupported, required, forbidden } from '../validation/index.js';
import { applyDefaults, checkStructural, prune, validateObject, type JSONSchemaProps } from './schema.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const CRD_GROUP = 'apiextensions.k8s.io';

export interface CrdNames { plural: string; singular: string; kind: string; listKind: string; shortNames: string[]; categories: string[] }
export interface PrinterColumn { name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string }
export interface CrdVersion {
  name: string; served: boolean; storage: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumn[];
}
export interface CrdSpec { group: string; names: CrdNames; scope: 'Namespaced' | 'Cluster'; versions: CrdVersion[] }

export const crdSpec = (crd: KObject): CrdSpec => crd.spec as CrdSpec;

function condition(type: string, ok: boolean, reason: string, message: string, prev: Obj[]): Obj {
  const status = ok ? 'True' : 'False';
  const old = prev.find((c) => c.type === type);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return { type, status, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now, reason, message };
}

/** True when the definition's names are free (no built-in or other definition serves group/plural or group/kind). */
export function namesConflict(crd: KObject): string | undefined {
  const s = crdSpec(crd);
  const k = kindByResource(s.group, s.names.plural);
  if (k && k.custom?.crd !== crd.metadata.name) return `"${s.names.plural}" is already in use`;
  return undefined;
}

/** Upstream's status of an accepted definition: names accepted, established, storedVersions. */
function crdStatus(crd: KObject): void {
  const s = crdSpec(crd);
  const st = asObj(crd.status);
  const prev = asArr(st.conditions).filter(isObj);
  const conflict = namesConflict(crd);
  const storage = s.versions.find((v) => v.storage)?.name;
  const stored = asArr(st.storedVersions).filter((v): v is string => typeof v === 'string');
  if (storage && !stored.includes(storage)) stored.push(storage);
  crd.status = {
    conditions: [
      condition('NamesAccepted', !conflict, conflict ? 'NameConflict' : 'NoConflicts', conflict ?? 'no conflicts found', prev),
      condition('Established', !conflict, conflict ? 'NotAccepted' : 'InitialNamesAccepted', conflict ? 'not all names are accepted' : 'the initial names have been accepted', prev),
    ],
    acceptedNames: conflict ? (isObj(st.acceptedNames) ? st.acceptedNames : { plural: '', kind: '' }) : { ...s.names },
    storedVersions: stored,
  };
}

function defaultCrd(crd: KObject): void {
  const spec = asObj(crd.spec);
  crd.spec = spec;
  const names = asObj(spec.names);
  spec.names = names;
  if (typeof names.kind === 'string') {
    names.singular ??= names.kind.toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  for (const v of asArr(spec.versions).filter(isObj)) {
    if (typeof v.name !== 'string') continue;
  }
  if (validateCrd(crd).length === 0) crdStatus(crd);
}

const PRINTER_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];

function validateCrd(crd: KObject, old?: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(crd.spec);
  const group = asStr(spec.group);
  const names = asObj(spec.names);
  const plural = asStr(names.plural);
  if (!group) errs.push(required('spec.group'));
  else {
    if (!group.includes('.')) errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
    for (const m of isDNS1123Subdomain(group)) errs.push(invalid('spec.group', group, m));
  }
  if (!plural) errs.push(required('spec.names.plural'));
  else for (const m of isDNS1123Label(plural)) errs.push(invalid('spec.names.plural', plural, m));
  if (!asStr(names.kind)) errs.push(required('spec.names.kind'));
  if (names.singular !== undefined) for (const m of isDNS1123Label(asStr(names.singular))) errs.push(invalid('spec.names.singular', names.singular, m));
  for (const [i, sn] of asArr(names.shortNames).entries()) for (const m of isDNS1123Label(asStr(sn))) errs.push(invalid(`spec.names.shortNames[${i}]`, sn, m));
  if (crd.metadata.name && plural && group && crd.metadata.name !== `${plural}.${group}`) {
    errs.push(invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!['Namespaced', 'Cluster'].includes(asStr(spec.scope))) {
    errs.push(spec.scope === undefined ? required('spec.scope') : notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  }
  const versions = asArr(spec.versions);
  if (!versions.length) errs.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  let storage = 0;
  const seen = new Set<string>();
  versions.forEach((raw, i) => {
    const v = asObj(raw);
    const f = `spec.versions[${i}]`;
    const name = asStr(v.name);
    if (!name) errs.push(required(`${f}.name`));
    else for (const m of isDNS1035Label(name)) errs.push(invalid(`${f}.name`, name, m));
    if (seen.has(name)) errs.push({ type: 'FieldValueDuplicate', field: `${f}.name`, message: `Duplicate value: ${JSON.stringify(name)}` });
    seen.add(name);
    if (typeof v.served !== 'boolean') errs.push(required(`${f}.served`));
    if (typeof v.storage !== 'boolean') errs.push(required(`${f}.storage`));
    if (v.storage === true) storage++;
    const schema = asObj(v.schema).openAPIV3Schema;
    if (schema === undefined) errs.push(required(`${f}.schema.openAPIV3Schema`, 'schemas are required'));
    else errs.push(...checkStructural(schema, `${f}.schema.openAPIV3Schema`));
    asArr(v.additionalPrinterColumns).forEach((c, j) => {
      const pc = asObj(c);
      const cf = `${f}.additionalPrinterColumns[${j}]`;
      if (!asStr(pc.name)) errs.push(required(`${cf}.name`));
      if (!asStr(pc.jsonPath)) errs.push(required(`${cf}.jsonPath`));
      if (!PRINTER_TYPES.includes(asStr(pc.type))) errs.push(notSupported(`${cf}.type`, pc.type, PRINTER_TYPES));
    });
  });
  if (versions.length && storage !== 1) errs.push(invalid('spec.versions', versions.map((v) => asStr(asObj(v).name)), 'must have exactly one version marked as storage version'));
  if (versions.length && !versions.some((v) => asObj(v).served === true)) errs.push(invalid('spec.versions', versions.map((v) => asStr(asObj(v).name)), 'must have at least one version marked as served'));
  if (old) {
    const os = asObj(old.spec);
    if (os.scope !== spec.scope) errs.push(forbidden('spec.scope', 'field is immutable'));
    if (os.group !== spec.group) errs.push(invalid('spec.group', spec.group, 'field is immutable'));
  }
  return errs;
}

export const crdKind: KindSemantics = defineKind({
  group: CRD_GROUP, version: 'v1', kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', namespaced: false,
  shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'],
  nameFn: nameIsDNSSubdomain,
  defaults: defaultCrd,
  validateSpec: (obj, old) => validateCrd(obj, old),
  table(items) {
    return {
      columnDefinitions: [nameCol(), col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
      rows: items.map((o) => ({ cells: [o.metadata.name ?? '', o.metadata.creationTimestamp ?? ''], object: o })),
    };
  },
  hasGeneration: true,
});

// ---------------------------------------------------------------- custom resources

/** A subset of kubectl's JSONPath for printer columns: `.a.b`, `.a[0].b`, `.a['x.y']`, `{...}`. */
export function evalJsonPath(obj: unknown, path: string): unknown {
  const p = path.trim().replace(/^\{/, '').replace(/\}$/, '');
  const re = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\[['"]([^'"]+)['"]\]/gy;
  let cur: unknown = obj;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < p.length && (m = re.exec(p))) {
    if (cur === undefined || cur === null) return undefined;
    if (m[1] !== undefined || m[3] !== undefined) cur = isObj(cur) ? cur[(m[1] ?? m[3])!] : undefined;
    else cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
  }
  return cur;
}

function cell(v: unknown, type: string, now: Date): unknown {
  if (v === undefined || v === null) return null;
  if (type === 'date') return translateTimestampSince(v, now);
  if (typeof v === 'object') return JSON.stringify(v);
  if (type === 'string') return String(v);
  return v;
}

function customTable(cols: PrinterColumn[]): KindSemantics['table'] {
  const all = cols.length ? cols : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }];
  const defs: TableColumnDefinition[] = [nameCol(), ...all.map((c) => col(c.name, c.type === 'date' ? 'date' : c.type, c.description ?? '', c.priority ?? 0, c.format ?? ''))];
  return (items, now) => ({
    columnDefinitions: defs,
    rows: items.map((o) => ({ cells: [o.metadata.name ?? '', ...all.map((c) => cell(evalJsonPath(o, c.jsonPath), c.type, now))], object: o })),
  });
}

/** List semantics from the schema (x-kubernetes-list-type map/set), in PatchMeta's path form. */
export function patchMetaOf(schema: JSONSchemaProps): PatchMeta {
  const out: PatchMeta = {};
  const walk = (s: JSONSchemaProps, path: string): void => {
    if (s.type === 'array' || s.items) {
      const lt = s['x-kubernetes-list-type'];
      const keys = s['x-kubernetes-list-map-keys'];
      if (lt === 'map' && keys?.length) out[path] = { strategy: 'merge', mergeKey: keys[0]!, listMapKeys: keys };
      else if (lt === 'set') out[path] = { strategy: 'merge' };
      if (s.items) walk(s.items, `${path}[]`);
      return;
    }
    if (s['x-kubernetes-map-type'] === 'atomic' && path) { out[path] = { strategy: 'replace', atomic: true }; return; }
    for (const [k, c] of Object.entries(s.properties ?? {})) walk(c, path ? `${path}.${k}` : k);
  };
  walk(schema, '');
  return out;
}

/** The kinds (one per served version; the storage version, if served, first) a definition serves. */
export function customKinds(crd: KObject): KindSemantics[] {
  const s = crdSpec(crd);
  const served = s.versions.filter((v) => v.served);
  served.sort((a, b) => Number(b.storage) - Number(a.storage));
  return served.map((v) => {
    const schema = (v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as JSONSchemaProps;
    const subs = [...(v.subresources?.status ? ['status'] : []), ...(v.subresources?.scale ? ['scale'] : [])];
    const info: CustomKindInfo = { crd: crd.metadata.name ?? '', schema, ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}) };
    const k = defineKind({
      group: s.group, version: v.name, kind: s.names.kind, resource: s.names.plural, namespaced: s.scope === 'Namespaced',
      shortNames: s.names.shortNames ?? [], categories: s.names.categories ?? [], subresources: subs,
      nameFn: nameIsDNSSubdomain,
      defaults(obj) {
        prune(obj, schema, '', true);
        applyDefaults(obj, schema);
      },
      validateSpec: (obj) => validateObject(obj as unknown as Obj, schema),
      table: customTable(v.additionalPrinterColumns ?? []),
      patchMeta: patchMetaOf(schema),
      hasGeneration: true,
    });
    return { ...k, singular: s.names.singular || s.names.kind.toLowerCase(), listKind: s.names.listKind || `${s.names.kind}List`, custom: info };
  });
}

/** Established and names accepted: the definition's kinds may be served. */
export function isEstablished(crd: KObject): boolean {
  return asArr(asObj(crd.status).conditions).some((c) => isObj(c) && c.type === 'Established' && c.status === 'True');
}
