import { AllocatorError } from './errors.js';
import { Bitmap, full } from './bitmap.js';
import { cidrSize, formatIP, parseCidr, parseIP, type Cidr } from './ip.js';

const MAX_SIZE = 1 << 20;

/**
 * ClusterIP allocator over a service CIDR. Offsets index usable addresses: the network address
 * (and for IPv4 the broadcast address) are never handed out. The first usable address is reserved
 * for `default/kubernetes`: allocateNext() never returns it, allocate(first) does. Like upstream,
 * the lowest addresses (a "static band" of min(max(16, size/16), 256)) are kept for requested IPs
 * (e.g. the DNS service 10.96.0.10): allocateNext() picks from above it first.
 */
export class ServiceIPAllocator {
  readonly cidr: Cidr;
  private readonly map: Bitmap;
  private readonly staticBand: number;
  constructor(cidr: string) {
    this.cidr = parseCidr(cidr);
    const total = cidrSize(this.cidr);
    const usable = this.cidr.family === 4 ? total - 2n : total - 1n;
    if (usable < 1n) throw new AllocatorError('EINVAL', `service CIDR ${cidr} is too small (no usable address)`);
    const size = Number(usable > BigInt(MAX_SIZE) ? BigInt(MAX_SIZE) : usable);
    this.map = new Bitmap(size);
    this.staticBand = Math.min(Math.max(16, Math.floor(size / 16)), 256, size);
  }
  get family(): 4 | 6 { return this.cidr.family; }
  /** The first usable address (network + 1): the `kubernetes` Service's ClusterIP. */
  firstIP(): string { return formatIP(this.cidr.family, this.cidr.base + 1n); }
  size(): number { return this.map.size; }
  private offset(ip: string): number {
    let v: bigint;
    try { ({ value: v } = (() => { const p = parseIP(ip); if (p.family !== this.cidr.family) throw new Error(); return p; })()); }
    catch { throw new AllocatorError(isBad(ip) ? 'EINVAL' : 'ERANGE', `${ip} is not a valid IPv${this.cidr.family} address in ${this.toString()}`); }
    const off = v - this.cidr.base - 1n;
    if (off < 0n || off >= BigInt(this.map.size)) {
      throw new AllocatorError('ERANGE', `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.toString()}`);
    }
    return Number(off);
  }
  toString(): string { return `${formatIP(this.cidr.family, this.cidr.base)}/${this.cidr.prefix}`; }
  contains(ip: string): boolean { try { this.offset(ip); return true; } catch { return false; } }
  allocate(ip: string): void {
    const off = this.offset(ip);
    if (!this.map.set(off)) throw new AllocatorError('ETAKEN', `provided IP ${ip} is already allocated`);
  }
  allocateNext(): string {
    let off = this.map.scan(this.staticBand, this.map.size);
    if (off < 0) off = this.map.scan(1, this.staticBand);
    if (off < 0) throw full(`service IP range ${this.toString()}`);
    this.map.set(off);
    return formatIP(this.cidr.family, this.cidr.base + 1n + BigInt(off));
  }
  release(ip: string): void {
    let off: number;
    try { off = this.offset(ip); } catch { return; }
    this.map.clear(off);
  }
  has(ip: string): boolean { try { return this.map.has(this.offset(ip)); } catch { return false; } }
  used(): number { return this.map.count(); }
  free(): number { return this.map.size - this.map.count(); }
  /** Every allocated address. */
  allocated(): string[] { return [...this.map.members()].map((o) => formatIP(this.cidr.family, this.cidr.base + 1n + BigInt(o))); }
}

function isBad(ip: string): boolean { try { parseIP(ip); return false; } catch { return true; } }
