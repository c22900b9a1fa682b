/**
 * An informer inside the API server: one kind listed from the Registry, then kept current from its
 * watch (re-listing after a compaction or a broken watch), so authorization reads memory, never the
 * store, on every request.
 */
import type { Logger } from 'pino';
import type { KindSemantics, KObject } from '../kinds/types.js';
import type { Registry } from '../server/registry.js';

export type CacheEvent = 'add' | 'update' | 'delete';
export type CacheListener = (ev: CacheEvent, obj: KObject, old?: KObject) => void;

const keyOf = (o: KObject): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name ?? '');

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => { signal.removeEventListener('abort', done); resolve(); }, ms);
    const done = (): void => { clearTimeout(t); resolve(); };
    signal.addEventListener('abort', done, { once: true });
  });
}

export class KindCache {
  private readonly items = new Map<string, KObject>();
  private readonly listeners: CacheListener[] = [];

  constructor(private readonly reg: Registry, readonly kind: KindSemantics, private readonly log: Logger) {}

  onChange(l: CacheListener): void { this.listeners.push(l); }

  get(namespace: string | undefined, name: string): KObject | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }
  list(): KObject[] { return [...this.items.values()]; }

  private emit(ev: CacheEvent, obj: KObject, old?: KObject): void {
    for (const l of this.listeners) l(ev, obj, old);
  }

  private apply(ev: CacheEvent, obj: KObject): void {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (ev === 'delete') {
      if (!old) return;
      this.items.delete(key);
      this.emit('delete', old);
      return;
    }
    this.items.set(key, obj);
    this.emit(old ? 'update' : 'add', obj, old);
  }

  /** Lists into the cache (emitting the differences); returns the list's resourceVersion. */
  private async relist(): Promise<number> {
    const l = await this.reg.list(this.kind, undefined);
    const seen = new Set<string>();
    for (const o of l.items) { seen.add(keyOf(o)); this.apply('add', o); }
    for (const [k, o] of [...this.items]) if (!seen.has(k)) this.apply('delete', o);
    return Number(l.resourceVersion);
  }

  /** Resolves after the first list; keeps watching until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    let rv = await this.relist();
    void (async () => {
      const f = this.reg.filters(this.kind, {});
      while (!signal.aborted) {
        try {
          for await (const ev of this.reg.watch(this.kind, undefined, rv, f, signal, false)) {
            if (ev.type === 'BOOKMARK') continue;
            rv = Number(ev.object.metadata.resourceVersion) || rv;
            this.apply(ev.type === 'DELETED' ? 'delete' : 'update', ev.object);
          }
        } catch (e) {
          if (signal.aborted) return;
          this.log.warn({ kind: this.kind.kind, err: (e as Error).message }, 'authorization cache watch ended; re-listing');
        }
        if (signal.aborted) return;
        await pause(100, signal);
        try { rv = await this.relist(); } catch (e) {
          this.log.warn({ kind: this.kind.kind, err: (e as Error).message }, 'authorization cache re-list failed');
          await pause(1000, signal);
        }
      }
    })();
  }
}
