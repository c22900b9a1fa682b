/** Safe reads of a benchmark's JSON: a missing or non-numeric figure is `undefined`, never a throw. */

export type Json = Record<string, unknown>;

/** The value at a dotted path ("podnet.add.p50Ms"), or undefined. */
export function at(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[k];
  }
  return cur;
}

/** A finite number at a path, or undefined. */
export function num(o: unknown, path: string): number | undefined {
  const v = at(o, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** An array at a path (objects only), or []. */
export function list(o: unknown, path: string): Json[] {
  const v = path ? at(o, path) : o;
  return Array.isArray(v) ? v.filter((e): e is Json => e !== null && typeof e === 'object') : [];
}

/** "10,000" for 10000. */
export function count(n: number): string { return n.toLocaleString('en-US'); }

/** podnet / reference rounded to 2 decimals (3 below 0.1), or undefined when either is missing. */
export function ratioOf(podnet: number | undefined, reference: number | undefined): number | undefined {
  if (podnet === undefined || reference === undefined || reference === 0) return undefined;
  const r = podnet / reference;
  return Math.round(r * (r < 0.1 ? 1000 : 100)) / (r < 0.1 ? 1000 : 100);
}
