import { formatIP, tryParseIP, type IP } from '../../../util/addr.js';
import type { IpRange } from './config.js';

/**
 * Picks the next free IP of a range set, round-robin after the last one handed out (as upstream's
 * RangeIter): gateways are never handed out, `taken` holds IPs that already have a file.
 */
export function nextFree(set: readonly IpRange[], taken: ReadonlySet<string>, lastReserved?: string): { ip: IP; range: IpRange } | undefined {
  const gateways = new Set(set.map((r) => (r.gateway ? formatIP(r.gateway) : '')));
  let ri = 0;
  let cur: bigint | undefined;
  const last = lastReserved ? tryParseIP(lastReserved) : undefined;
  if (last) {
    const idx = set.findIndex((r) => r.start.family === last.family && r.start.value <= last.value && last.value <= r.end.value);
    if (idx >= 0) { ri = idx; cur = last.value; }
  }
  const total = set.reduce((n, r) => n + (r.end.value - r.start.value + 1n), 0n);
  for (let n = 0n; n < total; n++) {
    const r = set[ri]!;
    if (cur === undefined) cur = r.start.value;
    else if (cur >= r.end.value) { ri = (ri + 1) % set.length; cur = set[ri]!.start.value; }
    else cur += 1n;
    const range = set[ri]!;
    const ip: IP = { family: range.start.family, value: cur };
    const s = formatIP(ip);
    if (!gateways.has(s) && !taken.has(s)) return { ip, range };
  }
  return undefined;
}
