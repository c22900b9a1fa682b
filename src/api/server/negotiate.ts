/**
 * Response content negotiation: a request whose Accept header names only types the server cannot
 * write gets 406 NotAcceptable, never a body of another type with 200 (upstream's behaviour).
 * Parameters such as `as=Table;g=meta.k8s.io`, `stream=watch` or the aggregated-discovery profile
 * select a form of JSON the handlers produce, so only the media type itself is compared here.
 */
import { notAcceptable } from './status.js';

/** One entry of an Accept header. */
export interface MediaRange { type: string; params: Record<string, string>; q: number }

/** Parses an Accept header into its media ranges (lowercased types, `q` defaulting to 1). */
export function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [rawType, ...rawParams] = part.split(';').map((s) => s.trim());
    if (!rawType) continue;
    const params: Record<string, string> = {};
    for (const p of rawParams) {
      const i = p.indexOf('=');
      if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
    }
    const q = params.q === undefined ? 1 : Number(params.q);
    out.push({ type: rawType.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 });
  }
  return out;
}

function matches(range: string, type: string): boolean {
  if (range === '*/*' || range === type) return true;
  return range.endsWith('/*') && type.startsWith(range.slice(0, -1));
}

/**
 * The first of `produced` the header accepts (the first produced type when there is no header),
 * or undefined when none is acceptable.
 */
export function negotiate(accept: string | undefined, produced: readonly string[]): string | undefined {
  if (!accept || !accept.trim()) return produced[0];
  const all = parseAccept(accept);
  if (!all.length) return produced[0];
  for (const r of all.filter((x) => x.q > 0).sort((a, b) => b.q - a.q)) {
    const hit = produced.find((t) => matches(r.type, t));
    if (hit) return hit;
  }
  return undefined;
}

/** Throws 406 NotAcceptable unless the request accepts one of `produced`. */
export function assertAcceptable(accept: string | undefined, produced: readonly string[]): void {
  if (negotiate(accept, produced) === undefined) throw notAcceptable(produced);
}
