/**
 * Maps a Swagger 2.0 (OpenAPI v2) JSON document onto the shape of gnostic's `openapi.v2.Document`
 * message (./proto/OpenAPIv2.proto), as plain objects keyed by the proto field names. The result
 * is what protobufjs encodes for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
 *
 * gnostic's conventions, which kubectl's reader (kube-openapi's proto models) relies on:
 * - JSON objects with free keys become ordered lists of `{ name, value }` (NamedSchema,
 *   NamedPathItem, NamedResponseValue, …), in the document's key order;
 * - `x-…` keys go to `vendor_extension` as NamedAny whose value is `Any { yaml }`: the value
 *   written as YAML text (kubectl unmarshals that text to read patch merge keys, GVKs, …);
 * - `$ref` is the field `_ref`; `type` a TypeItem list; `items` an ItemsItem list; parameters and
 *   responses are oneofs (body / query / path / header / formData, response / reference).
 * A key this mapping does not know is an error, never silently dropped.
 */
import { stringify as yamlStringify } from 'yaml';
import { PodnetError } from '../../util/errors.js';

/** A JSON value that cannot be expressed as openapi.v2 (unknown key, wrong type). */
export class GnosticMappingError extends PodnetError {
  constructor(readonly path: string, message: string) {
    super('EOPENAPIPROTO', `openapi v2 → protobuf: ${path}: ${message}`);
  }
}

/** A message as plain data: proto field name → value. */
export type GnosticMessage = { [field: string]: GnosticValue };
export type GnosticValue = string | number | boolean | string[] | GnosticMessage | GnosticMessage[];

type Conv = (v: unknown, path: string) => GnosticValue;
type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
function obj(v: unknown, path: string): Json {
  if (!isObj(v)) throw new GnosticMappingError(path, `expected an object, got ${JSON.stringify(v)}`);
  return v;
}
function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new GnosticMappingError(path, `expected an array, got ${JSON.stringify(v)}`);
  return v;
}
const scalarOf = (t: 'string' | 'number' | 'boolean'): Conv => (v, path) => {
  if (typeof v !== t) throw new GnosticMappingError(path, `expected a ${t}, got ${JSON.stringify(v)}`);
  return v as string | number | boolean;
};
const str = scalarOf('string');
const num = scalarOf('number');
const bool = scalarOf('boolean');
const strList: Conv = (v, path) => arr(v, path).map((x, i) => str(x, `${path}[${i}]`) as string);
/** Any: the value as YAML text, as gnostic's compiler stores values it has no handler for. */
const anyValue: Conv = (v) => ({ yaml: yamlStringify(v) });
const list = (c: Conv): Conv => (v, path) => arr(v, path).map((x, i) => c(x, `${path}[${i}]`) as GnosticMessage);
/** A JSON object with free keys → repeated Named<T> { name, value }. */
const named = (c: Conv): Conv => (v, path) => Object.entries(obj(v, path)).map(([name, x]) => ({ name, value: c(x, `${path}.${name}`) }));
/** A message holding a single repeated Named<T> field. */
const namedIn = (field: string, c: Conv): Conv => (v, path) => ({ [field]: named(c)(v, path) });
/** A message with one member of its oneof set. */
const one = (field: string, value: GnosticValue): GnosticMessage => ({ [field]: value });

type Fields = Record<string, readonly [string, Conv]>;
/**
 * A message from a JSON object: `fields` maps JSON keys to [proto field, converter]; `x-…` keys go
 * to the repeated NamedAny field `ext` (when the message has one).
 */
function message(fields: () => Fields, ext: string | undefined = 'vendor_extension'): Conv {
  return (v, path) => {
    const o = obj(v, path);
    const out: GnosticMessage = {};
    const known = fields();
    const extensions: GnosticMessage[] = [];
    for (const [k, x] of Object.entries(o)) {
      if (x === undefined) continue;
      if (ext && k.startsWith('x-')) { extensions.push({ name: k, value: anyValue(x, `${path}.${k}`) }); continue; }
      const f = known[k];
      if (!f) throw new GnosticMappingError(`${path}.${k}`, 'no such field in openapi.v2');
      out[f[0]] = f[1](x, `${path}.${k}`);
    }
    if (ext && extensions.length) out[ext] = extensions;
    return out;
  };
}

// ---------------------------------------------------------------- small messages

const externalDocs = message(() => ({ description: ['description', str], url: ['url', str] }));
const contact = message(() => ({ name: ['name', str], url: ['url', str], email: ['email', str] }));
const license = message(() => ({ name: ['name', str], url: ['url', str] }));
const info = message(() => ({
  title: ['title', str], version: ['version', str], description: ['description', str],
  termsOfService: ['terms_of_service', str], contact: ['contact', contact], license: ['license', license],
}));
const tag = message(() => ({ name: ['name', str], description: ['description', str], externalDocs: ['external_docs', externalDocs] }));
const xml = message(() => ({
  name: ['name', str], namespace: ['namespace', str], prefix: ['prefix', str], attribute: ['attribute', bool], wrapped: ['wrapped', bool],
}));
const jsonReference = message(() => ({ $ref: ['_ref', str], description: ['description', str] }), undefined);

