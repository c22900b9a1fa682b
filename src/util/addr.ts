/**
 * The one address module: IPv4/IPv6 addresses and CIDRs as bigints (pure, no I/O). Parsing,
 * canonical formatting (RFC 5952 for IPv6), family detection, masks, network/broadcast, contains,
 * overlap, n-th address and next subnet. Every other part of podnet does its address arithmetic here.
 */
import { isIPv4 as nodeIsIPv4, isIPv6 as nodeIsIPv6 } from 'node:net';
import { PodnetError } from './errors.js';

export type Family = 4 | 6;
/** An address: its family and its value (0 … 2^32-1 or 2^128-1). */
export interface IP { readonly family: Family; readonly value: bigint }
/**
 * A CIDR as written: `ip` keeps its host bits, so `10.1.2.5/24` is the address 10.1.2.5 on the
 * network 10.1.2.0/24 (`network()` clears them).
 */
export interface Cidr { readonly ip: IP; readonly prefix: number }

/**
 * EBADIP: not an address · EBADCIDR: not a CIDR · EFAMILY: IPv4 and IPv6 mixed ·
 * EOVERFLOW: arithmetic left the family's address space · ERANGE: outside the CIDR asked about.
 */
export type AddrErrorCode = 'EBADIP' | 'EBADCIDR' | 'EFAMILY' | 'EOVERFLOW' | 'ERANGE';

export class AddrError extends PodnetError {
  declare readonly code: AddrErrorCode;
  constructor(code: AddrErrorCode, message: string) { super(code, message); }
}

/** Address width of a family: 32 or 128. */
export function bitsOf(family: Family): 32 | 128 { return family === 4 ? 32 : 128; }
/** The largest value of a family (all bits set). */
function maxValue(family: Family): bigint { return (1n << BigInt(bitsOf(family))) - 1n; }

// ---------------------------------------------------------------- detection

/** 4 or 6 for a literal address (dotted quad without leading zeros, or IPv6 without a zone), else undefined. */
export function familyOf(s: string): Family | undefined {
  if (nodeIsIPv4(s)) return 4;
  if (nodeIsIPv6(s) && !s.includes('%')) return 6;
  return undefined;
}
export function isIP(s: unknown): s is string { return typeof s === 'string' && familyOf(s) !== undefined; }
export function isIPv4(s: unknown): s is string { return typeof s === 'string' && familyOf(s) === 4; }
export function isIPv6(s: unknown): s is string { return typeof s === 'string' && familyOf(s) === 6; }
/** Family of an address or CIDR string by its shape alone (':' means IPv6); for strings already validated. */
export function familyOfText(s: string): Family { return s.includes(':') ? 6 : 4; }

// ---------------------------------------------------------------- addresses

function v4Value(s: string): bigint {
  let v = 0n;
  for (const o of s.split('.')) v = (v << 8n) | BigInt(Number(o));
  return v;
}

