/**
 * Event correlation as client-go's recorder does it (tools/record EventCorrelator), pure:
 * - identical events (same source, object, type, reason, message) are one Event whose `count`
 *   and `lastTimestamp` grow;
 * - after `maxSimilar` events of the same source, object, type and reason with different messages
 *   within `intervalMs`, the rest are folded into one Event whose message starts
 *   "(combined from similar events): ".
 */

export interface CorrelatedEvent {
  source: { component: string; host?: string };
  involvedObject: { kind?: string; namespace?: string; name?: string; uid?: string; apiVersion?: string; fieldPath?: string };
  type: string;
  reason: string;
  message: string;
}

export type Correlation =
  | { action: 'create'; message: string; count: 1 }
  | { action: 'update'; name: string; namespace: string; message: string; count: number; firstTimestamp: string };

export interface CorrelatorOptions { maxSimilar?: number; intervalMs?: number; cacheSize?: number }

/** A Map that forgets its oldest entries beyond `max`. */
class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) { this.m.delete(k); this.m.set(k, v); }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    while (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }
  delete(k: string): void { this.m.delete(k); }
}

export const COMBINED_PREFIX = '(combined from similar events): ';

export class EventCorrelator {
  private readonly maxSimilar: number;
  private readonly intervalMs: number;
  private readonly similar: Lru<{ messages: Set<string>; last: number }>;
  private readonly seen: Lru<{ name: string; namespace: string; count: number; firstTimestamp: string }>;
  /** The cache key each returned Correlation stands for. */
  private readonly keys = new WeakMap<Correlation, string>();

  constructor(o: CorrelatorOptions = {}) {
    this.maxSimilar = o.maxSimilar ?? 10;
    this.intervalMs = o.intervalMs ?? 600_000;
    this.similar = new Lru(o.cacheSize ?? 4096);
    this.seen = new Lru(o.cacheSize ?? 4096);
  }

  private static aggregateKey(e: CorrelatedEvent): string {
    const o = e.involvedObject;
    return [e.source.component, e.source.host ?? '', o.kind, o.namespace, o.name, o.uid, o.apiVersion, o.fieldPath ?? '', e.type, e.reason].join('\u0000');
  }

  /** Decides whether `e` (at `nowMs`) creates a new Event or bumps an existing one. */
  correlate(e: CorrelatedEvent, nowMs: number): Correlation {
    const agg = EventCorrelator.aggregateKey(e);
    let sim = this.similar.get(agg);
    if (!sim || nowMs - sim.last > this.intervalMs) sim = { messages: new Set(), last: nowMs };
    sim.messages.add(e.message);
    sim.last = nowMs;
    this.similar.set(agg, sim);
    const combined = sim.messages.size >= this.maxSimilar;
    const message = combined ? COMBINED_PREFIX + e.message : e.message;
    const key = combined ? agg : `${agg}\u0000${e.message}`;
    const prev = this.seen.get(key);
    const c: Correlation = prev
      ? { action: 'update', name: prev.name, namespace: prev.namespace, message, count: prev.count + 1, firstTimestamp: prev.firstTimestamp }
      : { action: 'create', message, count: 1 };
    this.keys.set(c, key);
    return c;
  }

  /** Notes the Event that now stands for `e` (after a create or a successful update). */
  observe(c: Correlation, stored: { name: string; namespace: string; count: number; firstTimestamp: string }): void {
    const key = this.keys.get(c);
    if (key !== undefined) this.seen.set(key, stored);
  }

  /** Forgets the Event for `e` (it was deleted on the server: the next one is created afresh). */
  forget(c: Correlation): void {
    const key = this.keys.get(c);
    if (key !== undefined) this.seen.delete(key);
  }
}
