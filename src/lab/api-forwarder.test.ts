import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseListenAddress, startApiForwarder } from './api-forwarder.js';

test('--listen is IP:port', () => {
  assert.deepEqual(parseListenAddress('192.168.138.224:6443'), { host: '192.168.138.224', port: 6443 });
  assert.deepEqual(parseListenAddress('[::1]:443'), { host: '::1', port: 443 });
  for (const bad of ['192.168.138.224', 'master:6443', '1.2.3.4:0', '1.2.3.4:70000', '']) {
    assert.throws(() => parseListenAddress(bad), (e: unknown) => (e as { code?: string }).code === 'EFLAG', bad);
  }
});

test('bytes pass through both ways unchanged, half-close included; a missing socket closes the client', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-fwd-'));
  const path = join(dir, 'api.sock');
  // The "API server": echoes what it got, reversed, once the client half-closes; reports the peer it saw.
  const seen: string[] = [];
  const upstream = createServer({ allowHalfOpen: true }, (s: Socket) => {
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => { const all = Buffer.concat(chunks); seen.push(all.toString('hex')); s.end(Buffer.from(all).reverse()); });
  });
  await new Promise<void>((r) => upstream.listen(path, r));
  const fwd = await startApiForwarder({ host: '127.0.0.1', port: 0, socketPath: path });
  try {
    const payload = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const got = await new Promise<Buffer>((resolve, reject) => {
      const c = createConnection({ host: '127.0.0.1', port: fwd.address.port, allowHalfOpen: true });
      const parts: Buffer[] = [];
      c.on('data', (d: Buffer) => parts.push(d));
      c.on('end', () => { c.end(); resolve(Buffer.concat(parts)); });
      c.on('error', reject);
      c.end(payload);
    });
    assert.equal(seen[0], payload.toString('hex'), 'the unix side got every byte in order');
    assert.deepEqual(got, Buffer.from(payload).reverse(), 'the answer came back after the half-close');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fwd.active(), 0, 'the finished connection is forgotten');

    await new Promise<void>((r) => upstream.close(() => r()));
    const closed = await new Promise<string>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port: fwd.address.port });
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      c.on('close', () => resolve('closed'));
      c.resume();
    });
    assert.match(closed, /closed|ECONNRESET/);
  } finally {
    await fwd.close();
    upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
