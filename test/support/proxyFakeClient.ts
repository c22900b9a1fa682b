// An in-memory KubeClient for proxy tests: list returns the current objects, watch streams pushed events.
import type { KObject } from '../../src/api/kinds/types.js';
import type { ApiWatchEvent, KubeClient, ListResult, ResourceRef } from '../../src/client/types.js';

export class FakeKubeClient implements KubeClient {
  private readonly objects = new Map<string, Map<string, KObject>>();
  private readonly watchers = new Map<string, ((e: ApiWatchEvent<KObject>) => void)[]>();
  private rv = 1;

  put(resource: string, obj: KObject, type: 'ADDED' | 'MODIFIED' = 'ADDED'): void {
    const m = this.objects.get(resource) ?? new Map<string, KObject>();
    this.objects.set(resource, m);
    const o = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    m.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    for (const w of this.watchers.get(resource) ?? []) w({ type, object: o });
  }
  remove(resource: string, obj: KObject): void {
    this.objects.get(resource)?.delete(`${obj.metadata.namespace}/${obj.metadata.name}`);
    for (const w of this.watchers.get(resource) ?? []) w({ type: 'DELETED', object: obj });
  }

  async list<T extends KObject>(ref: ResourceRef): Promise<ListResult<T>> {
    return { items: [...(this.objects.get(ref.resource)?.values() ?? [])] as T[], resourceVersion: String(this.rv) };
  }
  async *watch<T extends KObject>(ref: ResourceRef, _o: unknown, signal: AbortSignal): AsyncIterable<ApiWatchEvent<T>> {
    const queue: ApiWatchEvent<KObject>[] = [];
    let wake: (() => void) | undefined;
    const push = (e: ApiWatchEvent<KObject>): void => { queue.push(e); wake?.(); };
    const list = this.watchers.get(ref.resource) ?? [];
    list.push(push); this.watchers.set(ref.resource, list);
    try {
      while (!signal.aborted) {
        if (!queue.length) await new Promise<void>((r) => { wake = r; signal.addEventListener('abort', () => r(), { once: true }); });
        wake = undefined;
        while (queue.length) yield queue.shift()! as ApiWatchEvent<T>;
      }
    } finally { list.splice(list.indexOf(push), 1); }
  }
  get<T extends KObject>(): Promise<T> { return Promise.reject(new Error('not used')); }
  create<T extends KObject>(): Promise<T> { return Promise.reject(new Error('not used')); }
  update<T extends KObject>(): Promise<T> { return Promise.reject(new Error('not used')); }
  patch<T extends KObject>(): Promise<T> { return Promise.reject(new Error('not used')); }
  delete(): Promise<void> { return Promise.reject(new Error('not used')); }
}
