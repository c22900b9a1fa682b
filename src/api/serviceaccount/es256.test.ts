import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../kinds/types.js';
import { algorithmOf, JwtError, signJwt, verifyJwt } from './jwt.js';
import { ensureSigningKey, readVerificationKeys, ServiceAccountKeyError } from './keys.js';
import { answerTokenRequest } from './tokenrequest.js';
import { answerTokenReview } from './tokenreview.js';
import { ServiceAccountTokens, type ObjectLookup } from './tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'pn-es256-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const ISS = 'https://kubernetes.default.svc.cluster.local';
const sa: KObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot', namespace: 'ns1', uid: 'sa-uid' } };
const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns1', uid: 'pod-uid' }, spec: { serviceAccountName: 'bot', nodeName: 'n1' } };
const node: KObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-uid' } };
const world = (objs: KObject[]): ObjectLookup => async (kind, ns, name) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? undefined) === ns);
const part = (t: string, i: number): Record<string, unknown> => JSON.parse(Buffer.from(t.split('.')[i]!, 'base64url').toString()) as Record<string, unknown>;

test('ES256: a generated P-256 key (data dir choice) signs tokens that verify; the signature is r‖s (64 bytes)', () => {
  const d = join(dir, 'gen');
  const key = ensureSigningKey(mkdtempSync(d), { generate: 'ec' });
  assert.equal(key.algorithm, 'ES256');
  assert.equal(key.privateKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const t = signJwt({ a: 1 }, key.privateKey, key.kid);
  assert.deepEqual(part(t, 0), { alg: 'ES256', kid: key.kid });
  const sig = Buffer.from(t.split('.')[2]!, 'base64url');
  assert.equal(sig.length, 64);
  // independent check with node:crypto (JWS form = IEEE P1363)
  assert.ok(verify('sha256', Buffer.from(t.split('.').slice(0, 2).join('.')), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig));
  assert.deepEqual(verifyJwt(t, key.publicKey).claims, { a: 1 });
  // tampered payload, an RSA key, or an RS256 header on an EC signature: refused
  const forged = `${t.split('.')[0]}.${Buffer.from('{"a":2}').toString('base64url')}.${t.split('.')[2]}`;
  assert.throws(() => verifyJwt(forged, key.publicKey), /invalid signature/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  assert.throws(() => verifyJwt(t, rsa), /invalid signature/);
  const relabeled = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.kid })).toString('base64url')}.${t.split('.')[1]}.${t.split('.')[2]}`;
  assert.throws(() => verifyJwt(relabeled, key.publicKey), /invalid signature/);
});

test('ES256: --service-account-signing-key-file (EC PEM) signs, TokenRequest + authenticate round-trip', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = join(dir, 'signing-ec.pem');
  writeFileSync(file, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  const key = ensureSigningKey(join(dir, 'unused'), { signingKeyFile: file });
  assert.equal(key.algorithm, 'ES256');
  const tokens = new ServiceAccountTokens({ key, issuer: ISS, audiences: [ISS] });
  const r = await answerTokenRequest(tokens, sa, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } } }, world([sa, pod, node]));
  const token = (r.status as { token: string }).token;
  assert.equal(part(token, 0).alg, 'ES256');
  const user = await tokens.authenticate(token, world([sa, pod, node]));
  assert.equal(user.name, 'system:serviceaccount:ns1:bot');
});

test('verification keys: --service-account-key-file adds keys (old RSA key keeps verifying after a switch to EC)', async () => {
  const oldDir = join(dir, 'old');
  const rsaKey = ensureSigningKey(mkdtempSync(oldDir));
  assert.equal(rsaKey.algorithm, 'RS256');
  const oldTokens = new ServiceAccountTokens({ key: rsaKey, issuer: ISS, audiences: [ISS] });
  const oldToken = oldTokens.issue({ namespace: 'ns1', serviceAccount: { name: 'bot', uid: 'sa-uid' }, audiences: [ISS], expirationSeconds: 3600 }).token;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecFile = join(dir, 'new-ec.pem');
  writeFileSync(ecFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const pubFile = join(dir, 'old-rsa.pub');
  writeFileSync(pubFile, rsaKey.publicKey.export({ type: 'spki', format: 'pem' }));
  const key = ensureSigningKey(join(dir, 'unused'), { signingKeyFile: ecFile, keyFiles: [pubFile] });
  assert.equal(key.verificationKeys.length, 2);
  const tokens = new ServiceAccountTokens({ key, issuer: ISS, audiences: [ISS] });
  assert.equal((await tokens.authenticate(oldToken, world([sa]))).name, 'system:serviceaccount:ns1:bot');
  const fresh = tokens.issue({ namespace: 'ns1', serviceAccount: { name: 'bot', uid: 'sa-uid' }, audiences: [ISS], expirationSeconds: 3600 }).token;
  assert.equal(part(fresh, 0).alg, 'ES256');
  // without the extra key file the old token no longer verifies
  const only = new ServiceAccountTokens({ key: ensureSigningKey(join(dir, 'unused'), { signingKeyFile: ecFile }), issuer: ISS, audiences: [ISS] });
  await assert.rejects(only.authenticate(oldToken, world([sa])), /invalid signature/);
});

test('keys: other curves and types are refused with the file named; a data-dir key of the other type is not silently replaced', () => {
  const p384 = join(dir, 'p384.pem');
  writeFileSync(p384, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  assert.throws(() => ensureSigningKey(dir, { signingKeyFile: p384 }), (e: Error) => e instanceof ServiceAccountKeyError && e.message.includes(p384) && /P-256/.test(e.message));
  const ed = join(dir, 'ed.pem');
  writeFileSync(ed, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  assert.throws(() => ensureSigningKey(dir, { signingKeyFile: ed }), /RSA or ECDSA P-256/);
  assert.throws(() => readVerificationKeys(join(dir, 'missing.pem')), ServiceAccountKeyError);
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'not a key');
  assert.throws(() => readVerificationKeys(garbage), /no PEM-encoded key/);
  const d = mkdtempSync(join(dir, 'rsa-'));
  ensureSigningKey(d);
  assert.equal(statSync(join(d, 'sa.key')).mode & 0o777, 0o600);
  const before = readFileSync(join(d, 'sa.key'), 'utf8');
  assert.throws(() => ensureSigningKey(d, { generate: 'ec' }), /holds an RSA key, not EC/);
  assert.equal(readFileSync(join(d, 'sa.key'), 'utf8'), before);
  assert.throws(() => algorithmOf(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey), JwtError);
});

test('TokenReview: authenticated user with uid, groups, bound-pod extra and audiences; failures are status.error', async () => {
  const key = ensureSigningKey(mkdtempSync(join(dir, 'tr-')), { generate: 'ec' });
  const tokens = new ServiceAccountTokens({ key, issuer: ISS, audiences: [ISS] });
  const objs = world([sa, pod, node]);
  const r = await answerTokenRequest(tokens, sa, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } } }, objs);
  const token = (r.status as { token: string }).token;
  const review = await answerTokenReview(tokens, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }, objs);
  assert.equal(review.kind, 'TokenReview');
  const st = review.status as { authenticated: boolean; user: { username: string; uid: string; groups: string[]; extra: Record<string, string[]> }; audiences: string[] };
  assert.equal(st.authenticated, true);
  assert.equal(st.user.username, 'system:serviceaccount:ns1:bot');
  assert.equal(st.user.uid, 'sa-uid');
  assert.deepEqual(st.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated']);
  assert.deepEqual(st.user.extra['authentication.kubernetes.io/pod-name'], ['p']);
  assert.deepEqual(st.user.extra['authentication.kubernetes.io/pod-uid'], ['pod-uid']);
  assert.deepEqual(st.user.extra['authentication.kubernetes.io/node-name'], ['n1']);
  assert.match(st.user.extra['authentication.kubernetes.io/credential-id']![0]!, /^JTI=/);
  assert.deepEqual(st.audiences, [ISS]);
  // a token for another audience: authenticates only when the review asks for that audience
  const vault = (await answerTokenRequest(tokens, sa, { spec: { audiences: ['vault', 'other'] } }, objs)).status as { token: string };
  const noAud = await answerTokenReview(tokens, { spec: { token: vault.token } }, objs);
  assert.equal((noAud.status as { authenticated?: boolean }).authenticated, undefined);
  assert.match((noAud.status as { error: string }).error, /^\[invalid bearer token, token audiences/);
  const withAud = await answerTokenReview(tokens, { spec: { token: vault.token, audiences: ['vault'] } }, objs);
  assert.deepEqual((withAud.status as { audiences: string[] }).audiences, ['vault']);
  // the bound pod is gone: not authenticated
  const gone = await answerTokenReview(tokens, { spec: { token } }, world([sa, node]));
  assert.match((gone.status as { error: string }).error, /no longer exists/);
  assert.deepEqual((gone.status as { user: object }).user, {});
  await assert.rejects(answerTokenReview(tokens, { spec: {} }, objs), (e: Error & { httpCode?: number }) => e.httpCode === 422 && /spec\.token: Required value/.test(e.message));
  const garbage = await answerTokenReview(tokens, { spec: { token: 'abc' } }, objs);
  assert.match((garbage.status as { error: string }).error, /not a JWT/);
});
