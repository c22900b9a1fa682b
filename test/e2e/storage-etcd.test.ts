import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStore } from '../../src/api/storage/index.js';
import { EtcdStore } from '../../src/api/storage/etcd.js';
import { StoreError } from '../../src/api/storage/store.js';
import { storeConformance } from '../../src/api/storage/store.conformance.js';
import { startEtcd, type EtcdHandle } from '../support/etcd.js';

// The same conformance suite as the sqlite unit test, against a real etcd (Debian's etcd-server).
let etcd: EtcdHandle | undefined;
storeConformance('etcd', {
  before: async () => { etcd = await startEtcd(); },
  after: async () => { await etcd?.stop(); etcd = undefined; },
  open: async (opts) => createStore(`etcd:${etcd!.endpoint}`, '', { compactIntervalMs: 0, ...opts }),
  restartBackend: async () => { await etcd!.restart(); },
});

test('etcd: an unreachable etcd fails with EUNAVAILABLE, and the store recovers when etcd is back', async () => {
  const e = await startEtcd();
  const store = new EtcdStore([e.endpoint], { compactIntervalMs: 0, callTimeoutMs: 2000 });
  try {
    const r1 = await store.create('/registry/pods/default/a', Buffer.from('a'));
    const ac = new AbortController();
    const it = store.watch('/registry/pods/', r1, ac.signal)[Symbol.asyncIterator]();
    const pending = it.next().then((r) => r, (err: unknown) => err);
    await e.crash();
    await assert.rejects(store.get('/registry/pods/default/a'), (err: unknown) => err instanceof StoreError && err.code === 'EUNAVAILABLE');
    await assert.rejects(store.create('/registry/pods/default/b', Buffer.from('b')), (err: unknown) => err instanceof StoreError && err.code === 'EUNAVAILABLE');
    const watchErr = await pending;
    assert.ok(watchErr instanceof StoreError && watchErr.code === 'EUNAVAILABLE', `watch ends with EUNAVAILABLE, got ${String(watchErr)}`);
    ac.abort();
    await e.restart();
    let got: string | undefined;
    for (const end = Date.now() + 60_000; got === undefined && Date.now() < end;) {
      try { got = (await store.get('/registry/pods/default/a'))?.value.toString(); } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    assert.equal(got, 'a');
  } finally {
    await store.close();
    await e.stop();
  }
});
