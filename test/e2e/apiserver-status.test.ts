/**
 * Errors as full metav1.Status, content negotiation, health and metrics, and where the API server
 * connects for pods/log — against the real API server and the real kubectl (1.32 and 1.33 for
 * `kubectl debug`, which panics on a 404 Status without details; ephemeral containers are served now).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PODNET_MAIN, startApiServer, type ApiServerHandle, type KubectlResult } from '../support/apiserver.js';
import { startEtcd } from '../support/etcd.js';
import { createClient, loadKubeconfig, R } from '../../src/client/index.js';

const KUBECTL = (v: string): string => `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`;

function run(bin: string, args: string[], env: Record<string, string>, input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const c = execFile(bin, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ stdout: String(stdout), stderr: String(stderr), code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0 });
    });
    c.stdin?.on('error', () => undefined);
    c.stdin?.end(input ?? '');
  });
}

interface Raw { code: number; type: string; body: string; json(): Record<string, unknown> }
/** One HTTPS request with the admin client certificate of the kubeconfig. */
function raw(api: ApiServerHandle, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  const kc = parseYaml(readFileSync(api.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
  const b64 = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${api.url}${path}`, {
      method, headers, ca: b64(kc.clusters[0]!.cluster['certificate-authority-data']),
      cert: b64(kc.users[0]!.user['client-certificate-data']), key: b64(kc.users[0]!.user['client-key-data']),
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: text, json: () => JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const STATUS_KEYS = ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code'];

function assertStatus(r: Raw, code: number, reason: string): Record<string, unknown> {
  assert.equal(r.code, code, r.body);
  assert.match(r.type, /^application\/json/);
  const s = r.json();
  assert.deepEqual(Object.keys(s), STATUS_KEYS, r.body);
  assert.deepEqual([s.kind, s.apiVersion, s.status, s.reason, s.code], ['Status', 'v1', 'Failure', reason, code]);
  return s;
}

test('errors are full Status objects; Accept is honoured; health and metrics', async () => {
  const api = await startApiServer({ controllers: 'serviceaccount' });
  try {
    await api.kubectl(['run', 'p0', '--image=podnet/shell', '--restart=Never', '--overrides={"spec":{"nodeName":"nowhere"}}']);
    // unknown path: upstream's exact body
    const unknown = await raw(api, 'GET', '/no/such/path');
    assertStatus(unknown, 404, 'NotFound');
    assert.deepEqual(unknown.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    // a missing object: details name the object and the resource plural
    assert.deepEqual(assertStatus(await raw(api, 'GET', '/api/v1/namespaces/default/pods/nope'), 404, 'NotFound').details, { name: 'nope', kind: 'pods' });
    assert.deepEqual(assertStatus(await raw(api, 'GET', '/apis/apps/v1/namespaces/default/deployments/nope'), 404, 'NotFound').details, { name: 'nope', group: 'apps', kind: 'deployments' });
    // the ephemeralcontainers subresource of a missing pod: 404 naming it (kubectl debug reads details)
    assert.deepEqual(assertStatus(await raw(api, 'PATCH', '/api/v1/namespaces/default/pods/nope/ephemeralcontainers', { 'content-type': 'application/strategic-merge-patch+json' }, '{}'), 404, 'NotFound').details, { name: 'nope', kind: 'pods' });
    // 405, 415, 406
    assertStatus(await raw(api, 'PUT', '/api/v1/namespaces/default/pods', { 'content-type': 'application/json' }, '{}'), 405, 'MethodNotAllowed');
    assertStatus(await raw(api, 'PATCH', '/api/v1/namespaces/default/pods/p0', { 'content-type': 'text/csv' }, 'a,b'), 415, 'UnsupportedMediaType');
    // a Table is served only as JSON: asked only as protobuf it is 406 (plain objects are served as protobuf, see apiserver-protobuf)
    const na = assertStatus(await raw(api, 'GET', '/api/v1/namespaces/default/pods', { accept: 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io' }), 406, 'NotAcceptable');
    assert.equal(na.message, 'only the following media types are accepted: application/json');
    for (const accept of ['application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json', '*/*']) {
      const ok = await raw(api, 'GET', '/api/v1/namespaces/default/pods', { accept });
      assert.equal(ok.code, 200, accept);
      assert.match(ok.type, /^application\/json/);
    }
    assert.equal((await raw(api, 'GET', '/api/v1/namespaces/default/pods', { accept: 'application/vnd.kubernetes.protobuf, */*' })).type, 'application/vnd.kubernetes.protobuf');
    // 409 AlreadyExists and 422 Invalid with details
    const dup = await api.kubectlRaw(['run', 'p0', '--image=x', '--restart=Never']);
    assert.match(dup.stderr, /AlreadyExists.*pods "p0" already exists/);
    const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ftp' }, spec: { containers: [{ name: 'c', image: 'i', readinessProbe: { httpGet: { port: 21, scheme: 'FTP' } } }] } };
    const inv = assertStatus(await raw(api, 'POST', '/api/v1/namespaces/default/pods', { 'content-type': 'application/json' }, JSON.stringify(bad)), 422, 'Invalid');
    assert.deepEqual(inv.details, { name: 'ftp', kind: 'Pod', causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "FTP": supported values: "HTTP", "HTTPS"', field: 'spec.containers[0].readinessProbe.httpGet.scheme' }] });
    const kbad = await api.kubectlRaw(['create', '-f', '-'], JSON.stringify(bad));
    assert.match(kbad.stderr, /spec\.containers\[0\]\.readinessProbe\.httpGet\.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"/);

    // kubectl debug with an ephemeral container: served now (pods/ephemeralcontainers); no Go panic
    for (const v of ['1.32', '1.33']) {
      const name = `dbg${v.replace('.', '')}`;
      const r = await run(KUBECTL(v), ['debug', 'p0', '--image=busybox', '--profile=general', '-c', name], { KUBECONFIG: api.kubeconfigPath });
      assert.equal(r.code, 0, `kubectl ${v} debug: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /panic:|goroutine /, `kubectl ${v}: ${r.stderr}`);
      const names = await run(KUBECTL(v), ['get', 'pod', 'p0', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}'], { KUBECONFIG: api.kubeconfigPath });
      assert.match(names.stdout, new RegExp(`\\b${name}\\b`), `kubectl ${v}: ${names.stdout}${names.stderr}`);
    }

    // health: ok, verbose lists the storage check; metrics with upstream names
    const ready = await raw(api, 'GET', '/readyz');
    assert.deepEqual([ready.code, ready.body], [200, 'ok']);
    const verbose = await raw(api, 'GET', '/readyz?verbose');
    assert.match(verbose.body, /^\[\+\]ping ok\n\[\+\]log ok\n\[\+\]etcd ok\nreadyz check passed\n$/);
    for (const p of ['/livez', '/healthz', '/livez/etcd']) assert.equal((await raw(api, 'GET', p)).body, 'ok', p);
    const m = await raw(api, 'GET', '/metrics');
    assert.equal(m.code, 200);
    assert.match(m.body, /apiserver_request_total\{verb="GET",group="",version="v1",resource="pods",subresource="",scope="resource",component="apiserver",code="404"\} \d+/);
    assert.match(m.body, /apiserver_request_total\{verb="LIST",[^}]*resource="pods"[^}]*code="406"\} 1/);
    assert.match(m.body, /apiserver_request_duration_seconds_bucket\{le="[^"]+",verb="POST"[^}]*resource="pods"/);
    assert.match(m.body, /etcd_request_duration_seconds_count\{operation="get",type="pods"\} \d+/);
    assert.match(m.body, /apiserver_storage_objects\{resource="pods"\} 1\n/);
    assert.match(m.body, /apiserver_storage_objects\{resource="namespaces"\} 4\n/);
  } finally {
    await api.stop();
  }
});

