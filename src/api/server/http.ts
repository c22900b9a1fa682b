import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiStatusError, badRequest, internal, tooLarge, unsupportedMediaType, type StatusBody } from './status.js';
import { BadPatchError } from '../patch/index.js';
import { decodeProtobufObject } from './protobuf.js';

/** Upstream's request body limit (3 MiB). */
const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw tooLarge(MAX_BODY);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The request body types the server decodes. */
export const BODY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] as const;

/** Decodes a JSON, YAML or Kubernetes-protobuf request body. */
export function decodeBody(buf: Buffer, contentType: string | undefined): unknown {
  const text = buf.toString('utf8');
  if (!text.trim()) throw badRequest('the request body is empty');
  const ct = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/vnd.kubernetes.protobuf') return decodeProtobufObject(buf);
  if (ct === 'application/cbor') {
    throw unsupportedMediaType('', BODY_TYPES);
  }
  try {
    if (ct === 'application/yaml' || ct === 'application/apply-patch+yaml') return parseYaml(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'cache-control': 'no-cache, private', ...headers });
  res.end(data);
}

/** Converts any thrown error into a metav1.Status response body. */
export function statusOf(e: unknown): StatusBody {
  if (e instanceof ApiStatusError) return e.body();
  if (e instanceof BadPatchError) return new ApiStatusError(422, 'Invalid', e.message, { causes: [{ reason: 'FieldValueInvalid', message: e.message }] }).body();
  return internal(e instanceof Error ? e.message : String(e)).body();
}

export function sendError(res: ServerResponse, e: unknown): void {
  const body = statusOf(e);
  if (res.headersSent) { res.destroy(); return; }
  sendJson(res, body.code, body);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
