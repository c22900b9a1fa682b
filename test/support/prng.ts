/** A small seeded PRNG (mulberry32) for reproducible fault and fuzz runs: same seed, same cases. */
export class Prng {
  private s: number;
  constructor(readonly seed: number) { this.s = seed >>> 0; }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }
  bytes(n: number): Buffer { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = this.int(256); return b; }
}

/** The seed of a run: PODNET_FAULTS_SEED when set, else `fallback` (fixed, so the suite is reproducible). */
export function faultsSeed(fallback: number): number {
  const v = process.env.PODNET_FAULTS_SEED;
  return v && /^\d+$/.test(v) ? Number(v) : fallback;
}

/** PODNET_FAULTS_FULL=1 runs the long versions (1,000 CNI operations, longer fuzzing). */
export const FAULTS_FULL = process.env.PODNET_FAULTS_FULL === '1';
