import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiStatusError, alreadyExists, badRequest, conflict, forbidden, internal, invalid, methodNotAllowed, notAcceptable, notFound, pathNotFound, tooLarge, unsupportedMediaType } from './status.js';
import { statusOf } from './http.js';
import { BadPatchError } from '../patch/index.js';

const KEYS = ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code'];

test('every Status carries kind, apiVersion, metadata, status, message, reason, details and code', () => {
  const all: ApiStatusError[] = [
    notFound({ group: '', resource: 'pods' }, 'x'), pathNotFound(), alreadyExists({ group: 'apps', resource: 'deployments' }, 'd'),
    conflict({ group: '', resource: 'pods' }, 'x'), forbidden({ group: '', resource: 'namespaces' }, 'default', 'this namespace may not be deleted'),
    badRequest('b'), methodNotAllowed(), notAcceptable(['application/json']), unsupportedMediaType('text/csv', ['application/json']),
    tooLarge(3145728), internal('boom'), invalid('Pod', '', 'p', [{ type: 'FieldValueRequired', field: 'spec.containers', message: 'Required value' }], 'Pod "p" is invalid'),
  ];
  for (const e of all) {
    const b = e.body();
    assert.deepEqual(Object.keys(b), KEYS, e.message);
    assert.equal(b.kind, 'Status'); assert.equal(b.apiVersion, 'v1'); assert.deepEqual(b.metadata, {}); assert.equal(b.status, 'Failure');
    assert.equal(b.code, e.httpCode); assert.equal(typeof b.details, 'object');
  }
});

test('details as upstream: resource plural for NotFound/AlreadyExists/Conflict/Forbidden, Kind and causes for Invalid', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(notFound({ group: '', resource: 'pods' }, 'x').body())),
    { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "x" not found', reason: 'NotFound', details: { name: 'x', kind: 'pods' }, code: 404 });
  assert.deepEqual(alreadyExists({ group: 'apps', resource: 'deployments' }, 'd').body().details, { name: 'd', group: 'apps', kind: 'deployments' });
  assert.equal(alreadyExists({ group: 'apps', resource: 'deployments' }, 'd').message, 'deployments.apps "d" already exists');
  const c = conflict({ group: '', resource: 'pods' }, 'x').body();
  assert.equal(c.reason, 'Conflict'); assert.equal(c.code, 409); assert.deepEqual(c.details, { name: 'x', kind: 'pods' });
  assert.match(c.message, /^Operation cannot be fulfilled on pods "x": the object has been modified/);
  const f = forbidden({ group: '', resource: 'namespaces' }, 'default', 'this namespace may not be deleted').body();
  assert.equal(f.message, 'namespaces "default" is forbidden: this namespace may not be deleted');
  assert.deepEqual(f.details, { name: 'default', kind: 'namespaces' });
  const inv = invalid('Pod', '', 'p', [{ type: 'FieldValueNotSupported', field: 'spec.x', message: 'Unsupported value: "FTP"' }], 'Pod "p" is invalid: spec.x: Unsupported value: "FTP"').body();
  assert.deepEqual(inv.details, { name: 'p', kind: 'Pod', causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "FTP"', field: 'spec.x' }] });
});

test('a path the server does not serve: upstream body with empty details (kubectl debug reads details.name)', () => {
  assert.deepEqual(pathNotFound().body(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
});

test('405, 406, 413, 415 and 500 with upstream reasons and wording', () => {
  assert.deepEqual([methodNotAllowed().body().reason, methodNotAllowed().httpCode], ['MethodNotAllowed', 405]);
  assert.deepEqual(methodNotAllowed({ group: 'apps', resource: 'deployments' }).body().details, { group: 'apps', kind: 'deployments' });
  const na = notAcceptable(['application/json']).body();
  assert.deepEqual([na.code, na.reason, na.message], [406, 'NotAcceptable', 'only the following media types are accepted: application/json']);
  assert.deepEqual([tooLarge(3145728).body().reason, tooLarge(3145728).message], ['RequestEntityTooLarge', 'Request entity too large: limit is 3145728']);
  const um = unsupportedMediaType('text/csv', ['application/json', 'application/yaml']).body();
  assert.deepEqual([um.code, um.reason], [415, 'UnsupportedMediaType']);
  assert.match(um.message, /^the body of the request was in an unknown format - accepted media types include: application\/json, application\/yaml/);
  assert.deepEqual(internal('boom').body().details, { causes: [{ message: 'boom' }] });
});

test('statusOf: anything thrown becomes a full Status', () => {
  assert.deepEqual(Object.keys(statusOf(new Error('x'))), KEYS);
  assert.equal(statusOf(new Error('x')).code, 500);
  const bp = statusOf(new BadPatchError('bad op'));
  assert.deepEqual([bp.code, bp.reason, Object.keys(bp)], [422, 'Invalid', KEYS]);
});
