/**
 * Request bodies recorded from the real kubectl 1.33 (test/support/record-protobuf.ts: `-v=9`
 * hex dumps of its typed clients' POSTs to a podnet API server; index.json names each command and
 * URL). Each decodes to the object the same command prints with `--dry-run=client -o json`, or,
 * for the commands that have no dry run, to the object Go's encoding/json writes for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeProtobufObject, encodeProtobufObject } from './envelope.js';

const DIR = fileURLToPath(new URL('../../../../test/fixtures/protobuf/kubectl/', import.meta.url));
const index = JSON.parse(readFileSync(`${DIR}index.json`, 'utf8')) as Record<string, { kubectl: string; command: string; method: string; url: string }>;

/** What Go's encoding/json writes for the commands without a client dry run. */
const EXPECTED: Record<string, Record<string, unknown>> = {
  clusterrole: {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'node-reader', creationTimestamp: null },
    rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }],
  },
  tokenrequest: {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { creationTimestamp: null },
    spec: { audiences: ['podnet'], expirationSeconds: 3600 }, status: { token: '', expirationTimestamp: null },
  },
  selfsubjectaccessreview: {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null },
    spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } }, status: { allowed: false },
  },
  selfsubjectreview: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { creationTimestamp: null }, status: { userInfo: {} } },
};

test('every recorded case has its expected object', () => {
  assert.ok(Object.keys(index).length >= 16);
  for (const name of Object.keys(index)) assert.ok(existsSync(`${DIR}${name}.json`) || EXPECTED[name], name);
});

for (const [name, rec] of Object.entries(index)) {
  test(`${rec.kubectl} ${rec.command} (${rec.method} ${rec.url.split('?')[0]}) decodes to what kubectl means`, () => {
    const body = readFileSync(`${DIR}${name}.pb`);
    const want = existsSync(`${DIR}${name}.json`) ? JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as Record<string, unknown> : EXPECTED[name]!;
    assert.deepEqual(decodeProtobufObject(body), want);
    assert.deepEqual(decodeProtobufObject(encodeProtobufObject(want)), want, 'our encoding decodes to the same object');
  });
}
