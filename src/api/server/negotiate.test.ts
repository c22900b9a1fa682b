import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate, parseAccept } from './negotiate.js';

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
