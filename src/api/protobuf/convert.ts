/**
 * Converts between a Kubernetes object's JSON form (what the server stores and works with) and the
 * message protobufjs decodes or encodes with the pinned generated.proto, the way Go's API types do:
 *
 * - meta/v1 Time → RFC 3339 in whole seconds, MicroTime → microseconds, both `{seconds, nanos}` on
 *   the wire; a zero Time on the wire is `null` (Go writes non-pointer Times always, JSON as null);
 *   Duration → Go's "1h2m3s" form.
 * - IntOrString `{type, intVal, strVal}` → a number or a string; Quantity `{string}` → the string.
 * - RawExtension, FieldsV1 and apiextensions' JSON carry JSON bytes → the JSON value itself;
 *   JSONSchemaPropsOrArray/OrBool/OrStringArray → schema, array or bool as upstream marshals them.
 * - `bytes` fields → base64 strings; maps → objects; named Go slices (`ExtraValue`) → arrays.
 * - Go writes every non-pointer field to the wire, zero or not; JSON omits a zero with omitempty.
 *   So a zero scalar is kept only for pointer fields (set means set) and fields without
 *   omitempty; empty lists are omitted; nested messages are kept (`{}`), as Go's JSON keeps structs.
 * - Embedded structs (`json:",inline"`, e.g. Volume.volumeSource, Probe.handler) merge into the
 *   parent object, and fields named differently in JSON (`$ref`, `x-kubernetes-…`) are renamed.
 */
import protobuf from 'protobufjs';
import { ApiStatusError } from '../server/status.js';
import { conventionOf, META_V1, RUNTIME } from './schema.js';
import type { FieldConvention, MessageConvention } from './conventions.js';

type Json = unknown;
type JsonObject = Record<string, unknown>;

export class ProtobufConvertError extends ApiStatusError {
  constructor(message: string) { super(400, 'BadRequest', `the protobuf request body could not be decoded: ${message}`); }
}

const APIEXT = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1';
const T = {
  time: `${META_V1}.Time`, microTime: `${META_V1}.MicroTime`, duration: `${META_V1}.Duration`, fieldsV1: `${META_V1}.FieldsV1`,
  intOrString: 'k8s.io.apimachinery.pkg.util.intstr.IntOrString', quantity: 'k8s.io.apimachinery.pkg.api.resource.Quantity',
  rawExtension: `${RUNTIME}.RawExtension`, json: `${APIEXT}.JSON`, orArray: `${APIEXT}.JSONSchemaPropsOrArray`,
  orBool: `${APIEXT}.JSONSchemaPropsOrBool`, orStringArray: `${APIEXT}.JSONSchemaPropsOrStringArray`,
} as const;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

// ---- time and duration ----

function rfc3339(seconds: number, nanos: number, micro: boolean, where: string): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new ProtobufConvertError(`${where}: timestamp ${seconds}s out of range`);
  const base = d.toISOString().replace(/\.\d{3}Z$/, '');
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

function parseTime(v: unknown): { seconds: number; nanos: number } | undefined {
  if (typeof v !== 'string' || !v) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return undefined;
  const frac = /\.(\d+)(?:Z|[+-]\d\d:\d\d)$/i.exec(v)?.[1] ?? '';
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: frac ? Number(frac.padEnd(9, '0').slice(0, 9)) : 0 };
}

const DURATION_UNITS: [string, number][] = [['h', 3600e9], ['m', 60e9], ['s', 1e9], ['ms', 1e6], ['us', 1e3], ['µs', 1e3], ['ns', 1]];

