import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { test } from 'node:test';
import { StoreError, type Entry, type Store, type StoreOptions, type WatchEvent } from './store.js';

/**
 * One behavioural suite for every Store engine (sqlite unit test, etcd e2e test).
 * `open` returns a new client on the same backing data each time; `restartBackend`, when given,
 * crashes and restarts the backend (etcd: kill -9 + restart on the same data dir).
 */
export interface ConformanceHarness {
  before(): Promise<void>;
  after(): Promise<void>;
  open(opts?: StoreOptions): Promise<Store>;
  restartBackend?(): Promise<void>;
}

const enc = (s: string): Buffer => Buffer.from(s);
const dec = (v: Uint8Array): string => Buffer.from(v).toString();

function isStoreError(code: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected StoreError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

/** Reads events until `want` returns true (or fails after a safety timeout so a bug cannot hang the suite). */
async function collect(it: AsyncIterator<WatchEvent>, want: (evs: WatchEvent[]) => boolean, keepProgress = false): Promise<WatchEvent[]> {
  const evs: WatchEvent[] = [];
  const deadline = Date.now() + 15_000;
  while (!want(evs)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`watch: gave up after 15 s with ${JSON.stringify(evs.map(summary))}`);
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      it.next(),
      new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), left); }),
    ]);
    clearTimeout(timer);
    if (next === 'timeout') continue;
    if (next.done) throw new Error(`watch ended early after ${JSON.stringify(evs.map(summary))}`);
    if (next.value.type === 'progress' && !keepProgress) continue;
    evs.push(next.value);
  }
  return evs;
}

function summary(e: WatchEvent): string {
  if (e.type === 'put') return `put ${e.entry.key}=${dec(e.entry.value)}@${e.entry.modRevision}${e.prev ? ` prev@${e.prev.modRevision}` : ''}`;
  if (e.type === 'delete') return `delete ${e.key}@${e.revision}${e.prev ? ` prev=${dec(e.prev.value)}@${e.prev.modRevision}` : ''}`;
  return `progress@${e.revision}`;
}

