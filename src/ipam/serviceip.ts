import { cidrSize, formatCidr, formatIP, tryParseIP, type Cidr, type Family, type IP } from '../util/addr.js';
import { AllocatorError } from './errors.js';
import { Bitmap, full } from './bitmap.js';
import { notAnIP, parseRange } from './range.js';

const MAX_SIZE = 1 << 20;

/**
 * ClusterIP allocator over a service CIDR. Offsets index usable addresses: the network address
 * (and for IPv4 the broadcast address) are never handed out. The first usable address is reserved
 * for `default/kubernetes`: allocateNext() never returns it, allocate(first) does. Like upstream,
 * the lowest addresses (a "static band" of min(max(16, size/16), 256)) are kept for requested IPs
 * (e.g. the DNS service 10.96.0.10): allocateNext() picks from above it first.
 */
export class ServiceIPAllocator {
  /** The service CIDR in network form. */
  readonly cidr: Cidr;
  private readonly map: Bitmap;
  private readonly staticBand: number;
  constructor(cidr: string) {
    this.cidr = parseRange(cidr);
    const total = cidrSize(this.cidr);
    const usable = this.family === 4 ? total - 2n : total - 1n;
    if (usable < 1n) throw new AllocatorError('EINVAL', `service CIDR ${cidr} is too small (no usable address)`);
    const size = Number(usable > BigInt(MAX_SIZE) ? BigInt(MAX_SIZE) : usable);
    this.map = new Bitmap(size);
    this.staticBand = Math.min(Math.max(16, Math.floor(size / 16)), 256, size);
  }
  get family(): Family { return this.cidr.ip.family; }
  /** Address at bitmap offset `off` (offset 0 is network + 1). */
  private at(off: number): IP { return { family: this.family, value: this.cidr.ip.value + 1n + BigInt(off) }; }
  /** The first usable address (network + 1): the `kubernetes` Service's ClusterIP. */
  firstIP(): string { return formatIP(this.at(0)); }
  size(): number { return this.map.size; }
  private offset(ip: string): number {
    const p = tryParseIP(ip);
    if (!p || p.family !== this.family) {
      throw new AllocatorError(notAnIP(ip) ? 'EINVAL' : 'ERANGE', `${ip} is not a valid IPv${this.family} address in ${this.toString()}`);
    }
    const off = p.value - this.cidr.ip.value - 1n;
    if (off < 0n || off >= BigInt(this.map.size)) {
      throw new AllocatorError('ERANGE', `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.toString()}`);
    }
    return Number(off);
  }
  toString(): string { return formatCidr(this.cidr); }
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
    return formatIP(this.at(off));
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
  allocated(): string[] { return [...this.map.members()].map((o) => formatIP(this.at(o))); }
}
