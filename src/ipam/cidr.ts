import { bitsOf, formatCidr, network, tryParseCidr, type Cidr, type Family } from '../util/addr.js';
import { AllocatorError } from './errors.js';
import { Bitmap, full } from './bitmap.js';
import { parseRange } from './range.js';

const MAX_SUBNETS = 1 << 20;

/**
 * Node podCIDR allocator: carves `clusterCidr` into /maskSize subnets. allocateNext() hands
 * them out in order, continuing after the last one handed out (like upstream's cidrset).
 */
export class CidrAllocator {
  /** The cluster CIDR in network form. */
  readonly cluster: Cidr;
  private readonly map: Bitmap;
  private next = 0;
  constructor(clusterCidr: string, readonly maskSize: number) {
    this.cluster = parseRange(clusterCidr);
    const bits = bitsOf(this.family);
    if (!Number.isInteger(maskSize) || maskSize < this.cluster.prefix || maskSize > bits) {
      throw new AllocatorError('EINVAL', `node CIDR mask size ${maskSize} must be between the cluster CIDR's prefix /${this.cluster.prefix} and ${bits}`);
    }
    if (maskSize - this.cluster.prefix > 20) throw new AllocatorError('EINVAL', `cluster CIDR ${clusterCidr} with mask /${maskSize} has more than ${MAX_SUBNETS} subnets`);
    this.map = new Bitmap(1 << (maskSize - this.cluster.prefix));
  }
  get family(): Family { return this.cluster.ip.family; }
  private get step(): bigint { return 1n << BigInt(bitsOf(this.family) - this.maskSize); }
  toString(): string { return formatCidr(this.cluster); }
  private fmt(i: number): string {
    return formatCidr({ ip: { family: this.family, value: this.cluster.ip.value + BigInt(i) * this.step }, prefix: this.maskSize });
  }
  private index(cidr: string): number {
    const c = tryParseCidr(cidr.trim());
    if (!c) throw new AllocatorError('EINVAL', `"${cidr}" is not a valid CIDR`);
    if (c.ip.family !== this.family || c.prefix !== this.maskSize) {
      throw new AllocatorError('ERANGE', `CIDR ${cidr} is not a /${this.maskSize} IPv${this.family} subnet of cluster CIDR ${this.toString()}`);
    }
    const off = network(c).ip.value - this.cluster.ip.value;
    if (off < 0n || off >= BigInt(this.map.size) * this.step) throw new AllocatorError('ERANGE', `CIDR ${cidr} is outside cluster CIDR ${this.toString()}`);
    return Number(off / this.step);
  }
  allocateNext(): string {
    let i = -1;
    for (let k = 0; k < this.map.size; k++) {
      const j = (this.next + k) % this.map.size;
      if (!this.map.has(j)) { i = j; break; }
    }
    if (i < 0) throw full(`cluster CIDR ${this.toString()} (/${this.maskSize} per node)`);
    this.map.set(i);
    this.next = (i + 1) % this.map.size;
    return this.fmt(i);
  }
  allocate(cidr: string): void {
    const i = this.index(cidr);
    if (!this.map.set(i)) throw new AllocatorError('ETAKEN', `CIDR ${cidr} is already allocated`);
  }
  release(cidr: string): void { try { this.map.clear(this.index(cidr)); } catch { /* not ours */ } }
  has(cidr: string): boolean { try { return this.map.has(this.index(cidr)); } catch { return false; } }
  free(): number { return this.map.size - this.map.count(); }
  size(): number { return this.map.size; }
}