/** The JSON-Schema validation keywords shared by Schema, parameters, PrimitivesItems and Header. */
const VALIDATION: Fields = {
  format: ['format', str], default: ['default', anyValue], maximum: ['maximum', num], exclusiveMaximum: ['exclusive_maximum', bool],
  minimum: ['minimum', num], exclusiveMinimum: ['exclusive_minimum', bool], maxLength: ['max_length', num], minLength: ['min_length', num],
  pattern: ['pattern', str], maxItems: ['max_items', num], minItems: ['min_items', num], uniqueItems: ['unique_items', bool],
  enum: ['enum', list(anyValue)], multipleOf: ['multiple_of', num],
};

// ---------------------------------------------------------------- schemas

const schema: Conv = (v, path) => schemaMessage(v, path);
const schemaMessage = message(() => ({
  ...VALIDATION,
  $ref: ['_ref', str], title: ['title', str], description: ['description', str],
  maxProperties: ['max_properties', num], minProperties: ['min_properties', num], required: ['required', strList],
  additionalProperties: ['additional_properties', (v, p) => (typeof v === 'boolean' ? one('boolean', v) : one('schema', schema(v, p)))],
  type: ['type', (v, p) => ({ value: typeof v === 'string' ? [v] : strList(v, p) })],
  items: ['items', (v, p) => ({ schema: Array.isArray(v) ? list(schema)(v, p) : [schema(v, p) as GnosticMessage] })],
  allOf: ['all_of', list(schema)], properties: ['properties', namedIn('additional_properties', schema)],
  discriminator: ['discriminator', str], readOnly: ['read_only', bool], xml: ['xml', xml],
  externalDocs: ['external_docs', externalDocs], example: ['example', anyValue],
}));
const fileSchema = message(() => ({
  format: ['format', str], title: ['title', str], description: ['description', str], default: ['default', anyValue],
  required: ['required', strList], type: ['type', str], readOnly: ['read_only', bool],
  externalDocs: ['external_docs', externalDocs], example: ['example', anyValue],
}));

// ---------------------------------------------------------------- parameters

const primitivesItems: Conv = (v, path) => primitivesItemsMessage(v, path);
const primitivesItemsMessage = message(() => ({ ...VALIDATION, type: ['type', str], items: ['items', primitivesItems], collectionFormat: ['collection_format', str] }));
const header = message(() => ({ ...VALIDATION, type: ['type', str], items: ['items', primitivesItems], collectionFormat: ['collection_format', str], description: ['description', str] }));

const NON_BODY: Fields = {
  ...VALIDATION,
  required: ['required', bool], in: ['in', str], description: ['description', str], name: ['name', str],
  type: ['type', str], items: ['items', primitivesItems], collectionFormat: ['collection_format', str],
};
const withEmpty: Fields = { ...NON_BODY, allowEmptyValue: ['allow_empty_value', bool] };
/** `in` → NonBodyParameter's oneof member and its message. */
const NON_BODY_KINDS: Record<string, readonly [string, Conv]> = {
  query: ['query_parameter_sub_schema', message(() => withEmpty)],
  formData: ['form_data_parameter_sub_schema', message(() => withEmpty)],
  header: ['header_parameter_sub_schema', message(() => NON_BODY)],
  path: ['path_parameter_sub_schema', message(() => NON_BODY)],
};
const bodyParameter = message(() => ({
  description: ['description', str], name: ['name', str], in: ['in', str], required: ['required', bool], schema: ['schema', schema],
}));
const parameter: Conv = (v, path) => {
  const where = obj(v, path).in;
  if (where === 'body') return one('body_parameter', bodyParameter(v, path));
  const kind = typeof where === 'string' ? NON_BODY_KINDS[where] : undefined;
  if (!kind) throw new GnosticMappingError(`${path}.in`, `unknown parameter location ${JSON.stringify(where)}`);
  return { non_body_parameter: { [kind[0]]: kind[1](v, path) } };
};
const parametersItem: Conv = (v, path) =>
  (isObj(v) && '$ref' in v ? one('json_reference', jsonReference(v, path)) : one('parameter', parameter(v, path)));

// ---------------------------------------------------------------- operations and paths

const response = message(() => ({
  description: ['description', str],
  schema: ['schema', (v, p) => (isObj(v) && v.type === 'file' ? one('file_schema', fileSchema(v, p)) : one('schema', schema(v, p)))],
  headers: ['headers', namedIn('additional_properties', header)],
  examples: ['examples', namedIn('additional_properties', anyValue)],
}));
const responseValue: Conv = (v, path) =>
  (isObj(v) && '$ref' in v ? one('json_reference', jsonReference(v, path)) : one('response', response(v, path)));
