/** Watch event delivery latency, shared by the storage and API benchmarks. */
import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import { pct, round } from './stats.js';

export interface WatchDelivery {
  watchers: number; events: number;
  deliveryP50Ms: number; deliveryP99Ms: number; deliveryMaxMs: number;
  allWatchersP50Ms: number; allWatchersP99Ms: number;
}

export interface WatchDeliveryOptions {
  watchers: number;
  events: number;
  /** How long to let every watch get established before the first write. */
  settleMs: number;
  /** One watch: yields the key of every relevant event it receives, until the signal aborts. */
  watch(signal: AbortSignal): AsyncIterable<string>;
  /** The key of the i-th write (known before it is sent). */
  key(i: number): string;
  write(key: string, i: number): Promise<unknown>;
}

/**
 * Opens `watchers` watches, then makes `events` writes one at a time (5 ms apart) and measures,
 * for every event at every watcher, the time from just before the write is sent to its arrival;
 * and per event, until the last watcher has it.
 */
export async function measureWatchDelivery(o: WatchDeliveryOptions): Promise<WatchDelivery> {
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  const sentAt = new Map<string, number>();
  const deliveries: number[] = [];
  const lastArrival = new Map<string, number>();
  let done = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((r) => { allDone = r; });
  const watchers = Array.from({ length: o.watchers }, async () => {
    let got = 0;
    for await (const key of o.watch(ac.signal)) {
      const now = performance.now();
      deliveries.push(now - sentAt.get(key)!);
      lastArrival.set(key, now);
      if (++got === o.events) { if (++done === o.watchers) allDone(); return; }
    }
  });
  try {
    await new Promise((r) => setTimeout(r, o.settleMs));
    for (let i = 0; i < o.events; i++) {
      const key = o.key(i);
      sentAt.set(key, performance.now());
      await o.write(key, i);
      await new Promise((r) => setTimeout(r, 5));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`watchers saw ${deliveries.length}/${o.watchers * o.events} events`)), 60_000); })]);
    clearTimeout(timer);
  } finally {
    ac.abort();
    await Promise.allSettled(watchers);
  }
  const allWatchers = [...lastArrival.entries()].map(([k, t]) => t - sentAt.get(k)!);
  return {
    watchers: o.watchers, events: o.events,
    deliveryP50Ms: round(pct(deliveries, 0.5)), deliveryP99Ms: round(pct(deliveries, 0.99)), deliveryMaxMs: round(Math.max(...deliveries)),
    allWatchersP50Ms: round(pct(allWatchers, 0.5)), allWatchersP99Ms: round(pct(allWatchers, 0.99)),
  };
}
