import { test } from 'node:test';
import assert from 'node:assert/strict';
import { procAlive, procStartTime, startTimeFromStat } from './proc.js';

test('start time is field 22 of /proc/PID/stat, even when the command name has spaces and parens', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // fields 3.. as their own numbers
  fields[0] = 'S';
  assert.equal(startTimeFromStat(`42 (a b) c) ${fields.join(' ')}`), 22);
  fields[0] = 'Z';
  assert.equal(startTimeFromStat(`42 (zombie) ${fields.join(' ')}`), undefined);
});

test('this process is alive under its own start time and not under another', () => {
  const st = procStartTime(process.pid);
  assert.ok(st !== undefined && st > 0);
  assert.equal(procAlive(process.pid, st), true);
  assert.equal(procAlive(process.pid, st + 1), false);
  assert.equal(procAlive(0, undefined), false);
});
