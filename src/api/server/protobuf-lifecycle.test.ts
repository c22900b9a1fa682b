/**
 * Protobuf bodies of DeleteOptions and Eviction, encoded by protobufjs from the messages as
 * upstream's generated.proto declares them (k8s.io.apimachinery.pkg.apis.meta.v1,
 * k8s.io.api.policy.v1), wrapped in the runtime.Unknown envelope kubectl sends; decoded by the server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { decodeProtobufObject, PROTOBUF_MAGIC } from './protobuf.js';

const PROTO = `
syntax = "proto2";
package k8s;
message Preconditions { optional string uid = 1; optional string resourceVersion = 2; }
message DeleteOptions {
  optional int64 gracePeriodSeconds = 1; optional Preconditions preconditions = 2; optional bool orphanDependents = 3;
  optional string propagationPolicy = 4; repeated string dryRun = 5;
}
message ObjectMeta { optional string name = 1; optional string namespace = 3; }
message Eviction { optional ObjectMeta metadata = 1; optional DeleteOptions deleteOptions = 2; }
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
`;
const root = protobuf.parse(PROTO).root;

function envelope(apiVersion: string, kind: string, type: string, obj: Record<string, unknown>): Buffer {
  const T = root.lookupType(`k8s.${type}`);
  const raw = T.encode(T.fromObject(obj)).finish();
  const U = root.lookupType('k8s.Unknown');
  const body = U.encode(U.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })).finish();
  return Buffer.concat([PROTOBUF_MAGIC, Buffer.from(body)]);
}

test('DeleteOptions as kubectl 1.32+ sends them (drain --disable-eviction): grace 0 and preconditions survive', () => {
  const d = decodeProtobufObject(envelope('v1', 'DeleteOptions', 'DeleteOptions', { gracePeriodSeconds: 0, preconditions: { uid: 'u-1' }, propagationPolicy: 'Foreground', dryRun: ['All'] }));
  assert.deepEqual(d, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'u-1' }, propagationPolicy: 'Foreground', dryRun: ['All'] });
  const m = decodeProtobufObject(envelope('meta.k8s.io/v1', 'DeleteOptions', 'DeleteOptions', { orphanDependents: true }));
  assert.equal(m.orphanDependents, true);
});

test('policy/v1 Eviction with its DeleteOptions', () => {
  const e = decodeProtobufObject(envelope('policy/v1', 'Eviction', 'Eviction', { metadata: { name: 'web-1', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 5 } }));
  assert.deepEqual(e, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 5 } });
});
