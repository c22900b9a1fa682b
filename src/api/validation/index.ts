/**
 * Shared validators with upstream's rules and wording (k8s.io/apimachinery/pkg/util/validation and
 * pkg/apis/core/validation): DNS-1123/1035 names, label keys and values, qualified names, IPs,
 * CIDRs, ports, IANA service names and label selectors. Field errors carry upstream's error body
 * (`Invalid value: "x": detail`) as their message.
 */
import type { CauseType, FieldError } from '../kinds/types.js';
import { isIP, tryParseCidr, type Cidr } from '../../util/addr.js';

// ---------------------------------------------------------------- field errors

/** Bad values as upstream prints them (Go's %#v for string slices and string maps, JSON otherwise). */
function renderValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  if (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === 'string')) {
    const m = v as Record<string, string>;
    return `map[string]string{${Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

function fe(type: CauseType, field: string, body: string, detail?: string): FieldError {
  return { type, field, message: detail ? `${body}: ${detail}` : body };
}
export const required = (field: string, detail?: string): FieldError => fe('FieldValueRequired', field, 'Required value', detail);
export const invalid = (field: string, value: unknown, detail?: string): FieldError =>
  fe('FieldValueInvalid', field, `Invalid value: ${renderValue(value)}`, detail);
export const duplicate = (field: string, value: unknown): FieldError => fe('FieldValueDuplicate', field, `Duplicate value: ${renderValue(value)}`);
export const notFound = (field: string, value: unknown): FieldError => fe('FieldValueNotFound', field, `Not found: ${renderValue(value)}`);
export const forbidden = (field: string, detail: string): FieldError => fe('FieldValueForbidden', field, 'Forbidden', detail);
export const tooLong = (field: string, max: number): FieldError => fe('FieldValueTooLong', field, 'Too long', `must have at most ${max} bytes`);
export const tooMany = (field: string, actual: number, max: number): FieldError =>
  fe('FieldValueTooMany', field, `Too many: ${actual}`, `must have at most ${max} items`);
export const notSupported = (field: string, value: unknown, supported: readonly string[]): FieldError =>
  fe('FieldValueNotSupported', field, `Unsupported value: ${renderValue(value)}`,
    supported.length ? `supported values: ${[...supported].sort().map((s) => JSON.stringify(s)).join(', ')}` : undefined);
const typeInvalid = (field: string, value: unknown, detail: string): FieldError =>
  fe('FieldValueTypeInvalid', field, `Invalid value: ${renderValue(value)}`, detail);

/** `Service "x" is invalid: spec.ports[0].port: Invalid value: …` (several errors in `[a, b]`), as upstream's NewInvalid. */
export function invalidMessage(kind: string, name: string, errs: readonly FieldError[]): string {
  const parts = errs.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  const uniq = [...new Set(parts)];
  const body = uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
  return `${kind} "${name}" is invalid: ${body}`;
}

// ---------------------------------------------------------------- helpers for typed-but-unknown input

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asStr = (v: unknown): string => (typeof v === 'string' ? v : '');
export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

// ---------------------------------------------------------------- names

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;
const reLabel = new RegExp(`^${dns1123LabelFmt}$`);
const reSubdomain = new RegExp(`^${dns1123SubdomainFmt}$`);
const re1035 = new RegExp(`^${dns1035LabelFmt}$`);
const reQualified = new RegExp(`^${qualifiedNameFmt}$`);
const reLabelValue = new RegExp(`^${labelValueFmt}$`);

const maxLenMsg = (n: number): string => `must be no more than ${n} characters`;

/** Each returns upstream's messages (empty = valid). */
export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenMsg(63));
  if (!reLabel.test(v)) {
    errs.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${dns1123LabelFmt}')`);
  }
  return errs;
}
export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenMsg(253));
  if (!reSubdomain.test(v)) {
    errs.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${dns1123SubdomainFmt}')`);
  }
  return errs;
}
export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenMsg(63));
  if (!re1035.test(v)) {
    errs.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${dns1035LabelFmt}')`);
  }
  return errs;
}
/** Fully-qualified domain name (ExternalName targets, …): a subdomain of at least two labels, an optional trailing dot. */
export function isFullyQualifiedDomainName(v: string): string[] {
  let s = v;
  if (s.endsWith('.')) s = s.slice(0, -1);
  const errs = isDNS1123Subdomain(s);
  if (errs.length === 0 && s.split('.').length < 2) errs.push('should be a domain with at least two segments separated by dots');
  return errs;
}

export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedNameFmt}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenMsg(63)}`);
  if (name.length > 0 && !reQualified.test(name)) {
    errs.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedNameFmt}')`);
  }
  return errs;
}
export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenMsg(63));
  if (!reLabelValue.test(v)) {
    errs.push(`a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${labelValueFmt}')`);
  }
  return errs;
}

/** IANA service name (named ports): at most 15 chars, [a-z0-9-], one letter, no `--`, no leading/trailing `-`. */
export function isValidPortName(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 15) errs.push(maxLenMsg(15));
  if (!/^[-a-z0-9]+$/.test(v)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(v)) errs.push('must contain at least one letter (a-z)');
  if (v.includes('--')) errs.push('must not contain consecutive hyphens');
  if (v.startsWith('-') || v.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenMsg(253));
  if (!/^[-._a-zA-Z0-9]+$/.test(v)) {
    errs.push(`a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`);
  }
  if (v === '.') errs.push(`must not be '.'`);
  else if (v === '..') errs.push(`must not be '..'`);
  else if (v.startsWith('..')) errs.push(`must not start with '..'`);
  return errs;
}

