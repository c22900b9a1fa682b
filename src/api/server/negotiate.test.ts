import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAcceptable, negotiate, parseAccept } from './negotiate.js';
import { ApiStatusError } from './status.js';

const JSON_ONLY = ['application/json'];

const PB = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PB_OLD = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const OFFERS = ['application/json', PB, PB_OLD];

test('no or empty Accept means */*: the first offer', () => {
  assert.equal(negotiate(undefined, OFFERS), 'application/json');
  assert.equal(negotiate('', OFFERS), 'application/json');
  assert.equal(negotiate('*/*', OFFERS), 'application/json');
  assert.equal(negotiate('application/*', OFFERS), 'application/json');
});

test('kubectl 1.27/1.28 ask for protobuf only and get it; both spellings', () => {
  assert.equal(negotiate(PB, OFFERS), PB);
  assert.equal(negotiate(PB_OLD, OFFERS), PB_OLD);
  assert.equal(negotiate(`${PB}, application/json`, OFFERS), PB);
  assert.equal(negotiate(`application/json, ${PB}`, OFFERS), 'application/json');
});

test('quality and specificity order the ranges', () => {
  assert.equal(negotiate(`application/json;q=0.5, ${PB}`, OFFERS), PB);
  assert.equal(negotiate(`*/*, ${PB}`, OFFERS), PB, 'a specific range outranks */* at equal q');
  assert.equal(negotiate(`*/*;q=0.1, application/json;q=0`, [PB, 'application/json']), PB);
  assert.equal(negotiate('APPLICATION/JSON; charset=utf-8', OFFERS), 'application/json');
  assert.deepEqual(parseAccept('text/plain;q=0.2, application/json').map((r) => `${r.type}/${r.subtype};${r.q}`),
    ['application/json;1', 'text/plain;0.2']);
});

test('nothing acceptable: undefined (the caller answers 406)', () => {
  assert.equal(negotiate('application/yaml', OFFERS), undefined);
  assert.equal(negotiate('application/com.github.proto-openapi.spec.v3@v1.0+protobuf', ['application/json']), undefined);
  assert.equal(negotiate('application/json;q=0', OFFERS), undefined);
  assert.equal(negotiate('text/*', OFFERS), undefined);
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
