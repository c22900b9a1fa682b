import type { Answer } from 'dns-packet';

/** A cached upstream answer; TTLs are counted down from `storedAt` on every hit. */
export interface CachedResponse { rcode: string; answers: Answer[]; authority: Answer[]; additionals: Answer[] }
interface Slot { value: CachedResponse; storedAt: number; expiresAt: number }

/**
 * TTL-honouring response cache with negative caching (RFC 2308: NXDOMAIN/NODATA kept for the
 * SOA's min(ttl, minimum)), bounded in entries and in the longest TTL it keeps.
 */
export class DnsCache {
  private readonly slots = new Map<string, Slot>();
  constructor(private readonly opts: { maxEntries: number; maxTtl: number; maxNegativeTtl: number; now?: () => number } = { maxEntries: 10_000, maxTtl: 3600, maxNegativeTtl: 1800 }) {}

  private now(): number { return (this.opts.now ?? Date.now)(); }
  static key(name: string, type: string, klass = 'IN'): string { return `${name.toLowerCase().replace(/\.$/, '')}|${type}|${klass}`; }

  get(key: string): CachedResponse | undefined {
    const s = this.slots.get(key);
    if (!s) return undefined;
    const now = this.now();
    if (now >= s.expiresAt) { this.slots.delete(key); return undefined; }
    const elapsed = Math.floor((now - s.storedAt) / 1000);
    const age = (rs: Answer[]): Answer[] => rs.map((r) => (r.type === 'OPT' ? r : { ...r, ttl: Math.max(0, ((r as { ttl?: number }).ttl ?? 0) - elapsed) } as Answer));
    return { rcode: s.value.rcode, answers: age(s.value.answers), authority: age(s.value.authority), additionals: age(s.value.additionals) };
  }

  /** Stores a response; returns the TTL (s) it will be kept for, 0 when not cacheable. */
  put(key: string, value: CachedResponse): number {
    const ttl = cacheTtl(value, this.opts.maxTtl, this.opts.maxNegativeTtl);
    if (ttl <= 0) return 0;
    if (this.slots.size >= this.opts.maxEntries) {
      const oldest = this.slots.keys().next().value;
      if (oldest !== undefined) this.slots.delete(oldest);
    }
    const now = this.now();
    const records = { ...value, additionals: value.additionals.filter((r) => r.type !== 'OPT') };
    this.slots.set(key, { value: records, storedAt: now, expiresAt: now + ttl * 1000 });
    return ttl;
  }
  size(): number { return this.slots.size; }
}

/** How long a response may be cached: min answer TTL for positive, SOA-derived for negative. */
export function cacheTtl(r: CachedResponse, maxTtl: number, maxNegativeTtl: number): number {
  const ttlOf = (a: Answer): number => (a as { ttl?: number }).ttl ?? 0;
  if (r.rcode === 'NOERROR' && r.answers.length) return Math.min(maxTtl, ...r.answers.map(ttlOf));
  if (r.rcode === 'NXDOMAIN' || (r.rcode === 'NOERROR' && !r.answers.length)) {
    const soa = r.authority.find((a) => a.type === 'SOA') as { ttl?: number; data: { minimum: number } } | undefined;
    if (!soa) return 0;
    return Math.min(maxNegativeTtl, soa.ttl ?? 0, soa.data.minimum);
  }
  return 0;
}
