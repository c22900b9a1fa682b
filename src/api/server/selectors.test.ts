import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

test('label selectors: equality, set-based, existence', () => {
  const l = { app: 'web', tier: 'front', env: 'prod' };
  const ok = (s: string): boolean => matchLabels(parseLabelSelector(s), l);
  assert.ok(ok('app=web'));
  assert.ok(ok('app==web,tier=front'));
  assert.ok(!ok('app!=web'));
  assert.ok(ok('env in (prod, staging)'));
  assert.ok(!ok('env notin (prod)'));
  assert.ok(ok('tier,!missing'));
  assert.ok(!ok('missing'));
  assert.ok(ok(''));
  assert.throws(() => parseLabelSelector('a b c'), /unable to parse/);
});

test('field selectors', () => {
  const f = { 'metadata.name': 'p', 'spec.nodeName': 'n1', 'status.phase': 'Running' };
  assert.ok(matchFields(parseFieldSelector('spec.nodeName=n1'), f));
  assert.ok(matchFields(parseFieldSelector('spec.nodeName!=n2,status.phase=Running'), f));
  assert.ok(!matchFields(parseFieldSelector('metadata.name=q'), f));
  assert.ok(matchFields(parseFieldSelector('spec.nodeName='), { 'spec.nodeName': '' }));
});
