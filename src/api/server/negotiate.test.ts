import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAcceptable, negotiate, parseAccept } from './negotiate.js';
import { ApiStatusError } from './status.js';

const JSON_ONLY = ['application/json'];

test('parseAccept: types, parameters, q', () => {
  assert.deepEqual(parseAccept('application/json;as=Table;v=v1;g=meta.k8s.io, */*;q=0.5'), [
    { type: 'application/json', params: { as: 'Table', v: 'v1', g: 'meta.k8s.io' }, q: 1 },
    { type: '*/*', params: { q: '0.5' }, q: 0.5 },
  ]);
});

test('what kubectl and client-go send is served as JSON', () => {
  for (const h of [undefined, '', '*/*', 'application/json', 'application/json, */*',
    'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
    'application/vnd.kubernetes.protobuf, */*', 'application/vnd.kubernetes.protobuf,application/json',
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;q=0.9', 'application/*', 'application/json;stream=watch']) {
    assert.equal(negotiate(h, JSON_ONLY), 'application/json', String(h));
  }
});

test('a type the server cannot write and no fallback: 406 NotAcceptable', () => {
  for (const h of ['application/vnd.kubernetes.protobuf', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'text/html', 'application/json;q=0', 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io']) {
    assert.equal(negotiate(h, JSON_ONLY), undefined, h);
    assert.throws(() => assertAcceptable(h, JSON_ONLY), (e: unknown) => e instanceof ApiStatusError && e.httpCode === 406 && e.body().reason === 'NotAcceptable');
  }
  assert.equal(negotiate('text/plain', ['text/plain', 'application/json']), 'text/plain');
  assert.equal(negotiate('text/*;q=0.2, application/json', ['text/plain', 'application/json']), 'application/json');
});
