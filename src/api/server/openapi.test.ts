import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { openapiV2, openapiV3 } from '../openapi/index.js';
import { openapiV2ProtoPath } from '../openapi/protobuf.js';
import { serveOpenApi } from './openapi.js';
import { sendError } from './http.js';

const PB = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PB_DOTTED = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

async function withServer(f: (get: (path: string, headers?: Record<string, string>) => Promise<Reply>) => Promise<void>): Promise<void> {
  const srv: Server = createServer((req, res) => {
    try {
      if (!serveOpenApi(req, res, new URL(req.url ?? '/', 'http://x').pathname)) { res.writeHead(404); res.end(); }
    } catch (e) { sendError(res, e); }
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const get = (path: string, headers: Record<string, string> = {}): Promise<Reply> => new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
  try { await f(get); } finally { await new Promise((r) => srv.close(r)); }
}

test('/openapi/v2: JSON by default, protobuf for either spelling, answered with the type Go can parse', async () => {
  await withServer(async (get) => {
    const json = await get('/openapi/v2');
    assert.equal(json.status, 200);
    assert.equal(json.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(json.body.toString()), openapiV2());
    assert.equal(json.headers.vary, 'Accept');

    const Document = new protobuf.Root().loadSync(openapiV2ProtoPath(), { keepCase: true }).lookupType('openapi.v2.Document');
    for (const accept of [PB, PB_DOTTED, `${PB}, application/json`, `application/json;q=0.5, ${PB}`]) {
      const pb = await get('/openapi/v2', { accept });
      assert.equal(pb.status, 200, accept);
      assert.equal(pb.headers['content-type'], PB_DOTTED, accept);
      const doc = Document.toObject(Document.decode(pb.body)) as { swagger: string; definitions: { additional_properties: unknown[] } };
      assert.equal(doc.swagger, '2.0');
      assert.equal(doc.definitions.additional_properties.length, Object.keys(openapiV2().definitions as object).length);
    }
    assert.equal((await get('/openapi/v2', { accept: `application/json, ${PB}` })).headers['content-type'], 'application/json');
  });
});

test('ETags differ per form and If-None-Match gets a 304', async () => {
  await withServer(async (get) => {
    const a = await get('/openapi/v2', { accept: PB });
    const b = await get('/openapi/v2', { accept: 'application/json' });
    assert.match(String(a.headers.etag), /^"[0-9A-F]{128}"$/);
    assert.notEqual(a.headers.etag, b.headers.etag);
    const again = await get('/openapi/v2', { accept: PB, 'if-none-match': String(a.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal((await get('/openapi/v2', { accept: PB, 'if-none-match': String(b.headers.etag) })).status, 200);
  });
});

test('406 NotAcceptable Status when no offered type is acceptable; never another type with 200', async () => {
  await withServer(async (get) => {
    const cases: [string, string][] = [
      ['/openapi/v2', 'application/yaml'],
      ['/openapi/v2', 'application/json;q=0'],
      ['/openapi/v3', PB],
      ['/openapi/v3/api/v1', 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf'],
    ];
    for (const [path, accept] of cases) {
      const r = await get(path, { accept });
      assert.equal(r.status, 406, `${path} ${accept}`);
      const s = JSON.parse(r.body.toString()) as Record<string, unknown>;
      assert.deepEqual({ kind: s.kind, apiVersion: s.apiVersion, status: s.status, reason: s.reason, code: s.code }, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotAcceptable', code: 406 });
      assert.match(String(s.message), /^only the following media types are accepted: application\/json/);
    }
  });
});

test('/openapi/v3 documents: JSON for json or */*; 404 for an unknown group-version', async () => {
  await withServer(async (get) => {
    const r = await get('/openapi/v3/api/v1', { accept: 'application/json' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'public, immutable');
    assert.deepEqual(JSON.parse(r.body.toString()), openapiV3('api/v1'));
    assert.equal((await get('/openapi/v3', { accept: '*/*' })).status, 200);
    assert.equal((await get('/openapi/v3/apis/nope/v1')).status, 404);
  });
});
