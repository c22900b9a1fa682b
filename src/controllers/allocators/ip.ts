/** IPv4/IPv6 address and CIDR arithmetic over bigint (pure). */
import { isIPv4, isIPv6 } from 'node:net';
import { AllocatorError } from './errors.js';

export interface Cidr { family: 4 | 6; base: bigint; prefix: number; bits: 32 | 128 }

export function parseIP(s: string): { family: 4 | 6; value: bigint } {
  if (isIPv4(s)) {
    const p = s.split('.').map(Number);
    return { family: 4, value: BigInt(((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!) };
  }
  if (isIPv6(s)) {
    let str = s;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(str);
    if (v4) {
      const n = Number(parseIP(v4[1]!).value);
      str = str.slice(0, v4.index) + ((n >>> 16) & 0xffff).toString(16) + ':' + (n & 0xffff).toString(16);
    }
    const dbl = str.indexOf('::');
    const part = (x: string): number[] => (x === '' ? [] : x.split(':').map((g) => parseInt(g, 16)));
    const h = part(dbl < 0 ? str : str.slice(0, dbl));
    const r = dbl < 0 ? [] : part(str.slice(dbl + 2));
    const groups = dbl < 0 ? h : [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
    let v = 0n;
    for (const g of groups) v = (v << 16n) | BigInt(g);
    return { family: 6, value: v };
  }
  throw new AllocatorError('EINVAL', `"${s}" is not a valid IP address`);
}

export function formatIP(family: 4 | 6, v: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  // compress the longest run of zero groups (length ≥ 2), RFC 5952
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i; while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

export function parseCidr(s: string): Cidr {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
  if (!m) throw new AllocatorError('EINVAL', `"${s}" is not a valid CIDR (want ADDRESS/PREFIX)`);
  const ip = parseIP(m[1]!);
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  if (prefix > bits) throw new AllocatorError('EINVAL', `"${s}": prefix /${prefix} exceeds ${bits} bits`);
  const host = (1n << BigInt(bits - prefix)) - 1n;
  return { family: ip.family, base: ip.value & ~host & ((1n << BigInt(bits)) - 1n), prefix, bits };
}

export function formatCidr(c: Cidr): string { return `${formatIP(c.family, c.base)}/${c.prefix}`; }

export function cidrSize(c: Cidr): bigint { return 1n << BigInt(c.bits - c.prefix); }
