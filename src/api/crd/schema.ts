/**
 * Structural OpenAPI v3 schemas of CustomResourceDefinitions: validation (type, nullable, enum,
 * pattern, minimum/maximum (+exclusive), minLength/maxLength, minItems/maxItems, required,
 * properties, additionalProperties, items, format basics, x-kubernetes-int-or-string), defaults,
 * and pruning of fields the schema does not specify (unless x-kubernetes-preserve-unknown-fields).
 * Messages follow kube-openapi's as kube-apiserver reports them
 * (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`).
 */
import type { FieldError } from '../kinds/types.js';
import { invalid, notSupported, required, tooMany } from '../validation/index.js';

export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  nullable?: boolean;
  enum?: unknown[];
  pattern?: string;
  minimum?: number; maximum?: number; exclusiveMinimum?: boolean; exclusiveMaximum?: boolean;
  minLength?: number; maxLength?: number; minItems?: number; maxItems?: number;
  minProperties?: number; maxProperties?: number;
  required?: string[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  [k: string]: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** kube-openapi's name of a JSON value's type. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'object': return isObj(v);
    case 'array': return Array.isArray(v);
    default: return true;
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const FORMATS: Record<string, (v: unknown) => boolean> = {
  'int32': (v) => typeof v !== 'number' || (v >= -(2 ** 31) && v < 2 ** 31),
  'date-time': (v) => typeof v !== 'string' || DATE_TIME.test(v),
  'date': (v) => typeof v !== 'string' || /^\d{4}-\d{2}-\d{2}$/.test(v),
  'email': (v) => typeof v !== 'string' || /^[^@\s]+@[^@\s]+$/.test(v),
  'uuid': (v) => typeof v !== 'string' || /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(v),
  'ipv4': (v) => typeof v !== 'string' || /^(\d{1,3})(\.\d{1,3}){3}$/.test(v),
};

const join = (p: string, k: string): string => (p ? `${p}.${k}` : k);

/** Every error of `v` against `s` at `path` (a field path like `spec.replicas`). */
export function validateValue(v: unknown, s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (v === null) {
    if (s.nullable || !s.type) return errs;
    errs.push(invalid(path, 'null', `${path} in body must be of type ${s.type}: "null"`));
    return errs;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) {
      errs.push(invalid(path, typeName(v), `${path} in body must be of type integer,string: ${JSON.stringify(typeName(v))}`));
    }
    return errs;
  }
  if (s.type && !typeMatches(s.type, v)) {
    errs.push(invalid(path, typeName(v), `${path} in body must be of type ${s.type}: ${JSON.stringify(typeName(v))}`));
    return errs;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    errs.push(notSupported(path, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (s.format && FORMATS[s.format] && !FORMATS[s.format]!(v)) {
    errs.push(invalid(path, v, `${path} in body must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
  if (typeof v === 'string') {
    if (s.pattern !== undefined) {
      let re: RegExp | undefined;
      try { re = new RegExp(s.pattern, 'u'); } catch { re = undefined; }
      if (re && !re.test(v)) errs.push(invalid(path, v, `${path} in body should match '${s.pattern}'`));
    }
    const len = [...v].length;
    if (s.maxLength !== undefined && len > s.maxLength) errs.push({ type: 'FieldValueTooLong', field: path, message: `Too long: may not be longer than ${s.maxLength}` });
    if (s.minLength !== undefined && len < s.minLength) errs.push(invalid(path, v, `${path} in body should be at least ${s.minLength} chars long`));
  }
  if (typeof v === 'number') {
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
      errs.push(invalid(path, v, `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    }
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
      errs.push(invalid(path, v, `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    }
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(tooMany(path, v.length, s.maxItems));
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(invalid(path, v.length, `${path} in body should have at least ${s.minItems} items`));
    if (s.items) v.forEach((item, i) => errs.push(...validateValue(item, s.items!, `${path}[${i}]`)));
    if (s['x-kubernetes-list-type'] === 'set') {
      const seen = new Set<string>();
      v.forEach((item, i) => { const j = JSON.stringify(item); if (seen.has(j)) errs.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, message: `Duplicate value: ${j}` }); seen.add(j); });
    }
    if (s['x-kubernetes-list-type'] === 'map' && s['x-kubernetes-list-map-keys']) {
      const keys = s['x-kubernetes-list-map-keys'];
      const seen = new Set<string>();
      v.forEach((item, i) => {
        if (!isObj(item)) return;
        const j = JSON.stringify(keys.map((k) => item[k]));
        if (seen.has(j)) errs.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, message: `Duplicate value: ${JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])))}` });
        seen.add(j);
      });
    }
  }
  if (isObj(v)) {
    for (const r of s.required ?? []) if (v[r] === undefined) errs.push(required(join(path, r)));
    const n = Object.keys(v).length;
    if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(tooMany(path, n, s.maxProperties));
    if (s.minProperties !== undefined && n < s.minProperties) errs.push(invalid(path, n, `${path} in body should have at least ${s.minProperties} properties`));
    for (const [k, c] of Object.entries(v)) {
      const ps = s.properties?.[k];
      if (ps) errs.push(...validateValue(c, ps, join(path, k)));
      else if (isObj(s.additionalProperties)) errs.push(...validateValue(c, s.additionalProperties, join(path, k)));
    }
  }
  return errs;
}

/** Validates a whole custom resource (everything but apiVersion/kind/metadata, which the API machinery checks). */
export function validateObject(obj: Obj, root: JSONSchemaProps): FieldError[] {
  const errs: FieldError[] = [];
  for (const r of root.required ?? []) if (r !== 'metadata' && r !== 'apiVersion' && r !== 'kind' && obj[r] === undefined) errs.push(required(r));
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    const ps = root.properties?.[k];
    if (ps) errs.push(...validateValue(v, ps, k));
  }
  return errs;
}

/** Fills schema defaults in place (a default applies where the parent object exists and the field is absent). */
export function applyDefaults(v: unknown, s: JSONSchemaProps): void {
  if (isObj(v)) {
    for (const [k, ps] of Object.entries(s.properties ?? {})) {
      if (v[k] === undefined && ps.default !== undefined) v[k] = structuredClone(ps.default);
      if (v[k] !== undefined) applyDefaults(v[k], ps);
    }
    if (isObj(s.additionalProperties)) for (const [k, c] of Object.entries(v)) if (!s.properties?.[k]) applyDefaults(c, s.additionalProperties);
  } else if (Array.isArray(v) && s.items) {
    for (const item of v) applyDefaults(item, s.items);
  }
}

/** Removes, in place, every field the schema does not specify; returns their paths. */
export function prune(v: unknown, s: JSONSchemaProps, path = '', isRoot = false): string[] {
  const out: string[] = [];
  if (isObj(v)) {
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    for (const k of Object.keys(v)) {
      if (isRoot && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
      const ps = s.properties?.[k] ?? (isObj(s.additionalProperties) ? s.additionalProperties : undefined);
      if (ps) out.push(...prune(v[k], ps, join(path, k)));
      else if (!preserve && s.additionalProperties !== true) { delete v[k]; out.push(join(path, k)); }
    }
  } else if (Array.isArray(v) && s.items) {
    v.forEach((item, i) => out.push(...prune(item, s.items!, `${path}[${i}]`)));
  }
  return out;
}

/** Structural-schema problems of a CRD version's schema (paths under `field`). */
export function checkStructural(s: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const visit = (n: unknown, f: string, root: boolean): void => {
    if (!isObj(n)) { errs.push(invalid(f, n, 'must be an object')); return; }
    const t = n.type;
    if (t === undefined && !n['x-kubernetes-int-or-string'] && !n['x-kubernetes-preserve-unknown-fields']) errs.push(required(`${f}.type`, 'must not be empty for specified object fields'));
    if (t !== undefined && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(String(t))) errs.push(notSupported(`${f}.type`, t, ['array', 'boolean', 'integer', 'number', 'object', 'string']));
    if (root && t !== 'object') errs.push(invalid(`${f}.type`, t ?? '', 'must be object at the root'));
    if (t === 'array' && n.items === undefined) errs.push(required(`${f}.items`, 'must be specified'));
    if (typeof n.pattern === 'string') { try { new RegExp(n.pattern, 'u'); } catch { errs.push(invalid(`${f}.pattern`, n.pattern, 'must be a valid regular expression')); } }
    if (isObj(n.properties)) for (const [k, c] of Object.entries(n.properties)) visit(c, `${f}.properties[${k}]`, false);
    if (isObj(n.additionalProperties)) visit(n.additionalProperties, `${f}.additionalProperties`, false);
    if (n.items !== undefined) visit(n.items, `${f}.items`, false);
  };
  visit(s, field, true);
  return errs;
}

/** Fields of a custom resource its kind's schema would prune (strict field validation reports them). */
export function unknownCustomFields(obj: unknown, k: { custom?: { schema: Record<string, unknown> } }): string[] {
  if (!k.custom || !isObj(obj)) return [];
  return prune(structuredClone(obj), k.custom.schema as JSONSchemaProps, '', true);
}

/** Prunes a custom resource in place by its kind's schema (before ownership is computed). */
export function pruneCustom(obj: unknown, k: { custom?: { schema: Record<string, unknown> } }): void {
  if (k.custom && isObj(obj)) prune(obj, k.custom.schema as JSONSchemaProps, '', true);
}