/** Go's time.Duration.String(). */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(ns);
  let out: string;
  if (n < 1e9) {
    out = n < 1e3 ? `${n}ns` : n < 1e6 ? `${trim(n / 1e3)}µs` : `${trim(n / 1e6)}ms`;
  } else {
    const h = Math.floor(n / 3600e9); n -= h * 3600e9;
    const m = Math.floor(n / 60e9); n -= m * 60e9;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trim(n / 1e9)}s`;
  }
  return neg ? `-${out}` : out;
}
const trim = (x: number): string => String(Number(x.toFixed(9)));

/** Go's time.ParseDuration (without overflow checks). */
export function parseGoDuration(s: string): number | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:h|m|s|ms|us|µs|ns))+$/.exec(s);
  if (!m && s !== '0') return undefined;
  if (s === '0') return 0;
  let total = 0;
  for (const part of s.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(part[1]) * DURATION_UNITS.find(([u]) => u === part[2])![1];
  }
  return Math.round(s.startsWith('-') ? -total : total);
}

// ---- per-message plan (protobufjs computes fullName on every access: look everything up once) ----

interface FieldPlan { field: protobuf.Field; fc: FieldConvention; key: string; rt?: protobuf.Type; rtName?: string }
interface Plan { name: string; conv?: MessageConvention; fields: FieldPlan[] }
const plans = new WeakMap<protobuf.Type, Plan>();

function planOf(type: protobuf.Type): Plan {
  let plan = plans.get(type);
  if (plan) return plan;
  const conv = conventionOf(type);
  plan = {
    name: type.fullName.slice(1), conv,
    fields: type.fieldsArray.map((field) => {
      const fc: FieldConvention = conv?.fields?.[field.name] ?? {};
      const rt = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
      return { field, fc, key: fc.json ?? field.name, rt, rtName: rt?.fullName.slice(1) };
    }),
  };
  plans.set(type, plan);
  return plan;
}

// ---- protobuf message → JSON ----

function zero(v: unknown): boolean { return v === '' || v === 0 || v === false || (v instanceof Uint8Array && v.length === 0); }

function rawJson(raw: unknown, where: string): Json {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return null;
  const text = Buffer.from(raw).toString('utf8');
  try { return JSON.parse(text) as Json; } catch { throw new ProtobufConvertError(`${where}: raw bytes are not JSON`); }
}

function scalarToJson(field: protobuf.Field, v: unknown): Json {
  if (field.type === 'bytes') return Buffer.from(v as Uint8Array).toString('base64');
  if (field.type === 'int64' || field.type === 'uint64' || field.type === 'sint64' || field.type === 'fixed64' || field.type === 'sfixed64') return toNumber(v);
  return v;
}

/** A decoded message of `type` → JSON. */
export function messageToJson(type: protobuf.Type, m: JsonObject, where: string): Json {
  const plan = planOf(type);
  const name = plan.name;
  switch (name) {
    case T.time: case T.microTime: {
      const s = own(m, 'seconds') ? toNumber(m.seconds) : 0;
      const n = own(m, 'nanos') ? toNumber(m.nanos) : 0;
      if (s === 0 && n === 0) return null;
      return rfc3339(s, n, name === T.microTime, where);
    }
    case T.duration: return goDuration(own(m, 'duration') ? toNumber(m.duration) : 0);
    case T.intOrString: return toNumber(m.type ?? 0) === 1 ? String(m.strVal ?? '') : toNumber(m.intVal ?? 0);
    case T.quantity: return String(m.string ?? '0');
    case T.rawExtension: case T.json: return rawJson(m.raw, where);
    case T.fieldsV1: return rawJson(m.Raw, where);
    case T.orArray: return own(m, 'schema') ? messageToJson(type.fields.schema!.resolvedType as protobuf.Type, m.schema as JsonObject, where) : ((m.jSONSchemas as JsonObject[] | undefined) ?? []).map((x) => messageToJson(type.fields.jSONSchemas!.resolvedType as protobuf.Type, x, where));
    case T.orBool: return own(m, 'schema') ? messageToJson(type.fields.schema!.resolvedType as protobuf.Type, m.schema as JsonObject, where) : Boolean(m.allows);
    case T.orStringArray: return own(m, 'schema') ? messageToJson(type.fields.schema!.resolvedType as protobuf.Type, m.schema as JsonObject, where) : ((m.property as string[] | undefined) ?? []);
    default: break;
  }
  if (plan.conv?.slice) return (m.items as unknown[] | undefined) ?? [];
  const out: JsonObject = {};
  for (const { field, fc, key, rt } of plan.fields) {
    if (!own(m, field.name) || m[field.name] === null || m[field.name] === undefined) continue;
    const at = `${where}.${key}`;
    const v = m[field.name];
    const valueOf = (x: unknown): Json => (rt ? messageToJson(rt, x as JsonObject, at) : scalarToJson(field, x));
    if (field.map) {
      const entries = Object.entries(v as JsonObject);
      if (!entries.length) continue;
      out[key] = Object.fromEntries(entries.map(([k, x]) => [k, valueOf(x) ?? null]));
    } else if (field.repeated) {
      const list = v as unknown[];
      if (!list.length) continue;
      out[key] = list.map(valueOf);
    } else if (rt) {
      const j = valueOf(v);
      if (fc.inline && isObject(j)) Object.assign(out, j);
      else out[key] = j; // a zero Time is null, as Go's JSON writes every struct field
    } else {
      const j = scalarToJson(field, v);
      if (zero(j) && !fc.pointer && !fc.always) continue;
      out[key] = j;
    }
  }
  return out;
}

// ---- JSON → protobuf message (plain object protobufjs encodes) ----

function scalarFromJson(field: protobuf.Field, v: unknown, where: string): unknown {
  switch (field.type) {
    case 'string': return typeof v === 'string' ? v : String(v);
    case 'bool': return Boolean(v);
    case 'bytes': return typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0);
    case 'double': case 'float': return Number(v);
    default: {
      const n = typeof v === 'boolean' ? Number.NaN : Number(v);
      return Number.isFinite(n) ? Math.trunc(n) : undefined; // not a number: left out, as Go's JSON decoding would refuse it
    }
  }
}

const jsonBytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

/** JSON → the plain object protobufjs encodes as `type`; `undefined` for a value the wire leaves out. */
export function messageFromJson(type: protobuf.Type, v: unknown, where: string): JsonObject | undefined {
  const plan = planOf(type);
  const name = plan.name;
  const sub = (f: string): protobuf.Type => type.fields[f]!.resolvedType as protobuf.Type;
  switch (name) {
    case T.time: case T.microTime: return v === null ? {} : parseTime(v); // null: a zero Time, as Go writes it
    case T.duration: { const d = typeof v === 'string' ? parseGoDuration(v) : undefined; return d === undefined ? undefined : { duration: d }; }
    case T.intOrString: return typeof v === 'string' ? { type: 1, intVal: 0, strVal: v } : { type: 0, intVal: Math.trunc(Number(v)), strVal: '' };
    case T.quantity: return { string: String(v) };
    case T.rawExtension: case T.json: return v === undefined ? undefined : { raw: jsonBytes(v) };
    case T.fieldsV1: return v === undefined ? undefined : { Raw: jsonBytes(v) };
    case T.orArray: return Array.isArray(v) ? { jSONSchemas: v.map((x) => messageFromJson(sub('jSONSchemas'), x, where) ?? {}) } : { schema: messageFromJson(sub('schema'), v, where) };
    case T.orBool: return typeof v === 'boolean' ? { allows: v } : { allows: true, schema: messageFromJson(sub('schema'), v, where) };
    case T.orStringArray: return Array.isArray(v) ? { property: v.map(String) } : { schema: messageFromJson(sub('schema'), v, where) };
    default: break;
  }
  if (plan.conv?.slice) return { items: Array.isArray(v) ? v.map(String) : [] };
  if (!isObject(v)) return v === null || v === undefined ? undefined : {};
  const out: JsonObject = {};
  for (const { field, fc, key, rt, rtName } of plan.fields) {
    if (fc.inline && rt) { out[field.name] = messageFromJson(rt, v, where) ?? {}; continue; }
    const x = v[key];
    if (x === null && (rtName === T.time || rtName === T.microTime)) { out[field.name] = {}; continue; } // a zero Time, as Go writes it
    if (x === undefined || x === null) continue;
    const at = `${where}.${key}`;
    const valueOf = (y: unknown): unknown => (rt ? messageFromJson(rt, y, at) : scalarFromJson(field, y, at));
    if (field.map) {
      if (isObject(x)) out[field.name] = Object.fromEntries(Object.entries(x).map(([k, y]) => [k, valueOf(y)]).filter(([, y]) => y !== undefined));
    } else if (field.repeated) {
      if (Array.isArray(x)) out[field.name] = x.map(valueOf).filter((y) => y !== undefined);
    } else {
      const m = valueOf(x);
      if (m !== undefined) out[field.name] = m;
    }
  }
  return out;
}