test('/readyz fails with the storage check named when etcd is down', async () => {
  const etcd = await startEtcd();
  let api: ApiServerHandle | undefined;
  try {
    api = await startApiServer({ controllers: 'serviceaccount', storage: `etcd:${etcd.endpoint}` });
    assert.equal((await raw(api, 'GET', '/readyz')).body, 'ok');
    await etcd.crash();
    const r = await raw(api, 'GET', '/readyz');
    assert.equal(r.code, 500);
    assert.match(r.body, /\[\+\]ping ok\n\[\+\]log ok\n\[-\]etcd failed: reason withheld\nreadyz check failed\n$/);
    assert.equal((await raw(api, 'GET', '/healthz')).code, 500);
    assert.equal((await raw(api, 'GET', '/readyz?exclude=etcd')).code, 200);
    await etcd.restart();
    let back = 0;
    for (let i = 0; i < 50 && back !== 200; i++) { back = (await raw(api, 'GET', '/readyz')).code; if (back !== 200) await new Promise((res) => setTimeout(res, 200)); }
    assert.equal(back, 200);
  } finally {
    await api?.stop();
    await etcd.stop();
  }
});

test('the embedded controllers serve /healthz and /metrics on the loopback address asked for', async () => {
  const port = await new Promise<number>((resolve) => { const s = createNetServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); }); });
  const api = await startApiServer({ extraArgs: ['--controllers-bind-address', `127.0.0.1:${port}`] });
  try {
    await api.kubectl(['create', 'deployment', 'web', '--image=podnet/shell']);
    let text = '';
    // the controllers work asynchronously (and slowly on a loaded machine): poll for up to 60 s
    const want = [/^workqueue_adds_total\{name="deployment"\} [1-9]\d*$/m, /^workqueue_depth\{name="replicaset"\} \d+$/m];
    for (const end = Date.now() + 60_000; Date.now() < end && !want.every((re) => re.test(text));) {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(text, /^workqueue_adds_total\{name="deployment"\} [1-9]\d*$/m);
    assert.match(text, /^workqueue_depth\{name="replicaset"\} \d+$/m);
    const h = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.deepEqual([h.status, await h.text()], [200, 'ok']);
  } finally {
    await api.stop();
  }
});

