import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../kinds/types.js';
import { admitPod, mountServiceAccountToken, TOKEN_MOUNT_PATH } from './admission.js';
import { signJwt, verifyJwt, JwtError } from './jwt.js';
import { ensureSigningKey } from './keys.js';
import { answerTokenRequest } from './tokenrequest.js';
import { ServiceAccountTokens, TokenInvalidError, type ObjectLookup } from './tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'pn-sa-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const key = ensureSigningKey(dir);
const ISS = 'https://kubernetes.default.svc.cluster.local';

const sa: KObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot', namespace: 'ns1', uid: 'sa-uid' } };
const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns1', uid: 'pod-uid' }, spec: { serviceAccountName: 'bot', nodeName: 'n1' } };
const node: KObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-uid' } };
function world(objs: KObject[]): ObjectLookup {
  return async (kind, ns, name) => objs.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? undefined) === ns);
}

test('signing key: generated once (0600), loaded the same afterwards', () => {
  assert.equal(statSync(join(dir, 'sa.key')).mode & 0o777, 0o600);
  assert.equal(ensureSigningKey(dir).kid, key.kid);
});

test('jwt: RS256 round trip; a changed payload or another algorithm is refused', () => {
  const t = signJwt({ a: 1 }, key.privateKey, key.kid);
  assert.deepEqual(verifyJwt(t, key.publicKey).claims, { a: 1 });
  assert.equal(verifyJwt(t, key.publicKey).header.kid, key.kid);
  const [h, , s] = t.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ a: 2 })).toString('base64url')}.${s}`;
  assert.throws(() => verifyJwt(forged, key.publicKey), JwtError);
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${t.split('.')[1]}.`;
  assert.throws(() => verifyJwt(none, key.publicKey), /unsupported signing algorithm|not a compact/);
});

test('token: upstream claims; authenticates to the service account user with its groups', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const tokens = new ServiceAccountTokens({ key, issuer: ISS, audiences: [ISS], now: () => now });
  const resp = await answerTokenRequest(tokens, sa, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } } }, world([sa, pod, node]));
  const status = resp.status as { token: string; expirationTimestamp: string };
  assert.equal(status.expirationTimestamp, '2026-01-01T01:00:00Z');
  assert.deepEqual(resp.spec, { audiences: [ISS], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'pod-uid' } });
  const claims = verifyJwt(status.token, key.publicKey).claims;
  assert.equal(claims.iss, ISS);
  assert.equal(claims.sub, 'system:serviceaccount:ns1:bot');
  assert.deepEqual(claims.aud, [ISS]);
  assert.equal(claims.exp, Date.parse('2026-01-01T01:00:00Z') / 1000);
  assert.equal(claims.iat, claims.nbf);
  assert.deepEqual(claims['kubernetes.io'], { namespace: 'ns1', serviceaccount: { name: 'bot', uid: 'sa-uid' }, pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' } });
  const user = await tokens.authenticate(status.token, world([sa, pod, node]));
  assert.equal(user.name, 'system:serviceaccount:ns1:bot');
  assert.equal(user.uid, 'sa-uid');
  assert.deepEqual(user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated']);
  assert.deepEqual(user.extra?.['authentication.kubernetes.io/pod-name'], ['p']);
  // the bound pod is gone, or was recreated under another uid
  await assert.rejects(tokens.authenticate(status.token, world([sa, node])), TokenInvalidError);
  await assert.rejects(tokens.authenticate(status.token, world([sa, { ...pod, metadata: { ...pod.metadata, uid: 'other' } }])), TokenInvalidError);
  // the service account was recreated
  await assert.rejects(tokens.authenticate(status.token, world([{ ...sa, metadata: { ...sa.metadata, uid: 'new' } }, pod])), /recreated/);
  // expired
  now += 3600_000;
  await assert.rejects(tokens.authenticate(status.token, world([sa, pod])), /expired/);
});

test('token: another audience or issuer does not authenticate against the API server', async () => {
  const tokens = new ServiceAccountTokens({ key, issuer: ISS, audiences: [ISS] });
  const r = await answerTokenRequest(tokens, sa, { spec: { audiences: ['vault'] } }, world([sa]));
  await assert.rejects(tokens.authenticate((r.status as { token: string }).token, world([sa])), /audiences/);
  const other = new ServiceAccountTokens({ key, issuer: 'https://elsewhere', audiences: [ISS] });
  const t2 = other.issue({ namespace: 'ns1', serviceAccount: { name: 'bot', uid: 'sa-uid' }, audiences: [ISS], expirationSeconds: 600 }).token;
  await assert.rejects(tokens.authenticate(t2, world([sa])), /issuer/);
});

test('token request: validation and binding errors as upstream', async () => {
  const tokens = new ServiceAccountTokens({ key, issuer: ISS, audiences: [ISS] });
  await assert.rejects(answerTokenRequest(tokens, sa, { spec: { expirationSeconds: 599 } }, world([sa])),
    (e: Error & { httpCode?: number }) => e.httpCode === 422 && /spec\.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes/.test(e.message));
  await assert.rejects(answerTokenRequest(tokens, sa, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nope' } } }, world([sa])),
    (e: Error & { httpCode?: number }) => e.httpCode === 404 && /pods "nope" not found/.test(e.message));
  await assert.rejects(answerTokenRequest(tokens, sa, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'x' } } }, world([sa, pod])),
    (e: Error & { httpCode?: number }) => e.httpCode === 409);
  await assert.rejects(answerTokenRequest(tokens, sa, { spec: { boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'd' } } }, world([sa])),
    (e: Error & { httpCode?: number }) => e.httpCode === 400 && /cannot bind token/.test(e.message));
  const other = { ...pod, spec: { serviceAccountName: 'default' } };
  await assert.rejects(answerTokenRequest(tokens, sa, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } } }, world([sa, other])), /different serviceaccount/);
});

