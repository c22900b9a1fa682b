/** Small measuring helpers shared by the benchmarks. */
import { performance } from 'node:perf_hooks';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The p-quantile (0..1) of xs, NaN when empty. */
export const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))]! : NaN; };
export const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
export async function timeIt(fn: () => Promise<unknown>): Promise<number> { const t = performance.now(); await fn(); return performance.now() - t; }
/** Median wall time of n sequential runs of fn, in ms. */
export async function median(n: number, fn: () => Promise<unknown>): Promise<number> { const xs: number[] = []; for (let i = 0; i < n; i++) xs.push(await timeIt(fn)); return pct(xs, 0.5); }
/** Runs fn(0..n-1) with at most `width` in flight. */
export async function inParallel(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < n) await fn(next++); }));
}

/** Writes bench/results/<name>.json (pretty, newline-terminated) and echoes it on stdout. */
export function writeResult(name: string, result: unknown): void {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(join(dir, `${name}.json`), text);
  process.stdout.write(text);
}
