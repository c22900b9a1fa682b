import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../meta/types.js';
import { ApiError } from './errors.js';
import { createInformer } from './informer.js';
import { R } from './resources.js';
import type { ApiWatchEvent, KubeClient, ListOptions, ListResult, ResourceRef } from './types.js';

function pod(name: string, rv: number): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: String(rv) } };
}

/** An in-memory server: a list of objects plus a script of watch streams. */
class FakeClient {
  objects = new Map<string, KObject>();
  rv = 10;
  streams: (ApiWatchEvent<KObject> | Error)[][] = [];
  watchRVs: string[] = [];
  waiter: (() => void) | undefined;
  async list<T extends KObject>(_ref: ResourceRef, _o?: ListOptions): Promise<ListResult<T>> {
    return { items: [...this.objects.values()] as T[], resourceVersion: String(this.rv) };
  }
  async *watch<T extends KObject>(_ref: ResourceRef, o: ListOptions & { resourceVersion: string }, signal: AbortSignal): AsyncIterable<ApiWatchEvent<T>> {
    this.watchRVs.push(o.resourceVersion);
    const s = this.streams.shift();
    if (!s) { await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true })); return; }
    for (const ev of s) {
      if (ev instanceof Error) throw ev;
      yield ev as ApiWatchEvent<T>;
    }
  }
}

async function until(cond: () => boolean): Promise<void> {
  for (const end = Date.now() + 30_000; !cond() && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

test('informer: list, watch events, bookmarks, 410 re-list with diff', async () => {
  const fake = new FakeClient();
  fake.objects.set('a', pod('a', 5));
  fake.objects.set('b', pod('b', 6));
  const gone = new ApiError(410, { reason: 'Expired', code: 410, message: 'too old resource version' });
  fake.streams.push([
    { type: 'ADDED', object: pod('c', 11) },
    { type: 'MODIFIED', object: pod('a', 12) },
    { type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '15' } } },
    { type: 'DELETED', object: pod('b', 16) },
    gone,
  ]);
  const log: string[] = [];
  const inf = createInformer(fake as unknown as KubeClient, R.pods);
  inf.on({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (o, n) => log.push(`update ${o.metadata.name} ${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  const ac = new AbortController();
  // After the 410: the server state the re-list sees.
  await inf.start(ac.signal);
  await inf.synced();
  await until(() => fake.watchRVs.length >= 2);
  assert.deepEqual(log.splice(0), ['add a', 'add b', 'add c', 'update a 5->12', 'delete b',
    // the re-list after 410 sees the server's state (a@5, b@6): the difference is emitted
    'update a 12->5', 'add b', 'delete c']);
  assert.equal(fake.watchRVs[0], '10');
  // second watch starts after a re-list (state unchanged from the first list: a@5, b@6)
  assert.equal(inf.lists, 2);
  // re-list diff: c gone, a back to 5 (changed rv → update), b re-added
  assert.deepEqual(new Set(inf.list().map((o) => o.metadata.name)), new Set(['a', 'b']));
  ac.abort();
});

test('informer: re-list emits only the difference', async () => {
  const fake = new FakeClient();
  for (const n of ['x', 'y', 'z']) fake.objects.set(n, pod(n, 3));
  const inf = createInformer(fake as unknown as KubeClient, R.pods('default'));
  const log: string[] = [];
  const ac = new AbortController();
  fake.streams.push([{ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '20' } } }]);
  fake.streams.push([new ApiError(410, { reason: 'Gone', code: 410 })]);
  await inf.start(ac.signal);
  inf.on({ onAdd: (o) => log.push(`add ${o.metadata.name}`), onUpdate: (_o, n) => log.push(`update ${n.metadata.name}`), onDelete: (o) => log.push(`delete ${o.metadata.name}`) });
  fake.objects.delete('x');
  fake.objects.set('y', pod('y', 30));
  fake.objects.set('w', pod('w', 31));
  fake.rv = 40;
  await until(() => fake.watchRVs.length >= 3);
  assert.equal(fake.watchRVs[1], '20', 'watch resumes from the bookmark');
  assert.equal(fake.watchRVs[2], '40', 'watch after the re-list starts at its resourceVersion');
  assert.deepEqual(log.sort(), ['add w', 'delete x', 'update y']);
  assert.equal(inf.get('default', 'z')?.metadata.resourceVersion, '3');
  ac.abort();
});

test('informer with replayToLateHandlers: a handler added after the list gets the cache as adds, then events', async () => {
  const fake = new FakeClient();
  for (const n of ['x', 'y']) fake.objects.set(n, pod(n, 3));
  const inf = createInformer(fake as unknown as KubeClient, R.pods('default'), { replayToLateHandlers: true });
  const ac = new AbortController();
  fake.streams.push([{ type: 'ADDED', object: pod('z', 12) }]);
  await inf.start(ac.signal);
  const log: string[] = [];
  inf.on({ onAdd: (o) => log.push(`add ${o.metadata.name}`) });
  await until(() => log.includes('add z'));
  assert.deepEqual(log.slice(0, 2).sort(), ['add x', 'add y']);
  assert.equal(log.length, 3);
  ac.abort();
});

test('resources: refs usable bare or with a namespace', () => {
  assert.equal(R.pods.resource, 'pods');
  assert.equal(R.pods.namespace, undefined);
  assert.deepEqual(R.services('kube-system'), { group: '', version: 'v1', resource: 'services', namespace: 'kube-system' });
  assert.deepEqual(R.nodes('ignored'), { group: '', version: 'v1', resource: 'nodes' });
  assert.equal(R.deployments.group, 'apps');
});