test('admission: default service account, volume and read-only mounts in every container', async () => {
  const p: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'a' }, { name: 'b', volumeMounts: [{ name: 'own', mountPath: TOKEN_MOUNT_PATH }] }], volumes: [{ name: 'own', emptyDir: {} }] } };
  const def: KObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'ns1', uid: 'u' }, imagePullSecrets: [{ name: 'reg' }] };
  await admitPod('ns1', p, async (_ns, n) => (n === 'default' ? def : undefined), { suffix: () => 'abcde' });
  const spec = p.spec as { serviceAccountName: string; volumes: { name: string; projected?: { sources: unknown[] } }[]; containers: { volumeMounts?: unknown[] }[]; initContainers: { volumeMounts?: unknown[] }[]; imagePullSecrets: unknown[] };
  assert.equal(spec.serviceAccountName, 'default');
  assert.deepEqual(spec.imagePullSecrets, [{ name: 'reg' }]);
  assert.deepEqual(spec.volumes.map((v) => v.name), ['own', 'kube-api-access-abcde']);
  assert.deepEqual(spec.volumes[1]!.projected!.sources, [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ]);
  const mount = { name: 'kube-api-access-abcde', readOnly: true, mountPath: TOKEN_MOUNT_PATH };
  assert.deepEqual(spec.initContainers[0]!.volumeMounts, [mount]);
  assert.deepEqual(spec.containers[0]!.volumeMounts, [mount]);
  assert.deepEqual(spec.containers[1]!.volumeMounts, [{ name: 'own', mountPath: TOKEN_MOUNT_PATH }], 'an existing mount at the path wins');
});

test('admission: automount false (pod over service account), a missing service account is 403', async () => {
  const bot: KObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot', namespace: 'ns1' }, automountServiceAccountToken: false };
  const look = async (_ns: string, n: string): Promise<KObject | undefined> => (n === 'bot' ? bot : undefined);
  const off: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'bot', containers: [{ name: 'a' }] } };
  await admitPod('ns1', off, look);
  assert.equal((off.spec as { volumes?: unknown }).volumes, undefined);
  const on: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'bot', automountServiceAccountToken: true, containers: [{ name: 'a' }] } };
  await admitPod('ns1', on, look);
  assert.equal((on.spec as { volumes: unknown[] }).volumes.length, 1);
  const missing: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { serviceAccountName: 'ghost', containers: [{ name: 'a' }] } };
  await assert.rejects(admitPod('ns1', missing, look), (e: Error & { httpCode?: number }) => e.httpCode === 403
    && e.message === 'pods "q" is forbidden: error looking up service account ns1/ghost: serviceaccount "ghost" not found');
  const noDefault: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'r' }, spec: { containers: [{ name: 'a' }] } };
  await assert.rejects(admitPod('ns1', noDefault, look, { defaultAttempts: 2, retryMs: 1 }), /service account ns1\/default/);
});

test('mountServiceAccountToken reuses an existing kube-api-access volume', () => {
  const spec: Record<string, unknown> = { containers: [{ name: 'a' }], volumes: [{ name: 'kube-api-access-zzzzz', projected: { sources: [] } }] };
  mountServiceAccountToken(spec, () => 'never');
  assert.deepEqual((spec.containers as { volumeMounts: { name: string }[] }[])[0]!.volumeMounts[0]!.name, 'kube-api-access-zzzzz');
  assert.equal((spec.volumes as unknown[]).length, 1);
});
