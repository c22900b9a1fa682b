import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindByKind } from './index.js';
import type { KObject } from './types.js';

const secretK = kindByKind('', 'Secret')!;
const saK = kindByKind('', 'ServiceAccount')!;
const secret = (rest: Record<string, unknown>, name = 's', annotations?: Record<string, string>): KObject =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) }, ...rest });
const errs = (o: KObject, old?: KObject): string[] => {
  secretK.defaults(o);
  if (old) secretK.defaults(old);
  return secretK.validate(o, old).map((e) => `${e.field}: ${e.message}`);
};
const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('secret: stringData is merged into data (overriding it) and type defaults to Opaque', () => {
  const s = secret({ data: { a: b64('old'), b: b64('keep') }, stringData: { a: 'new', c: 'ü' } });
  assert.deepEqual(errs(s), []);
  assert.equal(s.type, 'Opaque');
  assert.equal(s.stringData, undefined);
  assert.deepEqual(s.data, { a: b64('new'), b: b64('keep'), c: b64('ü') });
});

test('secret: per-type validation names the field, never the value', () => {
  assert.deepEqual(errs(secret({ data: { 'bad key!': b64('x') } })).map((e) => e.split(':')[0]), ['data[bad key!]']);
  const notB64 = errs(secret({ data: { k: 'not base64!' } }));
  assert.deepEqual(notB64, ['data[k]: Invalid value: "<secret contents redacted>": must be base64-encoded bytes']);
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } })), ['data[tls.key]: Required value']);
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } })), []);
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/basic-auth', data: {} })), ['data[username]: Required value']);
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/basic-auth', stringData: { password: 'p' } })), []);
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/ssh-auth', data: {} })), ['data[ssh-privatekey]: Required value']);
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/dockerconfigjson', data: {} })), ['data[.dockerconfigjson]: Required value']);
  const badJson = errs(secret({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths": secret' } }));
  assert.equal(badJson.length, 1);
  assert.match(badJson[0]!, /^data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>"/);
  assert.ok(!badJson[0]!.includes('"auths"'), 'the value is not echoed');
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } })), []);
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/service-account-token' })), ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/service-account-token' }, 's', { 'kubernetes.io/service-account.name': 'default' })), []);
  assert.deepEqual(errs(secret({ stringData: { n: 5 } })), ['stringData[n]: Invalid value: "<secret contents redacted>": must be a string']);
});

test('secret: type is immutable, an immutable secret keeps its data', () => {
  const old = secret({ data: { a: b64('1') } });
  assert.deepEqual(errs(secret({ type: 'kubernetes.io/basic-auth', data: { username: b64('u') } }), old), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
  const frozen = secret({ data: { a: b64('1') }, immutable: true });
  assert.deepEqual(errs(secret({ data: { a: b64('2') }, immutable: true }), frozen), ['data: Forbidden: field is immutable when `immutable` is set']);
});

test('secret table: NAME TYPE DATA AGE, no values anywhere in the cells', () => {
  const s = secret({ stringData: { password: 'hunter2', user: 'admin' } });
  secretK.defaults(s);
  s.metadata.creationTimestamp = new Date(Date.now() - 3000).toISOString();
  const t = secretK.table([s], new Date());
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
  assert.deepEqual(t.rows[0]!.cells, ['s', 'Opaque', 2, '3s']);
  assert.ok(!JSON.stringify(t.rows[0]!.cells).includes(b64('hunter2')));
});

test('serviceaccount: validation of referenced secrets, table NAME SECRETS AGE, token subresource', () => {
  const sa: KObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot', namespace: 'default' }, secrets: [{ name: 'a' }, {}], imagePullSecrets: [{ name: 'Bad_Name' }] };
  saK.defaults(sa);
  assert.deepEqual(saK.validate(sa).map((e) => e.field), ['secrets[1].name', 'imagePullSecrets[0].name']);
  assert.deepEqual(saK.table([sa], new Date()).rows[0]!.cells.slice(0, 2), ['bot', 2]);
  assert.deepEqual(saK.shortNames, ['sa']);
  assert.deepEqual(saK.subresources, ['token']);
});
