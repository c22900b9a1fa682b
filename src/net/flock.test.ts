import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inProcessFileLocks, withFileLock } from './flock.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Two holders of the lock on `path` never overlap; returns the order of enter/leave marks. */
async function overlapping(path: string): Promise<string[]> {
  const marks: string[] = [];
  const holder = (n: string) => withFileLock(path, async () => { marks.push(`in ${n}`); await sleep(60); marks.push(`out ${n}`); });
  await Promise.all([holder('a'), holder('b')]);
  return marks;
}

test('withFileLock excludes: by a flock child, then by flock(2) in-process (koffi), and against another process holding the lock', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tflock-'));
  const path = join(dir, 'lock');
  try {
    assert.deepEqual(await overlapping(path), ['in a', 'out a', 'in b', 'out b']);
    await inProcessFileLocks();
    assert.deepEqual(await overlapping(path), ['in a', 'out a', 'in b', 'out b']);
    // a reference plugin's lock (here: flock(1) holding it for 300 ms) is honoured
    const other = spawn('flock', ['-x', path, '-c', 'sleep 0.3'], { stdio: 'ignore' });
    const otherDone = new Promise((r) => other.once('close', r));
    await sleep(100);
    const t0 = Date.now();
    await withFileLock(path, async () => undefined);
    assert.ok(Date.now() - t0 >= 100, 'waited for the other process to let go');
    await otherDone;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