/** A kubelet stand-in on a unix socket: answers container logs with `text` and counts connections. */
async function socketServer(path: string, text: string): Promise<{ server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(text); });
  server.on('connection', () => { hits++; });
  await new Promise<void>((r) => server.listen(path, r));
  return { server, hits: () => hits };
}

test('the API server connects only to the kubelet socket the node itself registered under the socket root', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tkubeletroot-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'n1'), { recursive: true });
  mkdirSync(join(root, 'elsewhere'), { recursive: true });
  const servers: Server[] = [];
  let nodeClientRef: { close(): void } | undefined;
  const api = await startApiServer({ controllers: 'serviceaccount', extraArgs: ['--kubelet-socket-root', root] });
  try {
    const real = await socketServer(join(root, 'n1', 'kubelet.sock'), 'from-the-registered-kubelet\n');
    const evil = await socketServer(join(root, 'elsewhere', 'kubelet.sock'), 'from-a-socket-an-admin-chose\n');
    const outside = await socketServer(join(dir, 'outside.sock'), 'from-outside-the-root\n');
    servers.push(real.server, evil.server, outside.server);
    const nodeKc = join(dir, 'node.kubeconfig');
    writeFileSync(nodeKc, (await run(process.execPath, [PODNET_MAIN, 'kubeconfig', '--data-dir', api.dataDir, '--user', 'system:node:n1', '--group', 'system:nodes'], {})).stdout);
    const asNode = (args: string[], input?: string): Promise<KubectlResult> => run('kubectl', args, { KUBECONFIG: nodeKc }, input);
    const endpoint = (path: string): string => JSON.stringify({ status: { daemonEndpoints: { kubeletEndpoint: { Port: 0, Path: path } } } });

    assert.equal((await asNode(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }))).code, 0);
    await api.kubectl(['run', 'p1', '--image=podnet/shell', '--restart=Never', '--overrides={"spec":{"nodeName":"n1"}}']);
    // nothing registered yet: a clear 400, no connection anywhere
    const none = await api.kubectlRaw(['logs', 'p1']);
    assert.match(none.stderr, /node n1 has not registered a kubelet endpoint with its own credentials/);
    // an admin writing the field (and the old annotation) before the node does: not used
    await api.kubectl(['patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p', endpoint(evil.server.address() as string)]);
    await api.kubectl(['annotate', 'node', 'n1', `podnet.io/kubelet-socket=${join(root, 'elsewhere', 'kubelet.sock')}`]);
    assert.match((await api.kubectlRaw(['logs', 'p1'])).stderr, /has not registered a kubelet endpoint/);
    // the node registers its socket with its own credential
    // (as the kubelet does it: a PATCH of nodes/status; `kubectl patch --subresource=status` would first GET
    // nodes/status, which upstream's Node authorizer does not grant a node)
    const nodeClient = createClient(loadKubeconfig(nodeKc));
    nodeClientRef = nodeClient;
    const statusPatch = (path: string): Promise<unknown> => nodeClient.patch(R.nodes, 'n1', JSON.parse(endpoint(path)), 'merge', 'status');
    await statusPatch(join(root, 'n1', 'kubelet.sock'));
    assert.equal((await api.kubectl(['logs', 'p1'])).stdout, 'from-the-registered-kubelet\n');
    // an admin redirecting it afterwards: still the node's socket
    await api.kubectl(['patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p', endpoint(join(root, 'elsewhere', 'kubelet.sock'))]);
    await api.kubectl(['annotate', '--overwrite', 'node', 'n1', `podnet.io/kubelet-socket=${join(dir, 'outside.sock')}`]);
    assert.equal((await api.kubectl(['logs', 'p1'])).stdout, 'from-the-registered-kubelet\n');
    // the node itself naming a socket outside the root: refused, the registered one stays
    await statusPatch(join(dir, 'outside.sock'));
    assert.equal((await api.kubectl(['logs', 'p1'])).stdout, 'from-the-registered-kubelet\n');
    // exec follows the same rule
    const ex = await api.kubectlRaw(['exec', 'p1', '--', 'true']);
    assert.notEqual(ex.code, 0);
    assert.equal(evil.hits(), 0, 'the API server connected to the socket an admin named');
    assert.equal(outside.hits(), 0, 'the API server connected to a socket outside the root');
    assert.ok(real.hits() >= 3);
  } finally {
    for (const s of servers) s.close();
    nodeClientRef?.close();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
