/**
 * Service accounts and in-cluster clients, with the real kubectl (1.27 … 1.33):
 * - Secrets: create (JSON on ≤1.31, protobuf on 1.32+), per-type validation (422 naming the
 *   field, never the value), `kubectl get secret` shows NAME TYPE DATA AGE and no value;
 * - every new namespace gets the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap
 *   (controllers), the ServiceAccount is recreated when deleted;
 * - discovery lists secrets, serviceaccounts and serviceaccounts/token;
 * - `kubectl create token` on every version; kubectl with that token is the service account
 *   (`auth whoami`), gets 403 on list pods until a RoleBinding to `view` exists, then lists them;
 *   a forged, expired, foreign-audience token, or one whose pod / service account is gone, is 401;
 * - pod admission: default service account, the projected token volume and its mounts, 403 for a
 *   missing service account;
 * - in a lab: the real kubectl as an in-cluster client in a pod's network namespace (token, ca.crt
 *   and namespace at /var/run/secrets/kubernetes.io/serviceaccount, KUBERNETES_SERVICE_HOST/PORT
 *   from the pod's environment) lists pods with a `view` binding and gets 403 without.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyId, signJwt } from '../../src/api/serviceaccount/jwt.js';
import { startApiServer, type ApiServerHandle, type KubectlResult } from '../support/apiserver.js';
import { PODNET, must, until, labKubectl, labLeftovers, labDown, randomLabName } from '../support/lab.js';
import { processEnv, runInCluster, SA_DIR } from '../support/incluster.js';

const KUBECTL = (minor: number): string => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;
const MINORS = [27, 28, 29, 30, 31, 32, 33];

function runBinary(bin: string, args: string[], env: Record<string, string>, input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const c = execFile(bin, args, { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ stdout: String(stdout), stderr: String(stderr), code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0 });
    });
    c.stdin?.on('error', () => undefined);
    c.stdin?.end(input ?? '');
  });
}

async function eventually(what: string, f: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const claimsOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

test('service accounts: secrets, default SA + root CA, tokens, bearer authentication, admission', async (t) => {
  const api = await startApiServer();
  const ca = join(api.dataDir, 'pki', 'ca.crt');
  const admin = (args: string[], input?: string): Promise<KubectlResult> => api.kubectl(args, input);
  const adminRaw = (args: string[], input?: string): Promise<KubectlResult> => api.kubectlRaw(args, input);
  /** kubectl with only a bearer token (no kubeconfig credentials). */
  const withToken = (token: string, args: string[], minor = 32, input?: string): Promise<KubectlResult> =>
    runBinary(KUBECTL(minor), ['--server', api.url, '--certificate-authority', ca, '--token', token, ...args], { KUBECONFIG: '/dev/null' }, input);
  try {
    await admin(['create', 'namespace', 'apps']);

    await t.test('a new namespace gets the default ServiceAccount and kube-root-ca.crt; both come back when deleted', async () => {
      await eventually('default SA', async () => (await adminRaw(['get', 'sa', 'default', '-n', 'apps'])).code === 0);
      await eventually('kube-root-ca.crt', async () => (await adminRaw(['get', 'cm', 'kube-root-ca.crt', '-n', 'apps'])).code === 0);
      const cm = JSON.parse((await admin(['get', 'cm', 'kube-root-ca.crt', '-n', 'apps', '-o', 'json'])).stdout) as { data: Record<string, string> };
      assert.deepEqual(Object.keys(cm.data), ['ca.crt']);
      assert.equal(cm.data['ca.crt'], readFileSync(ca, 'utf8'), 'the cluster CA');
      const sas = (await admin(['get', 'sa', '-n', 'apps'])).stdout;
      assert.match(sas, /^NAME\s+SECRETS\s+AGE\n/);
      assert.match(sas, /\ndefault\s+0\s+\d+s\n/);
      const uid = (await admin(['get', 'sa', 'default', '-n', 'apps', '-o', 'jsonpath={.metadata.uid}'])).stdout;
      await admin(['delete', 'sa', 'default', '-n', 'apps']);
      await admin(['delete', 'cm', 'kube-root-ca.crt', '-n', 'apps']);
      await eventually('default SA recreated', async () => { const r = await adminRaw(['get', 'sa', 'default', '-n', 'apps', '-o', 'jsonpath={.metadata.uid}']); return r.code === 0 && r.stdout !== uid; });
      await eventually('kube-root-ca.crt recreated', async () => (await adminRaw(['get', 'cm', 'kube-root-ca.crt', '-n', 'apps'])).code === 0);
    });

    await t.test('discovery lists secrets, serviceaccounts and serviceaccounts/token (1.27 and 1.33)', async () => {
      for (const minor of [27, 33]) {
        const r = await runBinary(KUBECTL(minor), ['api-resources', '--api-group='], { KUBECONFIG: api.kubeconfigPath });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /\nsecrets\s+v1\s+true\s+Secret\n/, `1.${minor}`);
        assert.match(r.stdout, /\nserviceaccounts\s+sa\s+v1\s+true\s+ServiceAccount\n/, `1.${minor}`);
      }
      const v1 = JSON.parse((await admin(['get', '--raw', '/api/v1'])).stdout) as { resources: { name: string; kind: string; group?: string; version?: string; verbs: string[] }[] };
      assert.deepEqual(v1.resources.find((r) => r.name === 'serviceaccounts/token'), { name: 'serviceaccounts/token', singularName: '', namespaced: true, kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' });
    });

    await t.test('secrets: create with every kubectl (protobuf on 1.32+), values never in the table, per-type 422', async () => {
      for (const minor of MINORS) {
        const r = await runBinary(KUBECTL(minor), ['create', 'secret', 'generic', `s${minor}`, '-n', 'apps', '--from-literal=password=hunter2', '-v=8'], { KUBECONFIG: api.kubeconfigPath });
        assert.equal(r.code, 0, `1.${minor}: ${r.stderr.slice(-500)}`);
        const sent = /Content-Type: (application\/[a-z.+-]+)/.exec(r.stderr)?.[1];
        assert.equal(sent, minor >= 32 ? 'application/vnd.kubernetes.protobuf' : 'application/json', `1.${minor} request body`);
      }
      const table = (await admin(['get', 'secrets', '-n', 'apps'])).stdout;
      assert.match(table, /^NAME\s+TYPE\s+DATA\s+AGE\n/);
      assert.match(table, /\ns33\s+Opaque\s+1\s+\d+s\n/);
      const wide = (await admin(['get', 'secrets', '-n', 'apps', '-o', 'wide'])).stdout + (await admin(['describe', 'secret', 's33', '-n', 'apps'])).stdout;
      for (const v of ['hunter2', Buffer.from('hunter2').toString('base64')]) assert.ok(!wide.includes(v), `no ${v} in get/describe`);
      assert.match(wide, /password:\s+7 bytes/);
      const pw = (await admin(['get', 'secret', 's33', '-n', 'apps', '-o', 'jsonpath={.data.password}'])).stdout;
      assert.equal(Buffer.from(pw, 'base64').toString(), 'hunter2');
      // stringData is merged into data (and overrides it)
      await admin(['apply', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata: {name: merged, namespace: apps}\ndata: {a: b2xk, b: Yg==}\nstringData: {a: new}\n');
      const merged = JSON.parse((await admin(['get', 'secret', 'merged', '-n', 'apps', '-o', 'json'])).stdout) as { data: Record<string, string>; stringData?: unknown; type: string };
      assert.deepEqual(merged.data, { a: Buffer.from('new').toString('base64'), b: 'Yg==' });
      assert.equal(merged.stringData, undefined);
      assert.equal(merged.type, 'Opaque');
      // typed secrets
      const tlsBad = await adminRaw(['create', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata: {name: t1, namespace: apps}\ntype: kubernetes.io/tls\nstringData: {tls.crt: x}\n');
      assert.notEqual(tlsBad.code, 0);
      assert.match(tlsBad.stderr, /The Secret "t1" is invalid: data\[tls\.key\]: Required value/);
      const dockerBad = await adminRaw(['create', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata: {name: d1, namespace: apps}\ntype: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: "{topsecret"}\n');
      assert.match(dockerBad.stderr, /data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>"/);
      assert.ok(!dockerBad.stderr.includes('topsecret'), 'the value is not echoed');
      const sshBad = await adminRaw(['create', 'secret', 'generic', 'k1', '-n', 'apps', '--type=kubernetes.io/ssh-auth', '--from-literal=x=y']);
      assert.match(sshBad.stderr, /data\[ssh-privatekey\]: Required value/);
      await admin(['create', 'secret', 'docker-registry', 'reg', '-n', 'apps', '--docker-server=r.example', '--docker-username=u', '--docker-password=p']);
      assert.match((await admin(['get', 'secret', 'reg', '-n', 'apps'])).stdout, /\nreg\s+kubernetes\.io\/dockerconfigjson\s+1\s/);
      const typeChange = await adminRaw(['patch', 'secret', 's33', '-n', 'apps', '-p', '{"type":"kubernetes.io/basic-auth","stringData":{"username":"u"}}']);
      assert.match(typeChange.stderr, /type: Invalid value: "kubernetes\.io\/basic-auth": field is immutable/);
      await admin(['delete', 'secret', 's27', '-n', 'apps']);
      assert.equal((await adminRaw(['get', 'secret', 's27', '-n', 'apps'])).code, 1);
    });

    await t.test('tokens: create token on every kubectl; the token is the service account; 403 until bound to view', async () => {
      await admin(['create', 'serviceaccount', 'bot', '-n', 'apps']);
      const saUid = (await admin(['get', 'sa', 'bot', '-n', 'apps', '-o', 'jsonpath={.metadata.uid}'])).stdout;
      let token = '';
      for (const minor of MINORS) {
        const r = await runBinary(KUBECTL(minor), ['create', 'token', 'bot', '-n', 'apps', '-v=8'], { KUBECONFIG: api.kubeconfigPath });
        assert.equal(r.code, 0, `1.${minor}: ${r.stderr.slice(-500)}`);
        const sent = /Content-Type: (application\/[a-z.+-]+)/.exec(r.stderr)?.[1];
        assert.equal(sent, minor >= 32 ? 'application/vnd.kubernetes.protobuf' : 'application/json', `1.${minor} TokenRequest body`);
        token = r.stdout.trim();
        const c = claimsOf(token);
        assert.equal(c.sub, 'system:serviceaccount:apps:bot', `1.${minor}`);
        assert.deepEqual(c['kubernetes.io'], { namespace: 'apps', serviceaccount: { name: 'bot', uid: saUid } });
        assert.equal((c.exp as number) - (c.iat as number), 3600);
      }
      const c = claimsOf(token);
      assert.deepEqual(c.aud, ['https://kubernetes.default.svc.cluster.local']);
      assert.equal(c.iss, 'https://kubernetes.default.svc.cluster.local');
      const whoami = await withToken(token, ['auth', 'whoami']);
      assert.equal(whoami.code, 0, whoami.stderr);
      assert.match(whoami.stdout, /Username\s+system:serviceaccount:apps:bot\n/);
      assert.match(whoami.stdout, /Groups\s+\[system:serviceaccounts system:serviceaccounts:apps system:authenticated\]/);
      const denied = await withToken(token, ['get', 'pods', '-n', 'apps']);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /pods is forbidden: User "system:serviceaccount:apps:bot" cannot list resource "pods" in API group "" in the namespace "apps"/);
      await admin(['create', 'rolebinding', 'bot-view', '-n', 'apps', '--clusterrole=view', '--serviceaccount=apps:bot']);
      await eventually('bot may list pods', async () => (await withToken(token, ['get', 'pods', '-n', 'apps'])).code === 0);
      for (const minor of [27, 33]) {
        const r = await withToken(token, ['get', 'pods', '-n', 'apps'], minor);
        assert.equal(r.code, 0, `1.${minor}: ${r.stderr}`);
      }
      assert.match((await withToken(token, ['get', 'secrets', '-n', 'apps'])).stderr, /secrets is forbidden/, 'view does not read secrets');
      assert.match((await withToken(token, ['get', 'pods', '-n', 'default'])).stderr, /forbidden/);
      // a minimum duration, as upstream
      assert.match((await adminRaw(['create', 'token', 'bot', '-n', 'apps', '--duration=5m'])).stderr, /spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
      const longer = (await admin(['create', 'token', 'bot', '-n', 'apps', '--duration=2h'])).stdout.trim();
      assert.equal((claimsOf(longer).exp as number) - (claimsOf(longer).iat as number), 7200);
    });

    await t.test('TokenReview: kubectl create -f -o yaml answers as whom a token authenticates; system:auth-delegator may ask', async () => {
      const token = (await admin(['create', 'token', 'bot', '-n', 'apps'])).stdout.trim();
      const review = (tok: string): string => `apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: ${tok}\n`;
      for (const minor of [27, 33]) {
        const r = await runBinary(KUBECTL(minor), ['create', '-f', '-', '-o', 'yaml'], { KUBECONFIG: api.kubeconfigPath }, review(token));
        assert.equal(r.code, 0, `1.${minor}: ${r.stderr}`);
        assert.match(r.stdout, /^kind: TokenReview$/m);
        assert.match(r.stdout, /^ {2}authenticated: true$/m, r.stdout);
        assert.match(r.stdout, /^ {4}username: system:serviceaccount:apps:bot$/m);
        assert.match(r.stdout, /^ {2}audiences:\n {2}- https:\/\/kubernetes\.default\.svc\.cluster\.local$/m);
        if (minor === 33) t.diagnostic(`kubectl 1.33 create -f tokenreview.yaml -o yaml:\n${r.stdout.replace(token, '<token>').trim()}`);
      }
      const bad = await admin(['create', '-f', '-', '-o', 'jsonpath={.status.authenticated}/{.status.error}'], review(`${token.slice(0, -4)}AAAA`));
      assert.match(bad.stdout, /^\/\[invalid bearer token, invalid signature\]$/);
      // the bot (view in apps only) may not review tokens until bound to system:auth-delegator.
      // --validate=false: kubectl finds no PATCH for TokenReview in OpenAPI, so it would validate on the
      // client and list CRDs for that, which neither view nor system:auth-delegator allows (as upstream)
      const denied = await withToken(token, ['create', '--validate=false', '-f', '-', '-o', 'name'], 32, review(token));
      assert.match(denied.stderr, /tokenreviews\.authentication\.k8s\.io is forbidden: User "system:serviceaccount:apps:bot" cannot create resource "tokenreviews"/);
      await admin(['create', 'clusterrolebinding', 'bot-delegator', '--clusterrole=system:auth-delegator', '--serviceaccount=apps:bot']);
      await eventually('bot may review tokens', async () => (await withToken(token, ['create', '--validate=false', '-f', '-', '-o', 'jsonpath={.status.user.username}'], 32, review(token))).stdout === 'system:serviceaccount:apps:bot');
      await admin(['delete', 'clusterrolebinding', 'bot-delegator']);
    });

    await t.test('forged, expired, foreign-audience tokens and tokens of a deleted service account are 401', async () => {
      const token = (await admin(['create', 'token', 'bot', '-n', 'apps'])).stdout.trim();
      const [h, p, s] = token.split('.') as [string, string, string];
      const unauthorized = async (tok: string, what: string): Promise<void> => {
        const r = await withToken(tok, ['get', 'pods', '-n', 'apps']);
        assert.equal(r.code, 1, what);
        assert.match(r.stderr, /You must be logged in to the server \(Unauthorized\)/, what);
      };
      const claims = claimsOf(token);
      await unauthorized(`${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:default' })).toString('base64url')}.${s}`, 'payload changed');
      await unauthorized(`${h}.${p}.${s.slice(0, -4)}AAAA`, 'signature changed');
      await unauthorized('not-a-token', 'garbage');
      // expired: signed with the server's own key, exp in the past
      const key = createPrivateKey(readFileSync(join(api.dataDir, 'pki', 'sa.key')));
      const now = Math.floor(Date.now() / 1000);
      const expired = signJwt({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 60 }, key, keyId(createPublicKey(key)));
      await unauthorized(expired, 'expired');
      const fresh = signJwt({ ...claims, iat: now, nbf: now, exp: now + 600 }, key, keyId(createPublicKey(key)));
      assert.equal((await withToken(fresh, ['get', 'pods', '-n', 'apps'])).code, 0, 'the same claims, not expired, work');
      await unauthorized((await admin(['create', 'token', 'bot', '-n', 'apps', '--audience', 'https://vault.example'])).stdout.trim(), 'foreign audience');
      // the raw 401 is a full Status
      const raw = await runBinary('curl', ['-s', '--cacert', ca, '-H', `Authorization: Bearer ${expired}`, `${api.url}/api/v1/namespaces/apps/pods`], {});
      assert.deepEqual(JSON.parse(raw.stdout), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', details: {}, code: 401 });
      // a service account deleted and recreated: old tokens die
      await admin(['create', 'serviceaccount', 'temp', '-n', 'apps']);
      const tempToken = (await admin(['create', 'token', 'temp', '-n', 'apps'])).stdout.trim();
      assert.equal((await withToken(tempToken, ['auth', 'whoami'])).code, 0);
      await admin(['delete', 'serviceaccount', 'temp', '-n', 'apps']);
      await admin(['create', 'serviceaccount', 'temp', '-n', 'apps']);
      await unauthorized(tempToken, 'service account recreated');
    });

    await t.test('pod admission: token volume and mounts, automount false, a missing service account is 403; a bound token dies with its pod', async () => {
      await admin(['run', 'p1', '-n', 'apps', '--image=podnet/shell', '--restart=Never', '--overrides={"spec":{"serviceAccountName":"bot","initContainers":[{"name":"init","image":"podnet/shell"}]}}']);
      const pod = JSON.parse((await admin(['get', 'pod', 'p1', '-n', 'apps', '-o', 'json'])).stdout) as {
        metadata: { uid: string }; spec: { serviceAccountName: string; volumes: { name: string; projected?: { sources: unknown[]; defaultMode: number } }[]; containers: { volumeMounts: unknown[] }[]; initContainers: { volumeMounts: unknown[] }[] };
      };
      assert.equal(pod.spec.serviceAccountName, 'bot');
      const vol = pod.spec.volumes.find((v) => v.name.startsWith('kube-api-access-'));
      assert.ok(vol && /^kube-api-access-[a-z0-9]{5}$/.test(vol.name), JSON.stringify(pod.spec.volumes));
      assert.deepEqual(vol.projected, {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      });
      const mount = { name: vol.name, readOnly: true, mountPath: SA_DIR };
      assert.deepEqual(pod.spec.containers[0]!.volumeMounts, [mount]);
      assert.deepEqual(pod.spec.initContainers[0]!.volumeMounts, [mount]);
      await admin(['run', 'p2', '-n', 'apps', '--image=podnet/shell', '--restart=Never', '--overrides={"spec":{"automountServiceAccountToken":false}}']);
      const p2 = JSON.parse((await admin(['get', 'pod', 'p2', '-n', 'apps', '-o', 'json'])).stdout) as { spec: { serviceAccountName: string; volumes?: unknown[] } };
      assert.equal(p2.spec.serviceAccountName, 'default');
      assert.equal(p2.spec.volumes, undefined);
      const missing = await adminRaw(['run', 'p3', '-n', 'apps', '--image=podnet/shell', '--overrides={"spec":{"serviceAccountName":"ghost"}}']);
      assert.match(missing.stderr, /Error from server \(Forbidden\): pods "p3" is forbidden: error looking up service account apps\/ghost: serviceaccount "ghost" not found/);

      // a token bound to p1 (as the kubelet asks for it): valid while p1 lives, dead once it is gone
      const bound = (await admin(['create', 'token', 'bot', '-n', 'apps', '--bound-object-kind', 'Pod', '--bound-object-name', 'p1'])).stdout.trim();
      assert.deepEqual((claimsOf(bound)['kubernetes.io'] as { pod: unknown }).pod, { name: 'p1', uid: pod.metadata.uid });
      const who = await withToken(bound, ['auth', 'whoami']);
      assert.match(who.stdout, /authentication\.kubernetes\.io\/pod-name\s+\[p1\]/);
      assert.match((await adminRaw(['create', 'token', 'default', '-n', 'apps', '--bound-object-kind', 'Pod', '--bound-object-name', 'p1'])).stderr, /to pod running with different serviceaccount name/);
      assert.match((await adminRaw(['create', 'token', 'bot', '-n', 'apps', '--bound-object-kind', 'Pod', '--bound-object-name', 'nope'])).stderr, /pods "nope" not found/);
      await admin(['delete', 'pod', 'p1', '-n', 'apps', '--wait=true']);
      const dead = await withToken(bound, ['get', 'pods', '-n', 'apps']);
      assert.match(dead.stderr, /Unauthorized/);
      await admin(['run', 'p1', '-n', 'apps', '--image=podnet/shell', '--restart=Never', '--overrides={"spec":{"serviceAccountName":"bot"}}']);
      assert.match((await withToken(bound, ['get', 'pods', '-n', 'apps'])).stderr, /Unauthorized/, 'a new pod of the same name does not revive it');
    });

    await t.test('a node credential gets tokens only for service accounts of its own pods, bound to them', async () => {
      const { issueClientCert, renderKubeconfig } = await import('../../src/api/pki.js');
      const pair = issueClientCert(api.dataDir, 'system:node:n1', ['system:nodes']);
      const kc = join(api.dataDir, 'n1.kubeconfig');
      writeFileSync(kc, renderKubeconfig({ server: api.url, ca: readFileSync(ca, 'utf8'), cert: pair.cert, key: pair.key, user: 'n1' }), { mode: 0o600 });
      await admin(['run', 'onn1', '-n', 'apps', '--image=podnet/shell', '--restart=Never', '--overrides={"spec":{"serviceAccountName":"bot","nodeName":"n1"}}']);
      const node = (args: string[]): Promise<KubectlResult> => runBinary(KUBECTL(32), args, { KUBECONFIG: kc });
      await eventually('node graph has onn1', async () => (await node(['get', 'sa', 'bot', '-n', 'apps'])).code === 0);
      const tok = await node(['create', 'token', 'bot', '-n', 'apps', '--bound-object-kind', 'Pod', '--bound-object-name', 'onn1']);
      assert.equal(tok.code, 0, tok.stderr);
      assert.match((await node(['create', 'token', 'bot', '-n', 'apps'])).stderr, /node requested token not bound to a pod/);
      assert.match((await node(['create', 'token', 'default', '-n', 'apps', '--bound-object-kind', 'Pod', '--bound-object-name', 'p2'])).stderr, /forbidden/);
      assert.match((await node(['get', 'secret', 's33', '-n', 'apps'])).stderr, /forbidden/);
      assert.equal((await node(['get', 'cm', 'kube-root-ca.crt', '-n', 'apps'])).code, 0, 'the CA its pod mounts');
    });
  } finally {
    await api.stop();
  }
});

test('in-cluster kubectl from a pod\'s network namespace: 403 without a binding, lists pods with view', { timeout: 240_000 }, async (t) => {
  const lab = randomLabName('tsa');
  const kubectl = labKubectl(lab);
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '1'], { timeoutMs: 180_000 });
    await kubectl(['create', 'namespace', 'incl']);
    await eventually('default SA in incl', async () => (await kubectl(['get', 'sa', 'default', '-n', 'incl'])).length > 0, 20_000);
    await kubectl(['create', 'serviceaccount', 'reader', '-n', 'incl']);
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'incl' },
      spec: { serviceAccountName: 'reader', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'podnet/host', command: ['sleep', 'infinity'] }] },
    }));
    await until('client Running', async () => (await kubectl(['get', 'pod', 'client', '-n', 'incl', '-o', 'jsonpath={.status.phase}'])) === 'Running', 60_000);
    const insp = JSON.parse(await must(PODNET, ['inspect', 'pod', 'client', '-n', 'incl', '--lab', lab, '-o', 'json'])) as { sandbox: { netnsPath: string }; containers: { pid: number }[] };
    const env = processEnv(insp.containers[0]!.pid);
    assert.equal(env.KUBERNETES_SERVICE_PORT, '443');
    const svcIP = await kubectl(['get', 'svc', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP}']);
    assert.equal(env.KUBERNETES_SERVICE_HOST, svcIP);
    // what the kubelet puts into the projected volume: a token bound to the pod, the CA, the namespace
    const token = (await kubectl(['create', 'token', 'reader', '-n', 'incl', '--bound-object-kind', 'Pod', '--bound-object-name', 'client'])).trim();
    const caPem = await kubectl(['get', 'cm', 'kube-root-ca.crt', '-n', 'incl', '-o', 'jsonpath={.data.ca\\.crt}']);
    const files = { token, 'ca.crt': caPem, namespace: 'incl' };
    const inPod = (minor: number): Promise<{ stdout: string; stderr: string; code: number }> =>
      runInCluster(insp.sandbox.netnsPath, { KUBERNETES_SERVICE_HOST: env.KUBERNETES_SERVICE_HOST!, KUBERNETES_SERVICE_PORT: env.KUBERNETES_SERVICE_PORT! }, files, [KUBECTL(minor), 'get', 'pods']);
    const denied = await inPod(32);
    assert.equal(denied.code, 1, denied.stdout);
    assert.match(denied.stderr, /pods is forbidden: User "system:serviceaccount:incl:reader" cannot list resource "pods" in API group "" in the namespace "incl"/);
    t.diagnostic(`in-cluster kubectl 1.32 without a binding: ${denied.stderr.trim()}`);
    await kubectl(['create', 'rolebinding', 'reader-view', '-n', 'incl', '--clusterrole=view', '--serviceaccount=incl:reader']);
    await eventually('in-cluster list allowed', async () => (await inPod(32)).code === 0);
    for (const minor of [27, 33]) {
      const ok = await inPod(minor);
      assert.equal(ok.code, 0, `1.${minor}: ${ok.stderr}`);
      assert.match(ok.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nclient\s+1\/1\s+Running\s/);
      t.diagnostic(`in-cluster kubectl 1.${minor} with view (${env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT}):\n${ok.stdout.trim()}`);
    }
  } finally {
    const down = await labDown(lab);
    assert.equal(down.code, 0, down.stderr);
  }
  assert.deepEqual(labLeftovers(lab), []);
});
