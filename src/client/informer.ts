import type { KObject } from '../meta/types.js';
import type { Logger } from '../util/log.js';
import { isGone } from './errors.js';
import type { Informer, InformerHandlers, KubeClient, ListResult, ResourceRef } from './types.js';

export interface InformerOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Every resyncMs, onUpdate(obj, obj) is called for every cached object (0/undefined: never). */
  resyncMs?: number;
  /** Page size for the initial list (limit/continue). */
  pageSize?: number;
  /** A handler added after objects are cached gets each of them as an add first (shared informers). */
  replayToLateHandlers?: boolean;
  log?: Logger;
}

export function objectKey(o: KObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata.name}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); resolve(); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * list → watch from the list's resourceVersion (with bookmarks) → on 410 Gone re-list and emit the
 * difference (adds/updates/deletes) → cache. `start()` resolves once the first list is in the cache
 * and keeps watching in the background until `signal` aborts.
 */
export class ListWatchInformer<T extends KObject> implements Informer<T> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private rv = '';
  private syncedP: Promise<void>;
  private resolveSynced!: () => void;
  private started = false;
  /** Count of (re)lists done; visible for tests and metrics. */
  lists = 0;

  constructor(private readonly client: KubeClient, readonly ref: ResourceRef, private readonly opts: InformerOptions = {}) {
    this.syncedP = new Promise((r) => { this.resolveSynced = r; });
  }

  /**
   * Adds a handler. With `replayToLateHandlers`, one added after objects are cached first gets them
   * as adds (as upstream's shared informers do), so components sharing one factory can join late.
   */
  on(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    if (!this.opts.replayToLateHandlers) return;
    for (const o of [...this.cache.values()]) {
      try { h.onAdd?.(o); } catch (e) { this.opts.log?.error({ err: e, resource: this.ref.resource }, 'informer handler failed'); }
    }
  }
  synced(): Promise<void> { return this.syncedP; }
  list(): T[] { return [...this.cache.values()]; }
  get(namespace: string | undefined, name: string): T | undefined { return this.cache.get(namespace ? `${namespace}/${name}` : name); }
  get resourceVersion(): string { return this.rv; }

  async start(signal: AbortSignal): Promise<void> {
    if (this.started) return this.syncedP;
    this.started = true;
    void this.run(signal);
    await Promise.race([this.syncedP, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
  }

  private emit(kind: 'add' | 'update' | 'delete', a: T, b?: T): void {
    for (const h of this.handlers) {
      try {
        if (kind === 'add') h.onAdd?.(a);
        else if (kind === 'update') h.onUpdate?.(a, b!);
        else h.onDelete?.(a);
      } catch (e) {
        this.opts.log?.error({ err: e, resource: this.ref.resource }, 'informer handler failed');
      }
    }
  }

  private async listAll(): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list<T>(this.ref, { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: this.opts.pageSize ?? 500, continue: cont });
      items.push(...page.items);
      if (!rv) rv = page.resourceVersion;
      cont = page.continue;
    } while (cont);
    return { items, resourceVersion: rv };
  }

  /** Replaces the cache with a fresh list, emitting the difference. */
  private replace(items: T[], rv: string): void {
    const seen = new Set<string>();
    for (const o of items) {
      const k = objectKey(o);
      seen.add(k);
      const old = this.cache.get(k);
      this.cache.set(k, o);
      if (!old) this.emit('add', o);
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion || old.metadata.uid !== o.metadata.uid) this.emit('update', old, o);
    }
    for (const [k, old] of [...this.cache]) {
      if (!seen.has(k)) { this.cache.delete(k); this.emit('delete', old); }
    }
    this.rv = rv;
    this.lists++;
  }

  private apply(type: string, o: T): void {
    if (o.metadata?.resourceVersion) this.rv = o.metadata.resourceVersion;
    if (type === 'BOOKMARK') return;
    const k = objectKey(o);
    const old = this.cache.get(k);
    if (type === 'DELETED') {
      if (old) this.cache.delete(k);
      this.emit('delete', old ?? o);
    } else {
      this.cache.set(k, o);
      if (old) this.emit('update', old, o); else this.emit('add', o);
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    let backoff = 200;
    let resyncTimer: NodeJS.Timeout | undefined;
    if (this.opts.resyncMs && this.opts.resyncMs > 0) {
      resyncTimer = setInterval(() => { for (const o of this.cache.values()) this.emit('update', o, o); }, this.opts.resyncMs);
      resyncTimer.unref();
    }
    try {
      while (!signal.aborted) {
        try {
          if (needList) {
            const r = await this.listAll();
            if (signal.aborted) break;
            this.replace(r.items, r.resourceVersion);
            needList = false;
            this.resolveSynced();
          }
          const t0 = Date.now();
          let n = 0;
          for await (const ev of this.client.watch<T>(this.ref, {
            resourceVersion: this.rv, allowWatchBookmarks: true,
            labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
          }, signal)) {
            this.apply(ev.type, ev.object);
            n++;
            backoff = 200;
          }
          // The server ended the watch (timeout): watch again from the last resourceVersion —
          // after a pause if it ended at once and empty, so a misbehaving server isn't hammered.
          if (n === 0 && Date.now() - t0 < 1000) { await sleep(backoff, signal); backoff = Math.min(backoff * 2, 5000); }
        } catch (e) {
          if (signal.aborted) break;
          if (isGone(e)) {
            this.opts.log?.info({ resource: this.ref.resource, rv: this.rv }, 'watch expired (410), re-listing');
            needList = true;
            continue;
          }
          this.opts.log?.warn({ err: (e as Error).message, resource: this.ref.resource }, 'list/watch failed, retrying');
          await sleep(backoff, signal);
          backoff = Math.min(backoff * 2, 5000);
        }
      }
    } finally {
      if (resyncTimer) clearInterval(resyncTimer);
    }
  }
}

export function createInformer<T extends KObject>(client: KubeClient, ref: ResourceRef, opts?: InformerOptions): ListWatchInformer<T> {
  return new ListWatchInformer<T>(client, ref, opts);
}
