// End-to-end: authorization with the real kubectl against a real API server child process.
// A user bound to `view` in one namespace, `auth can-i` (incl. --list), `auth whoami` with
// kubectl 1.27 and 1.33, impersonation (--as), upstream's 403 Status body, and a node
// credential restricted by the Node authorizer and NodeRestriction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { issueClientCert, renderKubeconfig, ensurePki, type CertPair } from '../../src/api/pki.js';
import { startApiServer, runKubectl, type ApiServerHandle, type KubectlResult } from '../support/apiserver.js';

const KUBECTL = (minor: number): string => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;

function runBinary(bin: string, kubeconfig: string, args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ stdout: String(stdout), stderr: String(stderr), code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0 });
    });
  });
}

function credential(api: ApiServerHandle, user: string, groups: string[]): { kubeconfig: string; pair: CertPair } {
  const pair = issueClientCert(api.dataDir, user, groups);
  const pki = ensurePki(api.dataDir);
  const kubeconfig = join(api.dataDir, `${user.replace(/[^a-z0-9]/gi, '_')}.kubeconfig`);
  writeFileSync(kubeconfig, renderKubeconfig({ server: api.url, ca: pki.ca.cert, cert: pair.cert, key: pair.key, user }), { mode: 0o600 });
  return { kubeconfig, pair };
}

/** A raw request with a client certificate: status code and parsed body. */
function rawRequest(api: ApiServerHandle, pair: CertPair, method: string, path: string, body?: unknown): Promise<{ code: number; body: unknown }> {
  const ca = ensurePki(api.dataDir).ca.cert;
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/merge-patch+json' };
    const req = request(`${api.url}${path}`, { cert: pair.cert, key: pair.key, ca, method, headers }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => { data += d.toString(); });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(data) as unknown }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
const rawGet = (api: ApiServerHandle, pair: CertPair, path: string): Promise<{ code: number; body: unknown }> => rawRequest(api, pair, 'GET', path);