/** Names used in URL paths: not `.`/`..`, no `/` or `%`. */
export function isPathSegmentName(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  const errs: string[] = [];
  for (const c of ['/', '%']) if (v.includes(c)) errs.push(`may not contain '${c}'`);
  return errs;
}

// ---------------------------------------------------------------- numbers, IPs, CIDRs

export const PORT_RANGE_MSG = 'must be between 1 and 65535, inclusive';
export const isValidPortNum = (v: unknown): boolean => isInt(v) && v >= 1 && v <= 65535;
export const inclusiveRangeMsg = (lo: number, hi: number): string => `must be between ${lo} and ${hi}, inclusive`;
export const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
export const CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

export const isValidIP = (v: string): boolean => isIP(v);

/** A CIDR as the API accepts it (address as written, prefix without leading zeros), or undefined. */
export function parseCIDR(v: string): Cidr | undefined {
  const c = tryParseCidr(v);
  return c && !/\/0\d+$/.test(v) ? c : undefined;
}
export const isValidCIDR = (v: string): boolean => parseCIDR(v) !== undefined;

// ---------------------------------------------------------------- labels, annotations, selectors

function validateLabelName(key: string, field: string): FieldError[] {
  return isQualifiedName(key).map((m) => invalid(field, key, m));
}
export function validateLabels(labels: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (labels === undefined || labels === null) return errs;
  if (!isObj(labels)) return [typeInvalid(field, labels, 'must be a map of string to string')];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, field));
    if (typeof v !== 'string') errs.push(typeInvalid(`${field}[${k}]`, v, 'must be a string'));
    else errs.push(...isValidLabelValue(v).map((m) => invalid(field, v, m)));
  }
  return errs;
}
const TOTAL_ANNOTATION_SIZE = 256 * 1024;
export function validateAnnotations(ann: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ann === undefined || ann === null) return errs;
  if (!isObj(ann)) return [typeInvalid(field, ann, 'must be a map of string to string')];
  let size = 0;
  for (const [k, v] of Object.entries(ann)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(field, k, m));
    if (typeof v !== 'string') errs.push(typeInvalid(`${field}[${k}]`, v, 'must be a string'));
    size += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.push(tooLong(field, TOTAL_ANNOTATION_SIZE));
  return errs;
}

const SELECTOR_OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
/** metav1.LabelSelector (matchLabels + matchExpressions). */
export function validateLabelSelector(sel: unknown, field: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  if (!isObj(sel)) return [typeInvalid(field, sel, 'must be a label selector object')];
  const errs = validateLabels(sel.matchLabels, `${field}.matchLabels`);
  asArr(sel.matchExpressions).forEach((r, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    const req = asObj(r);
    const op = asStr(req.operator);
    const values = asArr(req.values);
    if (!(SELECTOR_OPS as readonly string[]).includes(op)) errs.push(notSupported(`${p}.operator`, req.operator ?? '', SELECTOR_OPS));
    else if ((op === 'In' || op === 'NotIn') && values.length === 0) {
      errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
      errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
    errs.push(...validateLabelName(asStr(req.key), `${p}.key`));
    values.forEach((v, j) => {
      if (typeof v !== 'string') errs.push(typeInvalid(`${p}.values[${j}]`, v, 'must be a string'));
      else errs.push(...isValidLabelValue(v).map((m) => invalid(`${p}.values[${j}]`, v, m)));
    });
  });
  return errs;
}

/** Does a metav1.LabelSelector select these labels? (nil selector selects nothing; empty selects all). */
export function selectorMatches(sel: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isObj(sel)) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(asObj(sel.matchLabels))) if (l[k] !== v) return false;
  for (const r of asArr(sel.matchExpressions)) {
    const req = asObj(r);
    const key = asStr(req.key);
    const vals = asArr(req.values).map(String);
    const has = Object.prototype.hasOwnProperty.call(l, key);
    switch (req.operator) {
      case 'In': if (!has || !vals.includes(l[key]!)) return false; break;
      case 'NotIn': if (has && vals.includes(l[key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${m![k]}`).join(',');
}
/** metav1.FormatLabelSelector: requirements sorted by key (`k=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`); `<none>` when empty. */
export function formatLabelSelector(sel: unknown): string {
  if (!isObj(sel)) return '<none>';
  const reqs: { key: string; s: string }[] = [];
  for (const [k, v] of Object.entries(asObj(sel.matchLabels))) reqs.push({ key: k, s: `${k}=${String(v)}` });
  for (const r of asArr(sel.matchExpressions)) {
    const req = asObj(r);
    const key = asStr(req.key);
    const vals = [...new Set(asArr(req.values).map(String))].sort();
    switch (req.operator) {
      case 'In': reqs.push({ key, s: `${key} in (${vals.join(',')})` }); break;
      case 'NotIn': reqs.push({ key, s: `${key} notin (${vals.join(',')})` }); break;
      case 'Exists': reqs.push({ key, s: key }); break;
      case 'DoesNotExist': reqs.push({ key, s: `!${key}` }); break;
      default: return '<error>';
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out = reqs.map((r) => r.s).join(',');
  return out === '' ? '<none>' : out;
}
/** Like isObj but without narrowing (for typed kubernetes-types values). */
export const isMap = (v: unknown): boolean => isObj(v);
/** A kubernetes-types object with its `readonly` (status) fields writable. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };
