import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createStore, storeEngines } from './index.js';
import { SqliteStore } from './sqlite.js';
import { StoreError } from './store.js';
import { storeConformance } from './store.conformance.js';

let dir = '';
storeConformance('sqlite', {
  before: async () => { dir = mkdtempSync(join(tmpdir(), 'pn-tstorage-')); },
  after: async () => { rmSync(dir, { recursive: true, force: true }); },
  open: async (opts) => new SqliteStore(join(dir, 'store.db'), { compactIntervalMs: 0, ...opts }),
});

test('sqlite: a second process-level open of the same file is refused while the first holds it', async () => {
  const d = mkdtempSync(join(tmpdir(), 'pn-tstorage-'));
  try {
    const a = new SqliteStore(join(d, 's.db'), { compactIntervalMs: 0 });
    await a.create('/k', Buffer.from('v'));
    assert.throws(() => new SqliteStore(join(d, 's.db'), { compactIntervalMs: 0 }), (e: unknown) => e instanceof StoreError && e.code === 'EUNAVAILABLE');
    await a.close();
    const b = new SqliteStore(join(d, 's.db'), { compactIntervalMs: 0 });
    assert.equal((await b.get('/k'))?.modRevision, 1);
    await b.close();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('createStore parses specs through the engine registry', async () => {
  const d = mkdtempSync(join(tmpdir(), 'pn-tstorage-'));
  try {
    assert.deepEqual(storeEngines(), ['etcd', 'sqlite']);
    const s1 = await createStore('sqlite', d, { compactIntervalMs: 0 });
    assert.ok(s1 instanceof SqliteStore);
    assert.equal(s1.file, join(d, 'podnet.db'));
    await s1.close();
    const s2 = await createStore(`sqlite:${join(d, 'other.db')}`, '', { compactIntervalMs: 0 });
    assert.equal((s2 as SqliteStore).file, join(d, 'other.db'));
    await s2.close();
    const bad = (e: unknown): boolean => e instanceof StoreError && e.code === 'EINVAL';
    await assert.rejects(createStore('mysql:foo', d), bad);
    await assert.rejects(createStore('', d), bad);
    await assert.rejects(createStore('etcd:', d), bad);
    await assert.rejects(createStore('etcd:127.0.0.1', d), bad);
    await assert.rejects(createStore('etcd:https://127.0.0.1:2379', d), bad);
    await assert.rejects(createStore('sqlite', ''), bad);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