/** Responses: status codes (and `default`) → NamedResponseValue; `x-…` → vendor_extension. */
const responses: Conv = (v, path) => {
  const codes: GnosticMessage[] = [];
  const ext: GnosticMessage[] = [];
  for (const [k, x] of Object.entries(obj(v, path))) {
    if (k.startsWith('x-')) ext.push({ name: k, value: anyValue(x, `${path}.${k}`) });
    else codes.push({ name: k, value: responseValue(x, `${path}.${k}`) });
  }
  return { response_code: codes, ...(ext.length ? { vendor_extension: ext } : {}) };
};
const securityRequirement: Conv = (v, path) => namedIn('additional_properties', (s, p) => ({ value: strList(s, p) }))(v, path);
const operation = message(() => ({
  tags: ['tags', strList], summary: ['summary', str], description: ['description', str], externalDocs: ['external_docs', externalDocs],
  operationId: ['operation_id', str], produces: ['produces', strList], consumes: ['consumes', strList],
  parameters: ['parameters', list(parametersItem)], responses: ['responses', responses], schemes: ['schemes', strList],
  deprecated: ['deprecated', bool], security: ['security', list(securityRequirement)],
}));
const pathItem = message(() => ({
  $ref: ['_ref', str], get: ['get', operation], put: ['put', operation], post: ['post', operation], delete: ['delete', operation],
  options: ['options', operation], head: ['head', operation], patch: ['patch', operation], parameters: ['parameters', list(parametersItem)],
}));
/** Paths: '/…' keys → NamedPathItem; `x-…` → vendor_extension. */
const paths: Conv = (v, path) => {
  const items: GnosticMessage[] = [];
  const ext: GnosticMessage[] = [];
  for (const [k, x] of Object.entries(obj(v, path))) {
    if (k.startsWith('x-')) ext.push({ name: k, value: anyValue(x, `${path}.${k}`) });
    else items.push({ name: k, value: pathItem(x, `${path}["${k}"]`) });
  }
  return { ...(ext.length ? { vendor_extension: ext } : {}), path: items };
};

// ---------------------------------------------------------------- security definitions

const scopes = namedIn('additional_properties', str);
const secFields = (extra: Fields): Fields => ({ type: ['type', str], description: ['description', str], ...extra });
const SECURITY_KINDS: Record<string, readonly [string, Conv]> = {
  basic: ['basic_authentication_security', message(() => secFields({}))],
  apiKey: ['api_key_security', message(() => secFields({ name: ['name', str], in: ['in', str] }))],
  'oauth2:implicit': ['oauth2_implicit_security', message(() => secFields({ flow: ['flow', str], scopes: ['scopes', scopes], authorizationUrl: ['authorization_url', str] }))],
  'oauth2:password': ['oauth2_password_security', message(() => secFields({ flow: ['flow', str], scopes: ['scopes', scopes], tokenUrl: ['token_url', str] }))],
  'oauth2:application': ['oauth2_application_security', message(() => secFields({ flow: ['flow', str], scopes: ['scopes', scopes], tokenUrl: ['token_url', str] }))],
  'oauth2:accessCode': ['oauth2_access_code_security', message(() => secFields({
    flow: ['flow', str], scopes: ['scopes', scopes], authorizationUrl: ['authorization_url', str], tokenUrl: ['token_url', str],
  }))],
};
const securityDefinitionsItem: Conv = (v, path) => {
  const o = obj(v, path);
  const key = o.type === 'oauth2' ? `oauth2:${String(o.flow)}` : String(o.type);
  const kind = SECURITY_KINDS[key];
  if (!kind) throw new GnosticMappingError(`${path}.type`, `unknown security scheme ${JSON.stringify(key)}`);
  return { [kind[0]]: kind[1](v, path) };
};

// ---------------------------------------------------------------- the document

const document = message(() => ({
  swagger: ['swagger', str], info: ['info', info], host: ['host', str], basePath: ['base_path', str],
  schemes: ['schemes', strList], consumes: ['consumes', strList], produces: ['produces', strList],
  paths: ['paths', paths], definitions: ['definitions', namedIn('additional_properties', schema)],
  parameters: ['parameters', namedIn('additional_properties', parameter)],
  responses: ['responses', namedIn('additional_properties', response)],
  security: ['security', list(securityRequirement)],
  securityDefinitions: ['security_definitions', namedIn('additional_properties', securityDefinitionsItem)],
  tags: ['tags', list(tag)], externalDocs: ['external_docs', externalDocs],
}));

/** The openapi.v2.Document message (plain data, proto field names) for a Swagger 2.0 JSON document. */
export function toGnosticDocument(swagger: unknown): GnosticMessage {
  return document(swagger, '$') as GnosticMessage;
}
