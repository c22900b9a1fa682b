/** IPv4 address ranges: ipBlock (cidr minus except) as disjoint intervals, unions, membership. */
export type Range = readonly [number, number];

export function ipv4ToNum(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
}

export function numToIpv4(n: number): string { return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'); }

/** "10.0.0.0/8" → [first, last]; undefined for IPv6 or malformed text. */
export function cidrRange(cidr: string): Range | undefined {
  const [a, p] = cidr.split('/');
  const base = ipv4ToNum(a ?? '');
  const prefix = p === undefined ? 32 : Number(p);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(base / size) * size;
  return [first, first + size - 1];
}

/** Sorts and merges overlapping or adjacent ranges. */
export function unionRanges(rs: readonly Range[]): Range[] {
  const s = [...rs].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of s) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** a minus every range of `cut`. */
export function subtractRanges(a: readonly Range[], cut: readonly Range[]): Range[] {
  let cur: Range[] = unionRanges(a);
  for (const [clo, chi] of unionRanges(cut)) {
    const next: Range[] = [];
    for (const [lo, hi] of cur) {
      if (chi < lo || clo > hi) { next.push([lo, hi]); continue; }
      if (clo > lo) next.push([lo, clo - 1]);
      if (chi < hi) next.push([chi + 1, hi]);
    }
    cur = next;
  }
  return cur;
}

/** An ipBlock's addresses (IPv4 only; an IPv6 block yields nothing here). */
export function ipBlockRanges(b: { cidr: string; except?: string[] }): Range[] {
  const r = cidrRange(b.cidr);
  if (!r) return [];
  return subtractRanges([r], (b.except ?? []).map(cidrRange).filter((x): x is Range => x !== undefined));
}

export function inRanges(rs: readonly Range[], ip: string): boolean {
  const n = ipv4ToNum(ip);
  return n !== undefined && rs.some(([lo, hi]) => n >= lo && n <= hi);
}

/** nft set element text: "10.0.0.1" or "10.0.0.0-10.0.0.255". */
export function rangeElement([lo, hi]: Range): string { return lo === hi ? numToIpv4(lo) : `${numToIpv4(lo)}-${numToIpv4(hi)}`; }
