/**
 * Writes an API object in the media type the request's Accept header prefers: JSON, or Kubernetes
 * protobuf (`application/vnd.kubernetes.protobuf`) for every kind the pinned schema has. A type the
 * server cannot produce for this object (protobuf of a custom resource, a Table, a watch stream) is
 * never answered with another type and a 200: JSON when the client accepts it too, else 406.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { negotiate } from './negotiate.js';
import { sendJson } from './http.js';
import { canEncodeProtobuf, encodeProtobufObject, PROTOBUF_CONTENT_TYPE } from './protobuf.js';
import { notAcceptable } from './status.js';

/** The response types of resource endpoints, JSON first (what `*\/*` gets). */
export const OBJECT_TYPES = ['application/json', PROTOBUF_CONTENT_TYPE] as const;

/**
 * The Accept header without the protobuf ranges asking for a conversion (`;as=Table`,
 * `;as=PartialObjectMetadata`): podnet serves those only as JSON, so such a range matches nothing.
 */
function plainAccept(accept: string | undefined): string | undefined {
  if (!accept) return accept;
  return accept.split(',').map((clause) => {
    const [mt, ...params] = clause.split(';').map((s) => s.trim());
    const conv = params.some((p) => /^as\s*=/i.test(p));
    return conv && mt?.toLowerCase() === PROTOBUF_CONTENT_TYPE ? `application/x-podnet-unserved;${params.join(';')}` : clause;
  }).join(',');
}

/** The media type to answer `body` with, or 406 NotAcceptable. */
export function objectResponseType(accept: string | undefined, body: { apiVersion?: unknown; kind?: unknown }): string {
  const offers = canEncodeProtobuf(body) ? OBJECT_TYPES : (['application/json'] as const);
  const type = negotiate(plainAccept(accept), offers);
  if (!type) throw notAcceptable(offers);
  return type;
}

/** Throws 406 unless the request accepts JSON (streams and tables podnet writes only as JSON). */
export function assertJsonAcceptable(accept: string | undefined): void {
  if (!negotiate(plainAccept(accept), ['application/json'])) throw notAcceptable(['application/json']);
}

export function sendObject(req: IncomingMessage, res: ServerResponse, code: number, body: object, headers: Record<string, string> = {}): void {
  const type = objectResponseType(req.headers.accept, body as { apiVersion?: unknown; kind?: unknown });
  if (type === 'application/json') return sendJson(res, code, body, headers);
  const data = encodeProtobufObject(body as Record<string, unknown>);
  res.writeHead(code, { 'content-type': PROTOBUF_CONTENT_TYPE, 'content-length': data.length, 'cache-control': 'no-cache, private', ...headers });
  res.end(data);
}
