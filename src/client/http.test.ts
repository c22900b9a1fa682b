import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from './http.js';
import { ApiError } from './errors.js';
import { parseKubeconfig } from './kubeconfig.js';
import { R, resourcePath } from './resources.js';

test('paths', () => {
  assert.equal(resourcePath(R.pods('ns1'), 'p', 'binding'), '/api/v1/namespaces/ns1/pods/p/binding');
  assert.equal(resourcePath(R.deployments), '/apis/apps/v1/deployments');
  assert.equal(resourcePath(R.nodes, 'n1', 'status'), '/api/v1/nodes/n1/status');
});

test('kubeconfig: data fields, current-context', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const cfg = parseKubeconfig(`
apiVersion: v1
kind: Config
current-context: two
clusters:
- name: c1
  cluster: { server: "https://127.0.0.1:1111", certificate-authority-data: ${b64('CA1')} }
- name: c2
  cluster: { server: "unix:///run/x/api", certificate-authority-data: ${b64('CA2')} }
users:
- name: u2
  user: { client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')} }
contexts:
- name: one
  context: { cluster: c1, user: u2 }
- name: two
  context: { cluster: c2, user: u2, namespace: kube-system }
`);
  assert.equal(cfg.server, 'unix:///run/x/api');
  assert.equal(cfg.ca?.toString(), 'CA2');
  assert.equal(cfg.cert?.toString(), 'CERT');
  assert.equal(cfg.key?.toString(), 'KEY');
  assert.equal(cfg.namespace, 'kube-system');
  assert.throws(() => parseKubeconfig('current-context: nope\ncontexts: [{name: a, context: {cluster: x}}]\nclusters: []'), /context "nope"/);
});

test('client: Status errors, watch stream split across chunks', async () => {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/v1/namespaces/d/pods/missing')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "missing" not found' }));
    } else if (req.url?.includes('watch=1')) {
      assert.match(req.url, /resourceVersion=7/);
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      const a = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'p1', resourceVersion: '8' } } }) + '\n';
      const b = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', reason: 'Expired', code: 410, message: 'too old' } }) + '\n';
      res.write(a.slice(0, 10));
      setTimeout(() => { res.write(a.slice(10) + b.slice(0, 5)); setTimeout(() => res.end(b.slice(5)), 10); }, 10);
    } else if (req.method === 'PATCH') {
      assert.equal(req.headers['content-type'], 'application/merge-patch+json');
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }));
    } else { res.writeHead(500); res.end('boom'); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const c = createClient({ server: `http://127.0.0.1:${port}` });
  try {
    await assert.rejects(c.get(R.pods('d'), 'missing'), (e: unknown) => e instanceof ApiError && e.code === 'NotFound' && e.httpStatus === 404);
    await assert.rejects(c.get(R.nodes, 'x'), (e: unknown) => e instanceof ApiError && e.code === 'InternalError');
    const p = await c.patch(R.pods('d'), 'p', { metadata: { labels: { a: 'b' } } }, 'merge');
    assert.equal(p.metadata.name, 'p');
    const got: string[] = [];
    const ac = new AbortController();
    await assert.rejects((async () => {
      for await (const ev of c.watch(R.pods, { resourceVersion: '7' }, ac.signal)) got.push(`${ev.type} ${ev.object.metadata.name}`);
    })(), (e: unknown) => e instanceof ApiError && e.code === 'Expired' && e.httpStatus === 410);
    assert.deepEqual(got, ['ADDED p1']);
  } finally {
    c.close();
    server.close();
  }
});
