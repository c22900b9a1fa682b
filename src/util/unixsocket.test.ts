import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockSocket, prepareSocketPath, SocketDirError } from './unixsocket.js';

test('socket directory 0700 (created or tightened), socket 0600, shared dirs refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tsock-'));
  try {
    const created = join(dir, 'new', 'a.sock');
    prepareSocketPath(created);
    assert.equal(statSync(join(dir, 'new')).mode & 0o777, 0o700);
    const open = join(dir, 'open');
    mkdirSync(open); chmodSync(open, 0o755);
    const sock = join(open, 'b.sock');
    prepareSocketPath(sock);
    assert.equal(statSync(open).mode & 0o777, 0o700);
    const s = createServer();
    await new Promise<void>((r) => s.listen(sock, r));
    lockSocket(sock);
    assert.equal(statSync(sock).mode & 0o777, 0o600);
    s.close();
    writeFileSync(join(open, 'c.sock'), 'not a socket');
    assert.throws(() => prepareSocketPath(join(open, 'c.sock')), /exists and is not a socket/);
    for (const p of ['/tmp/x.sock', '/run/x.sock']) assert.throws(() => prepareSocketPath(p), (e: unknown) => e instanceof SocketDirError && /shared directory/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
