/**
 * GET /openapi/v2, /openapi/v3 and /openapi/v3/<group-version>, negotiated on Accept the way
 * kube-openapi's handlers do: /openapi/v2 in JSON or in gnostic's protobuf (the form kubectl
 * 1.27/1.28 ask for), /openapi/v3 documents in JSON only. A request whose Accept admits none of
 * those gets a 406 NotAcceptable Status, never another type with a 200. Every body is rendered
 * once per document and kept with its ETag; a matching If-None-Match gets a 304.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { onOpenApiInvalidated, openapiV2, openapiV3, openapiV3Discovery } from '../openapi/index.js';
import { encodeOpenapiV2, OPENAPI_V2_PROTOBUF_CONTENT_TYPE, OPENAPI_V2_PROTOBUF_TYPES } from '../openapi/protobuf.js';
import { negotiate } from './negotiate.js';
import { ApiStatusError, notAcceptable } from './status.js';

const JSON_TYPE = 'application/json';
const V2_OFFERS = [JSON_TYPE, ...OPENAPI_V2_PROTOBUF_TYPES] as const;
const V3_OFFERS = [JSON_TYPE] as const;

interface Rendered { body: Buffer; etag: string }
const rendered = new Map<string, Rendered>();
onOpenApiInvalidated(() => rendered.clear());

function render(key: string, make: () => Buffer): Rendered {
  let r = rendered.get(key);
  if (!r) {
    const body = make();
    r = { body, etag: `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"` };
    rendered.set(key, r);
  }
  return r;
}
const jsonBytes = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc));

function send(req: IncomingMessage, res: ServerResponse, contentType: string, r: Rendered, headers: Record<string, string>): void {
  const common = { vary: 'Accept', etag: r.etag, ...headers };
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').map((s) => s.trim()).some((t) => t === r.etag || t === `W/${r.etag}` || t === '*')) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': contentType, 'content-length': r.body.length, ...common });
  res.end(req.method === 'HEAD' ? undefined : r.body);
}

function choose(req: IncomingMessage, offers: readonly string[]): string {
  const type = negotiate(req.headers.accept, offers);
  if (!type) throw notAcceptable(offers);
  return type;
}

/** Serves `path` if it is one of the OpenAPI endpoints; false otherwise. */
export function serveOpenApi(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (path === '/openapi/v2') {
    const type = choose(req, V2_OFFERS);
    if (type === JSON_TYPE) send(req, res, type, render('v2 json', () => jsonBytes(openapiV2())), { 'cache-control': 'no-cache, private' });
    else send(req, res, OPENAPI_V2_PROTOBUF_CONTENT_TYPE, render('v2 protobuf', () => encodeOpenapiV2(openapiV2())), { 'cache-control': 'no-cache, private' });
    return true;
  }
  if (path === '/openapi/v3') {
    const type = choose(req, V3_OFFERS);
    send(req, res, type, render('v3 discovery', () => jsonBytes(openapiV3Discovery())), { 'cache-control': 'no-cache, private' });
    return true;
  }
  if (path.startsWith('/openapi/v3/')) {
    const gv = path.slice('/openapi/v3/'.length);
    const doc = openapiV3(gv);
    if (!doc) throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    const type = choose(req, V3_OFFERS);
    send(req, res, type, render(`v3 ${gv}`, () => jsonBytes(doc)), { 'cache-control': 'public, immutable' });
    return true;
  }
  return false;
}
