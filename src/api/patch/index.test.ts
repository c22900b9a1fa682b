import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, jsonPatch, mergePatch } from './index.js';
import { PodnetError } from '../../util/errors.js';
import { kindByKind } from '../kinds/index.js';

const meta = kindByKind('', 'Service')!.patchMeta;
const svc = () => ({ metadata: { name: 's', labels: { a: '1', b: '2' } }, spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] } });
const bad = (e: unknown) => e instanceof PodnetError && e.code === 'EBADPATCH';

test('merge patch (RFC 7386): null deletes, lists replace', () => {
  const out = mergePatch(svc(), { metadata: { labels: { a: null, c: '3' } }, spec: { ports: [{ port: 81 }] } });
  assert.deepEqual(out, { metadata: { name: 's', labels: { b: '2', c: '3' } }, spec: { ports: [{ port: 81 }] } });
  assert.deepEqual(mergePatch({ a: 1 }, 'x'), 'x');
});

test('json patch (RFC 6902): ops apply, test failure and bad paths are EBADPATCH', () => {
  const orig = svc();
  const out = jsonPatch(orig, [{ op: 'replace', path: '/spec/ports/0/port', value: 8080 }, { op: 'add', path: '/metadata/labels/x', value: 'y' }, { op: 'remove', path: '/metadata/labels/a' }]) as ReturnType<typeof svc>;
  assert.equal(out.spec.ports[0]!.port, 8080);
  assert.deepEqual(out.metadata.labels, { b: '2', x: 'y' } as unknown);
  assert.equal(orig.spec.ports[0]!.port, 80, 'original untouched');
  assert.throws(() => jsonPatch(svc(), [{ op: 'test', path: '/metadata/name', value: 'other' }]), bad);
  assert.throws(() => jsonPatch(svc(), [{ op: 'remove', path: '/spec/nothing/here' }]), bad);
  assert.throws(() => jsonPatch(svc(), { op: 'add' }), bad);
  assert.throws(() => jsonPatch(svc(), [{ op: 'frobnicate', path: '/a' }]), bad);
});

test('applyPatch dispatches on content type', () => {
  const s = applyPatch('application/strategic-merge-patch+json; charset=utf-8', svc(), { spec: { ports: [{ port: 80, name: 'web' }] } }, meta) as ReturnType<typeof svc>;
  assert.deepEqual(s.spec.ports.map((p) => p.name), ['web', 'https']);
  const m = applyPatch('application/merge-patch+json', svc(), { spec: { ports: [{ port: 80, name: 'web' }] } }, meta) as ReturnType<typeof svc>;
  assert.deepEqual(m.spec.ports.map((p) => p.name), ['web']);
  const j = applyPatch('application/json-patch+json', svc(), [{ op: 'replace', path: '/metadata/name', value: 't' }], meta) as ReturnType<typeof svc>;
  assert.equal(j.metadata.name, 't');
  assert.throws(() => applyPatch('text/plain', svc(), {}, meta), bad);
});
