import type { Logger } from '../util/log.js';
import { workqueueMetrics as M } from './metrics.js';

export interface QueueOptions {
  name: string;
  log?: Logger;
  workers?: number;
  /** First retry delay after a failure, doubled per consecutive failure up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * A level-triggered work queue of string keys (like client-go's rate-limited workqueue): a key
 * queued while waiting is stored once; a key queued while being processed is processed again
 * afterwards (never by two workers at once); a failed key is retried with exponential backoff.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly opts: QueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) { this.dirtyWhileProcessing.add(key); return; }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    M.adds.inc({ name: this.opts.name });
    M.depth.set({ name: this.opts.name }, this.queue.length);
    this.waiters.shift()?.();
  }

  /** Queue `key` after `ms` (an earlier pending timer for the key wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const t = setTimeout(() => { this.timers.delete(key); this.add(key); }, ms);
    t.unref();
    this.timers.set(key, t);
  }

  /** Retry `key` with backoff (after a failure). */
  retry(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    M.retries.inc({ name: this.opts.name });
    const d = Math.min((this.opts.baseDelayMs ?? 50) * 2 ** (n - 1), this.opts.maxDelayMs ?? 30_000);
    this.addAfter(key, d);
  }

  forget(key: string): void { this.failures.delete(key); }
  len(): number { return this.queue.length; }

  /** Runs `handler` for queued keys until `signal` aborts. A thrown error retries the key with backoff. */
  async run(handler: (key: string) => Promise<void>, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => {
      this.stopped = true;
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
      for (const w of this.waiters.splice(0)) w();
    }, { once: true });
    const worker = async (): Promise<void> => {
      while (!signal.aborted) {
        const key = this.queue.shift();
        if (key === undefined) { await new Promise<void>((r) => { this.waiters.push(r); }); continue; }
        this.queued.delete(key);
        this.processing.add(key);
        M.depth.set({ name: this.opts.name }, this.queue.length);
        const end = M.workDuration.startTimer({ name: this.opts.name });
        try {
          await handler(key);
          this.failures.delete(key);
        } catch (e) {
          if (!signal.aborted) {
            this.opts.log?.warn({ queue: this.opts.name, key, err: (e as Error).message, attempt: (this.failures.get(key) ?? 0) + 1 }, 'sync failed, will retry');
            this.retry(key);
          }
        } finally {
          end();
          this.processing.delete(key);
          if (this.dirtyWhileProcessing.delete(key)) this.add(key);
        }
      }
    };
    await Promise.all(Array.from({ length: this.opts.workers ?? 1 }, () => worker()));
  }
}
