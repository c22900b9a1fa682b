/**
 * An unbounded push queue consumed as an async iterator: producers push synchronously (a store's
 * commit path, a gRPC stream), the consumer awaits. Ends on end(), fail(err) or the abort signal.
 */
export class EventQueue<T> {
  private items: T[] = [];
  private head = 0;
  private done = false;
  private error: unknown = undefined;
  private wake: (() => void) | undefined;

  /**
   * @param maxPending items a consumer may fall behind by; beyond it the stream fails with
   *   `onOverflow()` (kube-apiserver likewise closes unresponsive watchers; clients re-watch).
   */
  constructor(private readonly signal: AbortSignal, private readonly maxPending = Infinity, private readonly onOverflow: () => unknown = () => new Error('consumer too slow')) {
    if (signal.aborted) this.done = true;
    else signal.addEventListener('abort', () => this.end(), { once: true });
  }

  get closed(): boolean { return this.done; }

  push(item: T): void {
    if (this.done) return;
    if (this.items.length - this.head >= this.maxPending) {
      this.items = [];
      this.head = 0;
      this.fail(this.onOverflow());
      return;
    }
    this.items.push(item);
    this.notify();
  }

  /** Ends the stream after the queued items. */
  end(): void {
    this.done = true;
    this.notify();
  }

  /** Ends the stream with an error thrown to the consumer after the queued items. */
  fail(err: unknown): void {
    if (this.done) return;
    this.error = err;
    this.done = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.signal.aborted) return;
      if (this.head < this.items.length) {
        const item = this.items[this.head]!;
        this.items[this.head++] = undefined as T;
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        yield item;
        continue;
      }
      if (this.done) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }
}
