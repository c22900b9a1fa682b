import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DurationError, parseDuration } from './duration.js';

test('parseDuration: each unit, decimals, bare seconds, surrounding space', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('7'), 7000);
  assert.equal(parseDuration(' 100ms '), 100);
});

test('parseDuration: malformed input is an EFLAG naming the flag', () => {
  for (const bad of ['', 'abc', '5 m', '-1s', '1d', '1.s', 's', '5mm']) {
    assert.throws(() => parseDuration(bad, '--sync-period'), (e: unknown) => {
      assert.ok(e instanceof DurationError);
      assert.equal(e.code, 'EFLAG');
      assert.match(e.message, /^--sync-period must be a duration/);
      assert.ok(e.message.includes(`"${bad}"`));
      return true;
    });
  }
});
