import { TraceError } from './types.js';

/** Parses a dotted IPv4 address to an unsigned 32-bit number, or null. */
export function ipv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    n = n * 256 + o;
  }
  return n;
}

/** An address or CIDR as base/prefix; a bare address is a /32. */
export interface Prefix { base: number; len: number; text: string }

export function parsePrefix(s: string): Prefix {
  const [a, l] = s.split('/');
  const base = ipv4(a ?? '');
  const len = l === undefined ? 32 : Number(l);
  if (base === null || !Number.isInteger(len) || len < 0 || len > 32) throw new TraceError(`not an IPv4 address or CIDR: ${s}`);
  return { base, len, text: s };
}

export function prefixContains(p: Prefix, ip: string): boolean {
  const n = ipv4(ip);
  if (n === null) throw new TraceError(`packet address is not IPv4: ${ip}`);
  const mask = p.len === 0 ? 0 : (0xffffffff << (32 - p.len)) >>> 0;
  return ((n & mask) >>> 0) === ((p.base & mask) >>> 0);
}

/** The node's idea of "local" (addrtype LOCAL, fib type local): its addresses and 127.0.0.0/8. */
export function isLocal(nodeIPs: readonly string[], ip: string): boolean {
  return nodeIPs.includes(ip) || prefixContains(LOOPBACK, ip);
}
const LOOPBACK = { base: 0x7f000000, len: 8, text: '127.0.0.0/8' };