/** The address of a literal, or undefined when it is not one. */
export function tryParseIP(s: string): IP | undefined {
  const family = familyOf(s);
  if (family === 4) return { family, value: v4Value(s) };
  if (family !== 6) return undefined;
  let str = s;
  const dot = str.includes('.') ? str.lastIndexOf(':') : -1;
  if (dot >= 0) { // embedded IPv4 tail, e.g. ::ffff:10.0.0.1
    const v4 = v4Value(str.slice(dot + 1));
    str = `${str.slice(0, dot + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const dbl = str.indexOf('::');
  const groups = (x: string): string[] => (x === '' ? [] : x.split(':'));
  const head = groups(dbl < 0 ? str : str.slice(0, dbl));
  const tail = dbl < 0 ? [] : groups(str.slice(dbl + 2));
  const all = dbl < 0 ? head : [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  let value = 0n;
  for (const g of all) value = (value << 16n) | BigInt(parseInt(g, 16));
  return { family, value };
}

/** Parses a literal address; throws AddrError EBADIP. */
export function parseIP(s: string): IP {
  const ip = tryParseIP(s);
  if (!ip) throw new AddrError('EBADIP', `"${s}" is not a valid IP address`);
  return ip;
}

/** An address from a family and value; throws EOVERFLOW when the value does not fit. */
export function ipOf(family: Family, value: bigint): IP {
  if (value < 0n || value > maxValue(family)) throw new AddrError('EOVERFLOW', `${value} is outside the IPv${family} address space`);
  return { family, value };
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower-case hex, longest run of ≥2 zero groups as `::`). */
export function formatIP(ip: IP): string {
  const v = ip.value;
  if (ip.family === 4) return `${(v >> 24n) & 255n}.${(v >> 16n) & 255n}.${(v >> 8n) & 255n}.${v & 255n}`;
  const g: string[] = [];
  for (let i = 7; i >= 0; i--) g.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

/** The canonical form of a literal address (throws EBADIP). */
export function canonicalIP(s: string): string { return formatIP(parseIP(s)); }

export function equalIP(a: IP, b: IP): boolean { return a.family === b.family && a.value === b.value; }
/** Orders IPv4 before IPv6, then by value. */
export function compareIP(a: IP, b: IP): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** `ip + n` (n may be negative); throws EOVERFLOW when the result leaves the family's space. */
export function addIP(ip: IP, n: bigint | number): IP {
  const value = ip.value + BigInt(n);
  if (value < 0n || value > maxValue(ip.family)) throw new AddrError('EOVERFLOW', `${formatIP(ip)} + ${n} is outside the IPv${ip.family} address space`);
  return { family: ip.family, value };
}

// ---------------------------------------------------------------- CIDRs

/** A CIDR from an address and prefix; throws EBADCIDR when the prefix does not fit the family. */
export function cidrOf(ip: IP, prefix: number): Cidr {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bitsOf(ip.family)) {
    throw new AddrError('EBADCIDR', `prefix /${prefix} is not between 0 and ${bitsOf(ip.family)}`);
  }
  return { ip, prefix };
}

/** `ADDRESS/PREFIX` (prefix in decimal, 1-3 digits); throws AddrError EBADCIDR. The address keeps its host bits. */
export function parseCidr(s: string): Cidr {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) throw new AddrError('EBADCIDR', `"${s}" is not a valid CIDR (want ADDRESS/PREFIX)`);
  const ip = tryParseIP(m[1]!);
  if (!ip) throw new AddrError('EBADCIDR', `"${m[1]}" is not a valid IP address`);
  const prefix = Number(m[2]);
  const bits = bitsOf(ip.family);
  if (prefix > bits) throw new AddrError('EBADCIDR', `"${s}": prefix /${prefix} exceeds ${bits} bits`);
  return { ip, prefix };
}

export function tryParseCidr(s: string): Cidr | undefined {
  try { return parseCidr(s); } catch { return undefined; }
}

/** `ADDRESS/PREFIX` with the address as held (host bits kept; use network() first for the network form). */
export function formatCidr(c: Cidr): string { return `${formatIP(c.ip)}/${c.prefix}`; }

/** The prefix mask as a number: /24 → 0xffffff00. */
export function maskValue(family: Family, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  return maxValue(family) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}
/** The prefix mask as an address: 10.0.0.0/24 → 255.255.255.0. */
export function netmask(c: Cidr): IP { return { family: c.ip.family, value: maskValue(c.ip.family, c.prefix) }; }

/** Number of addresses in the CIDR (2^(bits-prefix)). */
export function cidrSize(c: Cidr): bigint { return 1n << BigInt(bitsOf(c.ip.family) - c.prefix); }

/** The CIDR with its host bits cleared: 10.1.2.5/24 → 10.1.2.0/24. */
export function network(c: Cidr): Cidr {
  return { ip: { family: c.ip.family, value: c.ip.value & maskValue(c.ip.family, c.prefix) }, prefix: c.prefix };
}
/** The last address of the CIDR (IPv4's broadcast address): 10.1.2.0/24 → 10.1.2.255. */
export function broadcast(c: Cidr): IP {
  return { family: c.ip.family, value: network(c).ip.value + cidrSize(c) - 1n };
}
/** True when `c` is already in network form (no host bits set). */
export function isNetwork(c: Cidr): boolean { return network(c).ip.value === c.ip.value; }

/** True when the address lies in the CIDR (false for a different family). */
export function contains(c: Cidr, ip: IP): boolean {
  if (c.ip.family !== ip.family) return false;
  const m = maskValue(c.ip.family, c.prefix);
  return (ip.value & m) === (c.ip.value & m);
}
/** True when every address of `inner` lies in `outer`. */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && contains(outer, inner.ip);
}
/** True when the two CIDRs share an address (one contains the other). */
export function overlaps(a: Cidr, b: Cidr): boolean { return containsCidr(a, b) || containsCidr(b, a); }

/** The n-th address of the CIDR counted from its network address (0); throws ERANGE past its end. */
export function nthAddress(c: Cidr, n: bigint | number): IP {
  const i = BigInt(n);
  if (i < 0n || i >= cidrSize(c)) throw new AddrError('ERANGE', `address #${i} is outside ${formatCidr(network(c))}`);
  return { family: c.ip.family, value: network(c).ip.value + i };
}

/** Offset of an address from the CIDR's network address; throws ERANGE when it is outside. */
export function offsetOf(c: Cidr, ip: IP): bigint {
  if (!contains(c, ip)) throw new AddrError(c.ip.family === ip.family ? 'ERANGE' : 'EFAMILY', `${formatIP(ip)} is not in ${formatCidr(network(c))}`);
  return ip.value - network(c).ip.value;
}

/** The subnet of the same size right after this one: 10.0.0.0/24 → 10.0.1.0/24; EOVERFLOW at the end of the space. */
export function nextSubnet(c: Cidr): Cidr {
  const n = network(c);
  const value = n.ip.value + cidrSize(c);
  if (value > maxValue(c.ip.family)) throw new AddrError('EOVERFLOW', `no /${c.prefix} after ${formatCidr(n)}`);
  return { ip: { family: c.ip.family, value }, prefix: c.prefix };
}

/** The /prefix subnet holding `ip`: (10.1.2.5, 24) → 10.1.2.0/24. */
export function subnetOf(ip: IP, prefix: number): Cidr { return network(cidrOf(ip, prefix)); }
