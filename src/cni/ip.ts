import { isIP } from 'node:net';
import { CniError, ErrCode } from './types.js';

/** An IP address as a bigint plus its family. */
export interface Ip { v: bigint; family: 4 | 6 }
export interface Cidr { ip: Ip; prefix: number }

export function parseIp(s: string): Ip | undefined {
  const f = isIP(s);
  if (f === 4) return { family: 4, v: s.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n) };
  if (f === 6) {
    let str = s;
    if (str.includes('.')) { // v4-mapped tail
      const i = str.lastIndexOf(':'), v4 = parseIp(str.slice(i + 1))!.v;
      str = `${str.slice(0, i)}:${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    }
    const [h, t] = str.split('::') as [string, string | undefined];
    const head = h ? h.split(':') : [], tail = t ? t.split(':') : [];
    const groups = t === undefined ? head : [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
    return { family: 6, v: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n) };
  }
  return undefined;
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((sh) => String((ip.v >> sh) & 0xffn)).join('.');
  const g: string[] = [];
  for (let i = 7; i >= 0; i--) g.push(((ip.v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // compress the longest run of zero groups
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== '0') { i++; continue; }
    let j = i; while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

export function bits(f: 4 | 6): number { return f === 4 ? 32 : 128; }

/** Parses `a.b.c.d/len`; throws a CNI "invalid network config" error naming `what`. */
export function parseCidr(s: unknown, what = 'subnet'): Cidr {
  if (typeof s !== 'string') throw new CniError(ErrCode.InvalidNetworkConfig, `${what}: expected a CIDR string`);
  const [a, p, extra] = s.split('/');
  const ip = a ? parseIp(a) : undefined;
  const prefix = p !== undefined && /^\d+$/.test(p) ? Number(p) : NaN;
  if (!ip || extra !== undefined || !(prefix >= 0 && prefix <= bits(ip.family))) throw new CniError(ErrCode.InvalidNetworkConfig, `${what}: invalid CIDR address "${s}"`);
  return { ip, prefix };
}

export function mask(c: Cidr): bigint {
  const b = BigInt(bits(c.ip.family));
  return ((1n << b) - 1n) ^ ((1n << (b - BigInt(c.prefix))) - 1n);
}
export function networkOf(c: Cidr): Cidr { return { ip: { family: c.ip.family, v: c.ip.v & mask(c) }, prefix: c.prefix }; }
export function broadcastOf(c: Cidr): Ip { return { family: c.ip.family, v: (c.ip.v & mask(c)) | (~mask(c) & ((1n << BigInt(bits(c.ip.family))) - 1n)) }; }
export function contains(c: Cidr, ip: Ip): boolean { return c.ip.family === ip.family && (ip.v & mask(c)) === (c.ip.v & mask(c)); }
export function formatCidr(c: Cidr): string { return `${formatIp(c.ip)}/${c.prefix}`; }
export function addIp(ip: Ip, n: bigint): Ip { return { family: ip.family, v: ip.v + n }; }
export function ipEq(a: Ip, b: Ip): boolean { return a.family === b.family && a.v === b.v; }
