import { AllocatorError } from './errors.js';

/**
 * A bitmap over offsets [0, size). `next()` scans from a random offset inside a preferred band
 * first, then the whole range (like upstream's random-scan bitmap allocator).
 */
export class Bitmap {
  private readonly bits: Uint8Array;
  private used = 0;
  constructor(readonly size: number) { this.bits = new Uint8Array(Math.ceil(size / 8)); }
  has(i: number): boolean { return (this.bits[i >> 3]! & (1 << (i & 7))) !== 0; }
  set(i: number): boolean {
    if (this.has(i)) return false;
    this.bits[i >> 3]! |= 1 << (i & 7); this.used++; return true;
  }
  clear(i: number): boolean {
    if (!this.has(i)) return false;
    this.bits[i >> 3]! &= ~(1 << (i & 7)); this.used--; return true;
  }
  count(): number { return this.used; }
  /** First free offset in [lo, hi) scanning from a random start, wrapping; -1 when none. */
  scan(lo: number, hi: number, random = true): number {
    const n = hi - lo;
    if (n <= 0) return -1;
    const start = random ? Math.floor(Math.random() * n) : 0;
    for (let k = 0; k < n; k++) {
      const i = lo + ((start + k) % n);
      if (!this.has(i)) return i;
    }
    return -1;
  }
  /** Offsets currently set (ascending). */
  *members(): IterableIterator<number> { for (let i = 0; i < this.size; i++) if (this.has(i)) yield i; }
}

export function full(what: string): AllocatorError { return new AllocatorError('EFULL', `${what}: range is full`); }
