import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kindByKind } from '../kinds/index.js';
import type { KObject } from '../kinds/types.js';
import { SqliteStore } from '../storage/sqlite.js';
import { Registry, type ApiWatchEvent } from './registry.js';
import { eventLine } from './watch.js';

const podKind = kindByKind('', 'Pod')!;
const cmKind = kindByKind('', 'ConfigMap')!;

async function withRegistry(fn: (reg: Registry, store: SqliteStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pn-treg-'));
  const store = new SqliteStore(join(dir, 's.db'), { compactIntervalMs: 0 });
  try {
    await fn(new Registry(store, () => ({})), store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pod = (name: string, labels: Record<string, string> = {}): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'i' }] },
} as KObject);

test('listJson gives the same items as list, spliced or (for bytes in another order) re-encoded, with the same paging', async () => {
  await withRegistry(async (reg) => {
    for (let i = 0; i < 7; i++) await reg.create(podKind, 'ns', pod(`p${i}`, { i: String(i) }));
    // no apiVersion/kind in the body: create appends them, so the stored bytes do not begin with the
    // envelope and listJson falls back to decode + encode for this one
    await reg.create(podKind, 'ns', { metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'i' }] } } as unknown as KObject);
    await reg.create(cmKind, 'ns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other-kind' }, data: {} } as unknown as KObject);
    const all = await reg.list(podKind, undefined);
    const raw = (await reg.listJson(podKind, undefined))!;
    assert.equal(raw.resourceVersion, all.resourceVersion);
    assert.deepEqual(raw.items.map((b) => JSON.parse(b.toString()) as unknown), all.items);
    assert.equal(all.items.length, 8);
    // pages of 3 with a write in between: the same snapshot and tokens either way
    const p1 = (await reg.listJson(podKind, 'ns', { limit: 3 }))!;
    const l1 = await reg.list(podKind, 'ns', { limit: 3 });
    assert.equal(p1.continue, l1.continue);
    await reg.create(podKind, 'ns', pod('p00'));
    const p2 = (await reg.listJson(podKind, 'ns', { limit: 3, continue: p1.continue }))!;
    const l2 = await reg.list(podKind, 'ns', { limit: 3, continue: l1.continue });
    assert.deepEqual(p2.items.map((b) => JSON.parse(b.toString()) as unknown), l2.items);
    assert.ok(!l2.items.some((o) => o.metadata.name === 'p00'), 'the page reads at the first page\'s revision');
    // selectors need the decoded objects
    assert.equal(await reg.listJson(podKind, 'ns', { labelSelector: 'i=1' }), undefined);
  });
});

test('a store event is decoded once for every watcher and its line encoded once', async () => {
  await withRegistry(async (reg) => {
    const ac = new AbortController();
    const from = await reg.currentRevision();
    const none = reg.filters(podKind, {});
    const sel = reg.filters(podKind, { labelSelector: 'app=a' });
    const firstOf = async (it: AsyncIterable<ApiWatchEvent>): Promise<ApiWatchEvent> => { for await (const e of it) return e; throw new Error('ended'); };
    const a = firstOf(reg.watch(podKind, undefined, from, none, ac.signal, false));
    const b = firstOf(reg.watch(podKind, 'ns', from, none, ac.signal, false));
    const c = firstOf(reg.watch(podKind, undefined, from, sel, ac.signal, false));
    await reg.create(podKind, 'ns', pod('x', { app: 'b' }));
    await reg.create(podKind, 'ns', pod('y', { app: 'a' }));
    const [ea, eb, ec] = await Promise.all([a, b, c]);
    ac.abort();
    assert.equal(ea.object.metadata.name, 'x');
    assert.equal(ea.object, eb.object, 'two watchers of the same event share one decoded object');
    assert.equal(ec.object.metadata.name, 'y', 'selectors still apply per watcher');
    assert.equal(eventLine('ADDED', ea.object), eventLine('ADDED', eb.object), 'one encoded line for both');
    assert.notEqual(eventLine('MODIFIED', ea.object), eventLine('ADDED', ea.object));
    assert.deepEqual(JSON.parse(eventLine('ADDED', ea.object).toString()), { type: 'ADDED', object: ea.object });
  });
});
