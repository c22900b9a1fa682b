import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createStore } from '../../src/api/storage/index.js';
import { startEtcd } from '../support/etcd.js';

const WRITER = fileURLToPath(new URL('../support/storage-writer.js', import.meta.url));

/**
 * Runs the writer, kill -9s it once `killAfter` writes were acknowledged (mid-burst: more are in
 * flight), and returns every acknowledged key with its revision.
 */
async function burstAndKill(spec: string, dataDir: string, prefix: string, killAfter: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, [WRITER, spec, dataDir, prefix, '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked = new Map<string, number>();
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const m = /^ack (\S+) (\d+)$/.exec(line);
      if (m) acked.set(m[1]!, Number(m[2]));
      if (acked.size >= killAfter && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await closed; // 'close' fires after stdout is drained: every line the writer printed is in `acked`
  clearTimeout(guard);
  assert.equal(child.signalCode, 'SIGKILL', `writer should have been killed mid-burst (exit ${child.exitCode}): ${stderr}`);
  assert.ok(acked.size >= killAfter, `writer acknowledged only ${acked.size} writes: ${stderr}`);
  return acked;
}

async function assertAllPresent(spec: string, dataDir: string, prefix: string, acked: Map<string, number>): Promise<void> {
  const store = await createStore(spec, dataDir, { compactIntervalMs: 0 });
  try {
    const { items } = await store.list(prefix);
    const found = new Map(items.map((e) => [e.key, e]));
    const missing = [...acked.keys()].filter((k) => !found.has(k));
    assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged writes lost`);
    for (const [key, rev] of acked) {
      const e = found.get(key)!;
      assert.equal(e.modRevision, rev);
      assert.equal(Buffer.from(e.value).toString(), `value of ${key}`);
    }
    // the store keeps going from where it was: revisions continue to grow
    const maxAcked = Math.max(...acked.values());
    assert.ok((await store.currentRevision()) >= maxAcked);
    assert.ok((await store.create(`${prefix}after`, Buffer.from('x'))) > maxAcked);
  } finally {
    await store.close();
  }
}

test('sqlite: every acknowledged write survives kill -9 of the writer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tstorage-dur-'));
  try {
    const acked = await burstAndKill('sqlite', dir, '/registry/configmaps/default/k', 300);
    await assertAllPresent('sqlite', dir, '/registry/configmaps/default/k', acked);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('etcd: every acknowledged write survives kill -9 of the writer and of etcd', async () => {
  const etcd = await startEtcd();
  try {
    const spec = `etcd:${etcd.endpoint}`;
    const acked = await burstAndKill(spec, '', '/registry/configmaps/default/k', 300);
    await etcd.crash();
    await etcd.restart();
    await assertAllPresent(spec, '', '/registry/configmaps/default/k', acked);
  } finally {
    await etcd.stop();
  }
});
