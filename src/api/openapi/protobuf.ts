/**
 * OpenAPI v2 in protobuf form (gnostic's `openapi.v2.Document`, schema in ./proto/OpenAPIv2.proto),
 * the body kube-apiserver serves for
 * `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and kubectl 1.27/1.28 read
 * for apply, diff, edit and explain. Encoding goes through protobufjs from the stored schema.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { PodnetError } from '../../util/errors.js';
import { toGnosticDocument } from './gnostic.js';

/** The media types a client may ask the protobuf form with (kubectl 1.27/1.28 send the first). */
export const OPENAPI_V2_PROTOBUF_TYPES = [
  'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
] as const;
/**
 * The Content-Type the protobuf form is answered with, whichever spelling was asked: `@` is not a
 * token character, so Go's mime.ParseMediaType (client-go checks every response's type) rejects
 * the first spelling; upstream answers with the dotted one too.
 */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** The .proto schema: beside this module in the source tree (dist/ holds only compiled code). */
const SCHEMA_CANDIDATES = [
  new URL('./proto/OpenAPIv2.proto', import.meta.url),
  new URL('../../../../src/api/openapi/proto/OpenAPIv2.proto', import.meta.url),
].map((u) => fileURLToPath(u));

export class OpenApiSchemaMissingError extends PodnetError {
  constructor() { super('EOPENAPIPROTO', `openapi: OpenAPIv2.proto not found (looked in ${SCHEMA_CANDIDATES.join(', ')})`); }
}

/** Path of the stored OpenAPIv2.proto. */
export function openapiV2ProtoPath(): string {
  const found = SCHEMA_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new OpenApiSchemaMissingError();
  return found;
}

let docType: protobuf.Type | undefined;
/** The `openapi.v2.Document` message type, loaded once (proto field names kept as written). */
export function openapiV2DocumentType(): protobuf.Type {
  if (!docType) {
    const root = new protobuf.Root().loadSync(openapiV2ProtoPath(), { keepCase: true });
    docType = root.lookupType('openapi.v2.Document');
  }
  return docType;
}

/** Encodes a Swagger 2.0 JSON document as an `openapi.v2.Document`. */
export function encodeOpenapiV2(swagger: unknown): Buffer {
  const type = openapiV2DocumentType();
  const plain = toGnosticDocument(swagger);
  const problem = type.verify(plain);
  if (problem) throw new PodnetError('EOPENAPIPROTO', `openapi v2 → protobuf: ${problem}`);
  return Buffer.from(type.encode(type.fromObject(plain)).finish());
}