export function storeConformance(engine: string, h: ConformanceHarness): void {
  let store: Store;
  const prefix = (): string => `/registry/t${randomBytes(4).toString('hex')}/`;

  test(`${engine}: setup`, async () => {
    await h.before();
    store = await h.open();
  });

  test(`${engine}: create, get, EEXIST`, async () => {
    const p = prefix();
    const before = await store.currentRevision();
    const rev = await store.create(`${p}a`, enc('one'));
    assert.ok(rev > before);
    assert.equal(await store.currentRevision(), rev);
    const e = await store.get(`${p}a`);
    assert.ok(e);
    assert.equal(e.key, `${p}a`);
    assert.equal(dec(e.value), 'one');
    assert.equal(e.createRevision, rev);
    assert.equal(e.modRevision, rev);
    await assert.rejects(store.create(`${p}a`, enc('two')), isStoreError('EEXIST'));
    assert.equal(dec((await store.get(`${p}a`))!.value), 'one');
    assert.equal(await store.currentRevision(), rev, 'a refused create does not bump the revision');
    assert.equal(await store.get(`${p}missing`), undefined);
    // binary values survive unchanged
    const bin = Uint8Array.from([0, 255, 1, 128, 10]);
    await store.create(`${p}bin`, bin);
    assert.deepEqual([...(await store.get(`${p}bin`))!.value], [...bin]);
  });

  test(`${engine}: update is a compare-and-swap on modRevision`, async () => {
    const p = prefix();
    const r1 = await store.create(`${p}a`, enc('v1'));
    const r2 = await store.update(`${p}a`, enc('v2'), r1);
    assert.ok(r2 > r1);
    const e = (await store.get(`${p}a`))!;
    assert.equal(dec(e.value), 'v2');
    assert.equal(e.createRevision, r1);
    assert.equal(e.modRevision, r2);
    await assert.rejects(store.update(`${p}a`, enc('stale'), r1), isStoreError('ECONFLICT'));
    assert.equal(dec((await store.get(`${p}a`))!.value), 'v2');
    await assert.rejects(store.update(`${p}nope`, enc('x'), r1), isStoreError('ENOENT'));
    // concurrent CAS from the same revision: exactly one wins
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => store.update(`${p}a`, enc(`c${i}`), r2)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') isStoreError('ECONFLICT')(r.reason);
  });

  test(`${engine}: delete with and without an expected revision`, async () => {
    const p = prefix();
    const r1 = await store.create(`${p}a`, enc('v1'));
    const r2 = await store.update(`${p}a`, enc('v2'), r1);
    await assert.rejects(store.delete(`${p}a`, r1), isStoreError('ECONFLICT'));
    assert.ok(await store.get(`${p}a`));
    const d = await store.delete(`${p}a`, r2);
    assert.ok(d > r2);
    assert.equal(await store.get(`${p}a`), undefined);
    await assert.rejects(store.delete(`${p}a`), isStoreError('ENOENT'));
    await assert.rejects(store.delete(`${p}a`, d), isStoreError('ENOENT'));
    await store.create(`${p}b`, enc('x'));
    const d2 = await store.delete(`${p}b`);
    assert.ok(d2 > d);
    assert.equal(await store.get(`${p}b`), undefined);
    // a key can be created again after deletion, with a new createRevision
    const r3 = await store.create(`${p}a`, enc('again'));
    assert.equal((await store.get(`${p}a`))!.createRevision, r3);
  });

  test(`${engine}: list order, prefix, count, limit + startKey, at a revision`, async () => {
    const p = prefix();
    const names = ['b', 'a', 'c/x', 'd', 'e'];
    for (const n of names) await store.create(`${p}pods/${n}`, enc(n));
    await store.create(`${p}podsX/z`, enc('sibling with the same string prefix'));
    await store.create(`${p}other/a`, enc('o'));
    const all = await store.list(`${p}pods/`);
    assert.deepEqual(all.items.map((e) => e.key), ['a', 'b', 'c/x', 'd', 'e'].map((n) => `${p}pods/${n}`));
    assert.equal(all.more, false);
    assert.equal(all.revision, await store.currentRevision());
    assert.equal(await store.count(`${p}pods/`), 5);
    assert.equal(await store.count(`${p}`), 7);
    assert.equal((await store.list(`${p}nothing/`)).items.length, 0);

    // pages of 2, continued with startKey = lastKey + '\0' at the first page's revision,
    // while writes land between pages: the pages still show the snapshot
    const page1 = await store.list(`${p}pods/`, { limit: 2 });
    assert.deepEqual(page1.items.map((e) => dec(e.value)), ['a', 'b']);
    assert.equal(page1.more, true);
    const at = page1.revision;
    const bEntry = page1.items[1]!;
    await store.update(`${p}pods/d`, enc('d2'), (await store.get(`${p}pods/d`))!.modRevision);
    await store.delete(`${p}pods/e`);
    await store.create(`${p}pods/f`, enc('f'));
    const page2 = await store.list(`${p}pods/`, { limit: 2, startKey: `${bEntry.key}\0`, revision: at });
    assert.deepEqual(page2.items.map((e) => dec(e.value)), ['c/x', 'd']);
    assert.equal(page2.revision, at);
    assert.equal(page2.more, true);
    const page3 = await store.list(`${p}pods/`, { limit: 2, startKey: `${page2.items[1]!.key}\0`, revision: at });
    assert.deepEqual(page3.items.map((e) => dec(e.value)), ['e']);
    assert.equal(page3.more, false);
    for (const e of [...page1.items, ...page2.items, ...page3.items]) assert.ok(e.modRevision <= at);
    // now: d2, no e, f
    const now = await store.list(`${p}pods/`);
    assert.deepEqual(now.items.map((e) => dec(e.value)), ['a', 'b', 'c/x', 'd2', 'f']);
    // startKey before the prefix is clamped to the prefix
    assert.equal((await store.list(`${p}pods/`, { startKey: '/' })).items.length, 5);
    // exact limit: more=false when nothing follows
    const exact = await store.list(`${p}pods/`, { limit: 5 });
    assert.equal(exact.items.length, 5);
    assert.equal(exact.more, false);
    await assert.rejects(store.list(`${p}pods/`, { revision: now.revision + 1000 }), isStoreError('EFUTURE'));
  });

  test(`${engine}: watch replays history, streams live events, filters by prefix, carries prev`, async () => {
    const p = prefix();
    const start = await store.currentRevision();
    const r1 = await store.create(`${p}w/a`, enc('a1'));
    await store.create(`${p}x/ignored`, enc('no'));
    const r2 = await store.update(`${p}w/a`, enc('a2'), r1);
    const ac = new AbortController();
    const it = store.watch(`${p}w/`, start, ac.signal)[Symbol.asyncIterator]();
    const replay = await collect(it, (e) => e.length >= 2);
    assert.deepEqual(replay.map(summary), [`put ${p}w/a=a1@${r1}`, `put ${p}w/a=a2@${r2} prev@${r1}`]);
    const r3 = await store.create(`${p}w/b`, enc('b1'));
    await store.create(`${p}wx`, enc('sibling'));
    await store.create(`${p}x/ignored2`, enc('no'));
    const r4 = await store.delete(`${p}w/a`, r2);
    const live = await collect(it, (e) => e.length >= 2);
    assert.deepEqual(live.map(summary), [`put ${p}w/b=b1@${r3}`, `delete ${p}w/a@${r4} prev=a2@${r2}`]);
    // a watch from a revision in the middle starts right after it
    const ac2 = new AbortController();
    const it2 = store.watch(`${p}w/`, r2, ac2.signal)[Symbol.asyncIterator]();
    const mid = await collect(it2, (e) => e.length >= 2);
    assert.deepEqual(mid.map(summary), live.map(summary));
    ac2.abort();
    assert.equal((await it2.next()).done, true);
    // abort ends the iteration
    ac.abort();
    const end = await it.next();
    assert.equal(end.done, true);
  });

  test(`${engine}: a watch from a revision not reached yet starts after it`, async () => {
    const p = prefix();
    const now = await store.currentRevision();
    const ac = new AbortController();
    const it = store.watch(p, now + 2, ac.signal)[Symbol.asyncIterator]();
    const pending = collect(it, (e) => e.length >= 1);
    await store.create(`${p}a`, enc('1')); // now+1: not delivered
    await store.create(`${p}b`, enc('2')); // now+2: not delivered
    const r3 = await store.create(`${p}c`, enc('3'));
    const evs = await pending;
    assert.deepEqual(evs.map(summary), [`put ${p}c=3@${r3}`]);
    ac.abort();
  });

  test(`${engine}: many watchers each get every event in order`, async () => {
    const p = prefix();
    const from = await store.currentRevision();
    const ac = new AbortController();
    setMaxListeners(0, ac.signal);
    const its = Array.from({ length: 20 }, () => store.watch(p, from, ac.signal)[Symbol.asyncIterator]());
    const revs: number[] = [];
    for (let i = 0; i < 10; i++) revs.push(await store.create(`${p}k${i}`, enc(String(i))));
    for (const it of its) {
      const evs = await collect(it, (e) => e.length >= 10);
      assert.deepEqual(evs.map((e) => (e.type === 'put' ? e.entry.modRevision : -1)), revs);
    }
    ac.abort();
  });

  test(`${engine}: progress events carry a bookmark revision`, async () => {
    // engines may hold their backing file exclusively: swap the shared client for one with fast progress
    await store.close();
    const s = await h.open({ progressIntervalMs: 200, compactIntervalMs: 0 });
    try {
      const p = prefix();
      const ac = new AbortController();
      const from = await s.currentRevision();
      const it = s.watch(p, from, ac.signal)[Symbol.asyncIterator]();
      const rev = await s.create(`${p}a`, enc('x'));
      const evs = await collect(it, (e) => e.some((x) => x.type === 'progress' && x.revision >= rev), true);
      const firstPut = evs.findIndex((e) => e.type === 'put');
      const bookmark = evs.findIndex((e) => e.type === 'progress' && e.revision >= rev);
      assert.ok(firstPut >= 0 && firstPut < bookmark, 'the bookmark at or after the write comes after its event');
      for (const e of evs) if (e.type === 'progress') assert.ok(e.revision >= from);
      ac.abort();
    } finally {
      await s.close();
      store = await h.open();
    }
  });

  test(`${engine}: compaction makes older watches and lists fail with ECOMPACTED`, async () => {
    const p = prefix();
    const r1 = await store.create(`${p}a`, enc('v1'));
    const r2 = await store.update(`${p}a`, enc('v2'), r1);
    await store.create(`${p}gone`, enc('g'));
    await store.delete(`${p}gone`);
    const r3 = await store.update(`${p}a`, enc('v3'), r2);
    await store.compact(r2);
    await store.compact(r1); // compacting an already compacted revision is a no-op
    const ac = new AbortController();
    await assert.rejects(async () => {
      for await (const _ of store.watch(p, r1 - 1, ac.signal)) { /* must throw first */ }
    }, isStoreError('ECOMPACTED'));
    await assert.rejects(store.list(p, { revision: r1 }), isStoreError('ECOMPACTED'));
    // from the compacted revision on, history is complete
    const at = await store.list(p, { revision: r2 });
    assert.deepEqual(at.items.map((e) => `${e.key}=${dec(e.value)}`), [`${p}a=v2`]);
    const it = store.watch(p, r2, ac.signal)[Symbol.asyncIterator]();
    const evs = await collect(it, (e) => e.some((x) => x.type === 'put' && x.entry.modRevision === r3));
    assert.deepEqual(evs.map((e) => e.type), ['put', 'delete', 'put']);
    ac.abort();
    await assert.rejects(store.compact(r3 + 1000), isStoreError('EFUTURE'));
  });

  test(`${engine}: automatic compaction trims history older than one interval, keeping minRetain revisions`, async () => {
    await store.close();
    const s = await h.open({ compactIntervalMs: 100, compactMinRetain: 5 });
    try {
      const p = prefix();
      const r1 = await s.create(`${p}a`, enc('0'));
      let rev = r1;
      for (let i = 1; i < 20; i++) rev = await s.update(`${p}a`, enc(String(i)), rev);
      const compacted = async (r: number): Promise<boolean> => {
        try { await s.list(p, { revision: r }); return false; } catch (err) { isStoreError('ECOMPACTED')(err); return true; }
      };
      let gone = false;
      for (let i = 0; i < 100 && !gone; i++) {
        gone = await compacted(r1);
        if (!gone) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(gone, 'history at the first revision was compacted automatically');
      assert.equal(await compacted(rev - 5), false, 'the newest minRetain revisions stay');
      const at = await s.list(p, { revision: rev - 5 });
      assert.equal(dec(at.items[0]!.value), '14');
    } finally {
      await s.close();
      store = await h.open();
    }
  });

  test(`${engine}: a watch whose consumer falls too far behind is closed with EUNAVAILABLE`, async () => {
    await store.close();
    const s = await h.open({ watchMaxPending: 5, compactIntervalMs: 0 });
    try {
      const p = prefix();
      const ac = new AbortController();
      const it = s.watch(p, await s.currentRevision(), ac.signal)[Symbol.asyncIterator]();
      const first = it.next(); // starts the watch (may itself fail: the overflow drops queued events)
      first.catch(() => {});
      for (let i = 0; i < 20; i++) await s.create(`${p}k${i}`, enc(String(i)));
      let err: unknown;
      try {
        await first;
        for (let i = 0; i < 30; i++) await it.next();
      } catch (e) { err = e; }
      isStoreError('EUNAVAILABLE')(err);
      ac.abort();
    } finally {
      await s.close();
      store = await h.open();
    }
  });

  test(`${engine}: the empty prefix covers the whole keyspace`, async () => {
    const p = prefix();
    await store.create(`${p}a`, enc('a'));
    const n = await store.count('');
    assert.ok(n >= 1);
    const first = await store.list('', { limit: 1 });
    assert.equal(first.items.length, 1);
    const all = await store.list('');
    assert.equal(all.items.length, n);
    assert.ok(all.items.some((e) => e.key === `${p}a`));
    const keys = all.items.map((e) => e.key);
    assert.deepEqual(keys, [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    const past = await store.list('', { revision: all.revision - 1 });
    assert.ok(!past.items.some((e) => e.key === `${p}a`));
    const ac = new AbortController();
    const it = store.watch('', all.revision - 1, ac.signal)[Symbol.asyncIterator]();
    const evs = await collect(it, (e) => e.length >= 1);
    assert.deepEqual(evs.map(summary), [`put ${p}a=a@${all.revision}`]);
    ac.abort();
  });

  test(`${engine}: revision stays monotonic across reopen${h.restartBackend ? ' and backend crash' : ''}`, async () => {
    const p = prefix();
    const r1 = await store.create(`${p}a`, enc('v1'));
    await store.close();
    if (h.restartBackend) await h.restartBackend();
    store = await h.open();
    assert.ok((await store.currentRevision()) >= r1);
    const e = await store.get(`${p}a`);
    assert.equal(e?.modRevision, r1);
    const r2 = await store.update(`${p}a`, enc('v2'), r1);
    assert.ok(r2 > r1);
    // history before the reopen is still replayable
    const ac = new AbortController();
    const evs = await collect(store.watch(p, r1 - 1, ac.signal)[Symbol.asyncIterator](), (x) => x.length >= 2);
    assert.deepEqual(evs.map((x) => (x.type === 'put' ? x.entry.modRevision : 0)), [r1, r2]);
    ac.abort();
  });

  test(`${engine}: teardown`, async () => {
    await store?.close();
    await h.after();
  });
}

export type { Entry };
