import type { Endpoint } from '../types.js';

/** Round-robin over endpoints with optional ClientIP affinity (upstream userspace LoadBalancerRR). */
export class RoundRobin {
  private next = 0;
  private readonly affinity = new Map<string, { ep: string; at: number }>();
  private endpoints: string[] = [];
  constructor(private affinityTimeoutMs = 0) {}

  update(eps: readonly Endpoint[], affinityTimeoutMs: number): void {
    const list = eps.map((e) => `${e.ip}:${e.port}`);
    if (list.join(',') !== this.endpoints.join(',')) {
      this.endpoints = list;
      this.next = 0;
      for (const [k, v] of this.affinity) if (!list.includes(v.ep)) this.affinity.delete(k);
    }
    this.affinityTimeoutMs = affinityTimeoutMs;
    if (!affinityTimeoutMs) this.affinity.clear();
  }

  get size(): number { return this.endpoints.length; }

  /** Picks "ip:port" for a client, or undefined when there is none. `skip` excludes endpoints that just failed. */
  pick(clientIP: string, skip: ReadonlySet<string> = new Set()): string | undefined {
    const now = Date.now();
    if (this.affinityTimeoutMs) {
      const a = this.affinity.get(clientIP);
      if (a && now - a.at < this.affinityTimeoutMs && !skip.has(a.ep) && this.endpoints.includes(a.ep)) { a.at = now; return a.ep; }
    }
    for (let i = 0; i < this.endpoints.length; i++) {
      const ep = this.endpoints[this.next % this.endpoints.length]!;
      this.next = (this.next + 1) % this.endpoints.length;
      if (skip.has(ep)) continue;
      if (this.affinityTimeoutMs) this.affinity.set(clientIP, { ep, at: now });
      return ep;
    }
    return undefined;
  }
}
