import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../meta/types.js';
import { InformerFactory } from './informerfactory.js';
import { R } from './resources.js';
import type { ApiWatchEvent, KubeClient, ListOptions, ListResult, ResourceRef } from './types.js';

/** Lists one object per resource and records every list call; watches block until aborted. */
class RecordingClient {
  lists: { resource: string; labelSelector?: string; fieldSelector?: string }[] = [];
  async list<T extends KObject>(ref: ResourceRef, o?: ListOptions): Promise<ListResult<T>> {
    this.lists.push({ resource: ref.resource, labelSelector: o?.labelSelector, fieldSelector: o?.fieldSelector });
    const item: KObject = { apiVersion: 'v1', kind: 'X', metadata: { name: `${ref.resource}-1`, resourceVersion: '1' } };
    return { items: [item] as T[], resourceVersion: '1' };
  }
  async *watch<T extends KObject>(_ref: ResourceRef, _o: unknown, signal: AbortSignal): AsyncIterable<ApiWatchEvent<T>> {
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  }
}

test('informer factory: one informer per resource and selectors, shared between callers', async () => {
  const c = new RecordingClient();
  const f = new InformerFactory(c as unknown as KubeClient);
  const a = f.get(R.services);
  assert.equal(f.get(R.services), a, 'same resource → same informer');
  assert.equal(f.get(R.services('default')), a, 'a namespaced ref of the same resource is the same informer');
  const mine = f.get(R.pods, { fieldSelector: 'spec.nodeName=n1' });
  assert.notEqual(f.get(R.pods), mine, 'different selectors → different informers');
  assert.equal(f.get(R.pods, { fieldSelector: 'spec.nodeName=n1' }), mine);
  const ac = new AbortController();
  try {
    await f.start(ac.signal);
    assert.deepEqual(c.lists.map((l) => `${l.resource}|${l.labelSelector ?? ''}|${l.fieldSelector ?? ''}`).sort(),
      ['pods||', 'pods||spec.nodeName=n1', 'services||']);
    assert.deepEqual(a.list().map((o) => o.metadata.name), ['services-1']);
    assert.deepEqual(mine.list().map((o) => o.metadata.name), ['pods-1']);
    // Starting again (a second user of the same factory) lists nothing twice.
    await f.start(ac.signal);
    assert.equal(c.lists.length, 3);
  } finally {
    ac.abort();
  }
});
