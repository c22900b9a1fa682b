/**
 * Accept-header negotiation as upstream does it (kube-openapi's handlers over goautoneg): the
 * header's media ranges are ordered by quality, then specificity (`a/b` before `a/*` before `*\/*`),
 * then their order in the header; the first range that matches an offered type picks it. A range
 * with q=0 accepts nothing. No header (or an empty one) means `*\/*`.
 */

import { notAcceptable } from './status.js';

export interface MediaRange { type: string; subtype: string; q: number }

/** The media ranges of an Accept header in preference order. */
export function parseAccept(header: string | undefined): MediaRange[] {
  const text = header?.trim() ? header : '*/*';
  const ranges: (MediaRange & { index: number; specificity: number })[] = [];
  text.split(',').forEach((clause, index) => {
    const [mt, ...params] = clause.split(';').map((s) => s.trim());
    if (!mt) return;
    const slash = mt.indexOf('/');
    const type = (slash < 0 ? mt : mt.slice(0, slash)).toLowerCase();
    const subtype = (slash < 0 ? '*' : mt.slice(slash + 1)).toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k?.toLowerCase() === 'q' && v !== undefined) {
        const n = Number(v);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      }
    }
    const specificity = (type === '*' ? 0 : 1) + (subtype === '*' ? 0 : 1);
    ranges.push({ type, subtype, q, index, specificity });
  });
  ranges.sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.index - b.index);
  return ranges.map(({ type, subtype, q }) => ({ type, subtype, q }));
}

const matches = (r: MediaRange, offer: string): boolean => {
  const [type, subtype] = offer.toLowerCase().split('/') as [string, string];
  return (r.type === '*' || r.type === type) && (r.subtype === '*' || r.subtype === subtype);
};

/** The offered media type the client prefers, or undefined when it accepts none of them. */
export function negotiate(accept: string | undefined, offers: readonly string[]): string | undefined {
  for (const r of parseAccept(accept)) {
    if (r.q <= 0) continue;
    const hit = offers.find((o) => matches(r, o));
    if (hit) return hit;
  }
  return undefined;
}

/** Throws 406 NotAcceptable unless the request accepts one of `produced` (never a body of another type with 200). */
export function assertAcceptable(accept: string | undefined, produced: readonly string[]): void {
  if (negotiate(accept, produced) === undefined) throw notAcceptable(produced);
}
