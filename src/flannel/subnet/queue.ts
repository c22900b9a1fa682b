/** A small async queue turning callbacks into an AsyncIterable of batches. */
export class BatchQueue<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private done = false;

  push(...xs: T[]): void {
    if (this.done || !xs.length) return;
    this.items.push(...xs);
    this.wake?.();
  }

  end(): void { this.done = true; this.wake?.(); }

  async *drain(signal: AbortSignal): AsyncIterable<T[]> {
    const onAbort = (): void => this.end();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!this.done) {
        if (!this.items.length) await new Promise<void>((r) => { this.wake = r; });
        this.wake = undefined;
        if (this.items.length) { const batch = this.items; this.items = []; yield batch; }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
