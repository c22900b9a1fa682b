import { broadcast, cidrSize, formatIP, network, parseCidr, parseIP, type IP } from '../util/addr.js';
import { AllocatorError } from './errors.js';
import { Bitmap } from './bitmap.js';

const MAX_POOL = 65536;

function bounds(spec: string): { lo: IP; size: number } {
  const s = spec.trim();
  let lo: IP, hi: IP;
  try {
    if (s.includes('/')) {
      const c = parseCidr(s);
      lo = network(c).ip; hi = broadcast(c);
      if (cidrSize(c) > BigInt(MAX_POOL)) throw new AllocatorError('EINVAL', `load balancer pool "${spec}" is empty or too large`);
    } else {
      const [a, b, extra] = s.split('-');
      if (!a || !b || extra !== undefined) throw new AllocatorError('EINVAL', `load balancer pool "${spec}": want A.B.C.D-E.F.G.H or a CIDR`);
      lo = parseIP(a); hi = parseIP(b);
    }
  } catch (e) {
    if (e instanceof AllocatorError) throw e;
    throw new AllocatorError('EINVAL', `load balancer pool "${spec}": ${(e as Error).message}`);
  }
  if (lo.family !== hi.family) throw new AllocatorError('EINVAL', `load balancer pool "${spec}" mixes IPv4 and IPv6`);
  if (hi.value < lo.value || hi.value - lo.value >= BigInt(MAX_POOL)) throw new AllocatorError('EINVAL', `load balancer pool "${spec}" is empty or too large`);
  return { lo, size: Number(hi.value - lo.value) + 1 };
}

/**
 * A LoadBalancer address pool (`A-B` or a CIDR, every address of it, at most 65536): each address
 * is held by at most one holder (a Service's ns/name). firstFree() hands out the lowest free one.
 */
export class AddressPool {
  private readonly lo: IP;
  private readonly map: Bitmap;
  private readonly holders = new Map<number, string>();
  constructor(readonly spec: string) {
    const b = bounds(spec);
    this.lo = b.lo;
    this.map = new Bitmap(b.size);
  }
  private offset(ip: string): number {
    let p: IP;
    try { p = parseIP(ip); } catch { return -1; }
    const off = p.value - this.lo.value;
    return p.family === this.lo.family && off >= 0n && off < BigInt(this.map.size) ? Number(off) : -1;
  }
  size(): number { return this.map.size; }
  contains(ip: string): boolean { return this.offset(ip) >= 0; }
  /** Who holds the address (undefined when free or outside the pool). */
  holder(ip: string): string | undefined { const o = this.offset(ip); return o < 0 ? undefined : this.holders.get(o); }
  /** Gives the address to `who`; throws ERANGE outside the pool, ETAKEN when another holder has it. */
  hold(ip: string, who: string): void {
    const o = this.offset(ip);
    if (o < 0) throw new AllocatorError('ERANGE', `${ip} is outside the load balancer pool ${this.spec}`);
    const cur = this.holders.get(o);
    if (cur !== undefined && cur !== who) throw new AllocatorError('ETAKEN', `${ip} is already held by ${cur}`);
    this.map.set(o); this.holders.set(o, who);
  }
  /** The lowest free address, or undefined when the pool is exhausted. */
  firstFree(): string | undefined {
    const o = this.map.scan(0, this.map.size, false);
    return o < 0 ? undefined : formatIP({ family: this.lo.family, value: this.lo.value + BigInt(o) });
  }
  release(ip: string): void { const o = this.offset(ip); if (o >= 0) { this.map.clear(o); this.holders.delete(o); } }
  /** Frees every address `who` holds. */
  releaseHolder(who: string): void {
    for (const [o, h] of this.holders) if (h === who) { this.map.clear(o); this.holders.delete(o); }
  }
  used(): number { return this.map.count(); }
}