async function eventually(what: string, f: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const SETUP = `
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: team}
data: {a: b}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-view, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: User, name: alice}
---
apiVersion: v1
kind: Node
metadata: {name: n1}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: used, namespace: team}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unused, namespace: team}
data: {k: v}
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: team}
spec:
  nodeName: n1
  containers:
  - name: c
    image: podnet/host
    envFrom: [{configMapRef: {name: used}}]
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: team}
spec:
  nodeName: n2
  containers:
  - {name: c, image: podnet/host}
`;

test('authorization: RBAC view binding, can-i, whoami, impersonation, node restrictions', async (t) => {
  const api = await startApiServer({ controllers: 'serviceaccount' });
  try {
    const admin = (args: string[]): Promise<KubectlResult> => api.kubectl(args);
    await api.kubectl(['create', '-f', '-'], SETUP);
    const alice = credential(api, 'alice', ['devs']);
    const as = (args: string[]): Promise<KubectlResult> => runKubectl(alice.kubeconfig, args);
    await eventually('alice can list pods in team', async () => (await as(['auth', 'can-i', 'list', 'pods', '-n', 'team'])).stdout.trim() === 'yes');

    await t.test('a user bound to view in one namespace reads there and nothing else', async () => {
      const pods = await as(['get', 'pods', '-n', 'team', '-o', 'name']);
      assert.equal(pods.code, 0, pods.stderr);
      assert.match(pods.stdout, /pod\/p1/);
      assert.equal((await as(['get', 'configmap', 'settings', '-n', 'team', '-o', 'name'])).code, 0);
      const create = await as(['create', 'configmap', 'x', '-n', 'team', '--from-literal=a=b']);
      assert.notEqual(create.code, 0);
      assert.match(create.stderr, /configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "team"/);
      const del = await as(['delete', 'configmap', 'settings', '-n', 'team']);
      assert.notEqual(del.code, 0);
      assert.match(del.stderr, /configmaps "settings" is forbidden: User "alice" cannot delete resource "configmaps" in API group "" in the namespace "team"/);
      const other = await as(['get', 'pods', '-n', 'other']);
      assert.notEqual(other.code, 0);
      assert.match(other.stderr, /pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "other"/);
      const nodes = await as(['get', 'nodes']);
      assert.match(nodes.stderr, /nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope/);
      const raw = await rawGet(api, alice.pair, '/api/v1/namespaces/default/pods');
      assert.equal(raw.code, 403);
      assert.deepEqual(raw.body, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
        message: 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"', reason: 'Forbidden', details: { kind: 'pods' }, code: 403,
      });
      assert.equal((await as(['get', 'clusterrolebindings'])).code, 1);
    });

    await t.test('auth can-i answers truly; --list matches the binding', async () => {
      const yes = async (args: string[]): Promise<string> => (await as(['auth', 'can-i', ...args])).stdout.trim();
      assert.equal(await yes(['get', 'pods/log', '-n', 'team']), 'yes');
      assert.equal(await yes(['create', 'pods', '-n', 'team']), 'no');
      assert.equal(await yes(['list', 'pods', '-n', 'other']), 'no');
      assert.equal(await yes(['get', 'secrets', '-n', 'team']), 'no');
      assert.equal(await yes(['get', '/healthz']), 'yes');
      const list = await as(['auth', 'can-i', '--list', '-n', 'team']);
      assert.equal(list.code, 0, list.stderr);
      const line = (res: string): string[] | undefined => list.stdout.split('\n').find((l) => l.trim().split(/\s+/)[0] === res)?.trim().split(/\s{2,}/);
      assert.deepEqual(line('pods'), ['pods', '[]', '[]', '[get list watch]']);
      assert.deepEqual(line('deployments.apps'), ['deployments.apps', '[]', '[]', '[get list watch]']);
      assert.deepEqual(line('selfsubjectaccessreviews.authorization.k8s.io'), ['selfsubjectaccessreviews.authorization.k8s.io', '[]', '[]', '[create]']);
      assert.equal(line('secrets'), undefined);
      const otherNs = await as(['auth', 'can-i', '--list', '-n', 'other']);
      assert.doesNotMatch(otherNs.stdout, /^pods\s/m);
      const adminList = await admin(['auth', 'can-i', '--list']);
      assert.match(adminList.stdout, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/m);
    });

    await t.test('auth whoami with kubectl 1.27 and 1.33', async () => {
      for (const minor of [27, 33]) {
        const r = await runBinary(KUBECTL(minor), alice.kubeconfig, ['auth', 'whoami', '-o', 'json']);
        assert.equal(r.code, 0, `1.${minor}: ${r.stderr}`);
        const review = JSON.parse(r.stdout) as { kind: string; status: { userInfo: { username: string; groups: string[] } } };
        assert.equal(review.kind, 'SelfSubjectReview');
        assert.deepEqual(review.status.userInfo, { username: 'alice', groups: ['devs', 'system:authenticated'] });
        const table = await runBinary(KUBECTL(minor), alice.kubeconfig, ['auth', 'whoami']);
        assert.match(table.stdout, /Username\s+alice/);
        assert.match(table.stdout, /Groups\s+\[devs system:authenticated\]/);
      }
    });

    await t.test('impersonation: admin may --as, the view user may not', async () => {
      const ok = await admin(['--as', 'alice', 'get', 'pods', '-n', 'team', '-o', 'name']);
      assert.match(ok.stdout, /pod\/p1/);
      const denied = await api.kubectlRaw(['--as', 'alice', 'get', 'pods', '-n', 'other']);
      assert.match(denied.stderr, /pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "other"/);
      assert.equal((await api.kubectlRaw(['--as', 'bob', '--as-group', 'system:masters', 'auth', 'can-i', 'delete', 'nodes'])).stdout.trim(), 'yes');
      const who = await admin(['--as', 'carol', '--as-group', 'devs', 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}']);
      assert.equal(who.stdout, 'carol ["devs","system:authenticated"]');
      const nope = await as(['--as', 'admin', 'get', 'pods', '-n', 'team']);
      assert.notEqual(nope.code, 0);
      assert.match(nope.stderr, /users "admin" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope/);
    });

    await t.test('a node reads what its pods use and writes only its own objects', async () => {
      const node = credential(api, 'system:node:n1', ['system:nodes']);
      const nk = (args: string[]): Promise<KubectlResult> => runKubectl(node.kubeconfig, args);
      await eventually('the node may read the ConfigMap its pod uses', async () => (await nk(['get', 'configmap', 'used', '-n', 'team', '-o', 'name'])).code === 0);
      const unused = await nk(['get', 'configmap', 'unused', '-n', 'team']);
      assert.notEqual(unused.code, 0);
      assert.match(unused.stderr, /configmaps "unused" is forbidden: User "system:node:n1" cannot get resource "configmaps" in API group "" in the namespace "team": no relationship found between node 'n1' and this object/);
      const listCm = await nk(['get', 'configmaps', '-n', 'team']);
      assert.match(listCm.stderr, /configmaps is forbidden/);
      // (no Secret kind is served yet: the authorizer answers before the resource is looked up, as upstream's filter chain does)
      const secret = await nk(['get', '--raw', '/api/v1/namespaces/team/secrets/anything']);
      assert.match(secret.stderr, /secrets "anything" is forbidden: User "system:node:n1" cannot get resource "secrets"/);
      const pods = await nk(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=n1', '-o', 'name']);
      assert.equal(pods.stdout.trim(), 'pod/p1');
      const patchOther = await nk(['patch', 'node', 'n2', '--type=merge', '-p', '{"metadata":{"labels":{"x":"y"}}}']);
      assert.notEqual(patchOther.code, 0);
      assert.match(patchOther.stderr, /nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"/);
      const createPod = await nk(['run', 'sneaky', '-n', 'team', '--image', 'podnet/host']);
      assert.notEqual(createPod.code, 0);
      assert.match(createPod.stderr, /forbidden: pod does not have "kubernetes.io\/config.mirror" annotation, node "n1" can only create mirror pods/);
      // kubectl patch --subresource=status GETs pods/status first, which system:node may not (as upstream): PATCH directly
      const running = { status: { phase: 'Running' } };
      const otherStatus = await rawRequest(api, node.pair, 'PATCH', '/api/v1/namespaces/team/pods/p2/status', running);
      assert.equal(otherStatus.code, 403);
      assert.equal((otherStatus.body as { message: string }).message, 'pods "p2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
      assert.equal((await rawRequest(api, node.pair, 'PATCH', '/api/v1/namespaces/team/pods/p1/status', running)).code, 200);
      const cond = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok' }] } };
      const own = await rawRequest(api, node.pair, 'PATCH', '/api/v1/nodes/n1/status', cond);
      assert.equal(own.code, 200, JSON.stringify(own.body));
      const ready = await admin(['get', 'node', 'n1', '-o', 'jsonpath={.status.conditions[0].status}']);
      assert.equal(ready.stdout, 'True');
      assert.equal((await rawRequest(api, node.pair, 'PATCH', '/api/v1/nodes/n2/status', cond)).code, 403);
    });

    await t.test('RBAC objects print upstream columns', async () => {
      const wide = await admin(['get', 'clusterrolebinding', 'cluster-admin', 'system:podnet-dns', '-o', 'wide']);
      const lines = wide.stdout.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
      assert.deepEqual(lines[0], ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
      assert.equal(lines[1]![0], 'cluster-admin');
      assert.equal(lines[1]![1], 'ClusterRole/cluster-admin');
      assert.equal(lines[1]![3], 'system:masters');
      assert.equal(lines[2]![lines[2]!.length - 1], 'kube-system/podnet-dns');
      const roles = await admin(['get', 'clusterroles', 'view', 'edit', 'admin']);
      assert.match(roles.stdout.split('\n')[0]!, /^NAME\s+CREATED AT$/);
      const rb = await admin(['get', 'rolebinding', '-n', 'team']);
      assert.match(rb.stdout, /alice-view\s+ClusterRole\/view\s+\d+s/);
    });
  } finally {
    await api.stop();
  }
});
