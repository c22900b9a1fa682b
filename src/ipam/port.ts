import { AllocatorError } from './errors.js';
import { Bitmap, full } from './bitmap.js';

/**
 * NodePort allocator over [min, max] (default 30000–32767). allocateNext() prefers the upper
 * part of the range, leaving a low static band for explicitly requested ports (as upstream).
 */
export class PortAllocator {
  private readonly map: Bitmap;
  private readonly staticBand: number;
  constructor(readonly min: number, readonly max: number) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new AllocatorError('EINVAL', `invalid port range ${min}-${max}`);
    }
    this.map = new Bitmap(max - min + 1);
    this.staticBand = Math.min(Math.max(16, Math.floor(this.map.size / 16)), 128, this.map.size);
  }
  toString(): string { return `${this.min}-${this.max}`; }
  private offset(port: number): number {
    if (!Number.isInteger(port) || port < this.min || port > this.max) {
      throw new AllocatorError('ERANGE', `provided port ${port} is not in the valid range. The range of valid ports is ${this.toString()}`);
    }
    return port - this.min;
  }
  allocate(port: number): void {
    if (!this.map.set(this.offset(port))) throw new AllocatorError('ETAKEN', `provided port ${port} is already allocated`);
  }
  allocateNext(): number {
    let off = this.map.scan(this.staticBand, this.map.size);
    if (off < 0) off = this.map.scan(0, this.staticBand);
    if (off < 0) throw full(`node port range ${this.toString()}`);
    this.map.set(off);
    return this.min + off;
  }
  release(port: number): void {
    if (Number.isInteger(port) && port >= this.min && port <= this.max) this.map.clear(port - this.min);
  }
  has(port: number): boolean { return Number.isInteger(port) && port >= this.min && port <= this.max && this.map.has(port - this.min); }
  used(): number { return this.map.count(); }
  free(): number { return this.map.size - this.map.count(); }
  allocated(): number[] { return [...this.map.members()].map((o) => o + this.min); }
}
