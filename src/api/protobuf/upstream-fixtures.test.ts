/**
 * Bodies encoded by upstream's Go code, not by ours: the round-trip fixtures kubernetes/api and
 * apiextensions-apiserver keep for every type (testdata/HEAD/<group>.<version>.<Kind>.pb and the
 * .json Go's encoding/json writes for the same object, release v0.32.13; copied to
 * test/fixtures/protobuf/upstream/). Decoding each .pb must give its .json; encoding that JSON and
 * decoding again must give it back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeProtobufObject, encodeProtobufObject } from './envelope.js';

const DIR = fileURLToPath(new URL('../../../../test/fixtures/protobuf/upstream/', import.meta.url));
const names = readdirSync(DIR).filter((f) => f.endsWith('.pb')).map((f) => f.slice(0, -3)).sort();

test('the upstream fixtures are there', () => { assert.ok(names.length >= 30, names.join(' ')); });

for (const name of names) {
  test(`upstream ${name}: .pb decodes to the .json Go writes, and re-encodes to the same object`, () => {
    const want = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as Record<string, unknown>;
    const got = decodeProtobufObject(readFileSync(`${DIR}${name}.pb`));
    assert.deepEqual(got, want);
    assert.deepEqual(decodeProtobufObject(encodeProtobufObject(want)), want);
  });
}
