import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootTimeMs, btimeFromStat, startDateMs } from './boottime.js';
import { procStartTime } from './proc.js';

test('btime is read from /proc/stat text', () => {
  assert.equal(btimeFromStat('cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n'), 1_700_000_000_000);
  assert.equal(btimeFromStat('cpu 1\n'), undefined);
});

test('a process start date: boot + ticks / USER_HZ', () => {
  assert.equal(startDateMs(250, 1_000_000), 1_002_500);
});

test('this process started between boot and now', () => {
  const boot = bootTimeMs();
  assert.ok(boot && boot < Date.now());
  const started = startDateMs(procStartTime(process.pid)!, boot);
  assert.ok(started <= Date.now() + 1000 && started > Date.now() - 24 * 3600_000 * 365, String(new Date(started)));
  // node has run for less time than the uptime of the test; its start lies after boot
  assert.ok(started >= boot);
});
