/**
 * Kubernetes' protobuf wire format (`application/vnd.kubernetes.protobuf`): the 4 bytes "k8s\0",
 * then a runtime.Unknown {typeMeta {apiVersion, kind}, raw: the object's message, contentEncoding,
 * contentType}. Objects are encoded and decoded through protobufjs with the pinned generated.proto
 * (./schema.ts) and converted to and from their JSON form by ./convert.ts.
 */
import protobuf from 'protobufjs';
import { ApiStatusError } from '../server/status.js';
import { messageFromJson, messageToJson, ProtobufConvertError } from './convert.js';
import { kubernetesProto, messageFor, RUNTIME } from './schema.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

export function isProtobufBody(buf: Uint8Array): boolean {
  return buf.length >= 4 && Buffer.from(buf.subarray(0, 4)).equals(PROTOBUF_MAGIC);
}

let unknown: protobuf.Type | undefined;
const unknownType = (): protobuf.Type => (unknown ??= kubernetesProto().root.lookupType(`${RUNTIME}.Unknown`));

function decodeMessage(type: protobuf.Type, buf: Uint8Array, where: string): Record<string, unknown> {
  try {
    return type.decode(buf) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new ProtobufConvertError(`${where}: ${(e as Error).message}`);
  }
}

/**
 * Decodes a protobuf request body into the object's JSON form (with apiVersion and kind). Throws
 * ApiStatusError 415 for a type the pinned schema does not have, 400 for malformed data.
 */
export function decodeProtobufObject(buf: Uint8Array): Record<string, unknown> {
  if (!isProtobufBody(buf)) throw new ProtobufConvertError('missing the "k8s\\0" prefix');
  const env = decodeMessage(unknownType(), buf.subarray(4), 'Unknown');
  const tm = (env.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  if (env.contentEncoding) throw new ProtobufConvertError(`content encoding "${String(env.contentEncoding)}" is not supported`);
  const apiVersion = tm.apiVersion ?? '';
  const kind = tm.kind ?? '';
  const type = messageFor(apiVersion, kind);
  if (!type) {
    throw new ApiStatusError(415, 'UnsupportedMediaType', `protobuf bodies for ${apiVersion || '?'}/${kind || '?'} are not supported by podnet; accepted media types include: application/json, application/yaml`);
  }
  const raw = env.raw instanceof Uint8Array ? env.raw : new Uint8Array(0);
  const obj = messageToJson(type, decodeMessage(type, raw, kind), kind);
  return { apiVersion, kind, ...(obj as Record<string, unknown>) };
}

/** Whether `obj` (with apiVersion and kind) has a message in the pinned schema. */
export function canEncodeProtobuf(obj: { apiVersion?: unknown; kind?: unknown }): boolean {
  return typeof obj.apiVersion === 'string' && typeof obj.kind === 'string' && messageFor(obj.apiVersion, obj.kind) !== undefined;
}

export class ProtobufEncodeError extends ApiStatusError {
  constructor(apiVersion: string, kind: string) {
    super(406, 'NotAcceptable', `${apiVersion}/${kind} cannot be served as ${PROTOBUF_CONTENT_TYPE}; the server can produce: application/json`);
  }
}

/** Encodes an object (with apiVersion and kind) as upstream's server writes it: magic + Unknown. */
export function encodeProtobufObject(obj: Record<string, unknown>): Buffer {
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const type = messageFor(apiVersion, kind);
  if (!type) throw new ProtobufEncodeError(apiVersion, kind);
  const raw = type.encode(messageFromJson(type, obj, kind) ?? {}).finish();
  const env = unknownType().encode({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' }).finish();
  return Buffer.concat([PROTOBUF_MAGIC, env]);
}
