import { formatIp, parseIp, type Ip } from '../../ip.js';
import type { IpRange } from './config.js';

/**
 * Picks the next free IP of a range set, round-robin after the last one handed out (as upstream's
 * RangeIter): gateways are never handed out, `taken` holds IPs that already have a file.
 */
export function nextFree(set: readonly IpRange[], taken: ReadonlySet<string>, lastReserved?: string): { ip: Ip; range: IpRange } | undefined {
  const gateways = new Set(set.map((r) => (r.gateway ? formatIp(r.gateway) : '')));
  let ri = 0;
  let cur: bigint | undefined;
  const last = lastReserved ? parseIp(lastReserved) : undefined;
  if (last) {
    const idx = set.findIndex((r) => r.start.family === last.family && r.start.v <= last.v && last.v <= r.end.v);
    if (idx >= 0) { ri = idx; cur = last.v; }
  }
  const total = set.reduce((n, r) => n + (r.end.v - r.start.v + 1n), 0n);
  for (let n = 0n; n < total; n++) {
    const r = set[ri]!;
    if (cur === undefined) cur = r.start.v;
    else if (cur >= r.end.v) { ri = (ri + 1) % set.length; cur = set[ri]!.start.v; }
    else cur += 1n;
    const range = set[ri]!;
    const ip: Ip = { family: range.start.family, v: cur };
    const s = formatIp(ip);
    if (!gateways.has(s) && !taken.has(s)) return { ip, range };
  }
  return undefined;
}
