import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installShim, setUpDone, shimChildPid, shimExit, startShim } from './shim.js';
import { waitFor } from './wait.js';

test('shim: CRI log lines and exit code; a stdin FIFO held open (no EOF between writers); the set-up fd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-shim-'));
  try {
    const shim = installShim(join(dir, 'bin'));
    const run = join(dir, 'run');
    const fifo = join(run, 'stdin.fifo');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(run);
    // the child reports set-up on fd 7, then echoes stdin lines until "quit"
    const pid = startShim(shim, run, join(dir, 'c.log'), ['/bin/bash', '-c', 'echo ok >&7; exec 7>&-; while read -r l; do echo "got $l"; [ "$l" = quit ] && exit 4; done; echo eof'], { PATH: '/usr/bin:/bin' }, fifo);
    assert.ok(pid);
    await waitFor(() => (existsSync(fifo) && shimChildPid(run) ? true : undefined), 5000, 'fifo');
    assert.ok(statSync(fifo).isFIFO());
    await waitFor(() => (setUpDone(run) ? true : undefined), 5000, 'set-up reported');
    // two writers one after the other: the reader sees no EOF in between
    for (const line of ['one\n', 'two\n']) {
      const fd = openSync(fifo, constants.O_WRONLY);
      writeSync(fd, line);
      closeSync(fd);
      await new Promise((r) => setTimeout(r, 100));
    }
    const fd = openSync(fifo, constants.O_WRONLY);
    writeSync(fd, 'quit\n');
    closeSync(fd);
    const exit = await waitFor(() => shimExit(run), 5000, 'exit');
    assert.equal(exit.code, 4);
    const lines = readFileSync(join(dir, 'c.log'), 'utf8').trim().split('\n').map((l) => l.replace(/^\S+ /, ''));
    assert.deepEqual(lines, ['stdout F got one', 'stdout F got two', 'stdout F got quit']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
