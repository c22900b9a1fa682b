import type { Service } from 'kubernetes-types/core/v1.js';
import type { KObject } from '../meta/types.js';
import { R } from '../client/resources.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import { formatIP, parseIP } from './allocators/index.js';
import type { EventRecorder } from './events.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import type { K } from './util.js';

type KSvc = K<Service>;

/** `a.b.c.d-e.f.g.h` or a CIDR → the addresses of the pool, in order. */
export function poolAddresses(spec: string): string[] {
  const s = spec.trim();
  let lo: bigint, hi: bigint;
  if (s.includes('/')) {
    const [ip, len] = s.split('/');
    const v = parseIP(ip!).value, n = Number(len);
    const size = 1n << BigInt(32 - n);
    lo = v - (v % size); hi = lo + size - 1n;
  } else {
    const [a, b] = s.split('-');
    if (!a || !b) throw new Error(`load balancer pool "${spec}": want A.B.C.D-E.F.G.H or a CIDR`);
    lo = parseIP(a).value; hi = parseIP(b).value;
  }
  if (hi < lo || hi - lo > 65535n) throw new Error(`load balancer pool "${spec}" is empty or too large`);
  const out: string[] = [];
  for (let v = lo; v <= hi; v++) out.push(formatIP(4, v));
  return out;
}

/**
 * LoadBalancer address allocation for the lab (the role MetalLB or a cloud controller plays):
 * every Service of type LoadBalancer gets an address from the pool (spec.loadBalancerIP when it
 * asks for a free one) in status.loadBalancer.ingress; the address is freed when the Service goes
 * away or changes type. The lab routes the pool to the nodes, whose proxies answer for it.
 */
export class LoadBalancerIpamController {
  private readonly queue: WorkQueue;
  private readonly services;
  private readonly pool: string[];
  private readonly used = new Map<string, string>(); // ip → ns/name

  constructor(private readonly client: KubeClient, informers: InformerFactory, poolSpec: string, private readonly events: EventRecorder, private readonly log?: Logger) {
    this.pool = poolAddresses(poolSpec);
    this.queue = new WorkQueue({ name: 'lbipam', log });
    this.services = informers.get<KSvc>(R.services);
    const key = (s: KSvc): string => `${s.metadata!.namespace}/${s.metadata!.name}`;
    this.services.on({
      onAdd: (s) => { this.observe(s); this.queue.add(key(s)); },
      onUpdate: (_o, s) => { this.observe(s); this.queue.add(key(s)); },
      onDelete: (s) => { this.release(key(s)); for (const o of this.services.list()) if (this.wants(o)) this.queue.add(key(o)); },
    });
  }

  private wants(s: KSvc): boolean { return s.spec?.type === 'LoadBalancer' && !(s.status?.loadBalancer?.ingress ?? []).some((i) => i.ip); }

  private observe(s: KSvc): void {
    const k = `${s.metadata!.namespace}/${s.metadata!.name}`;
    for (const i of s.status?.loadBalancer?.ingress ?? []) if (i.ip && this.pool.includes(i.ip) && !this.used.has(i.ip)) this.used.set(i.ip, k);
  }

  private release(k: string): void { for (const [ip, owner] of this.used) if (owner === k) this.used.delete(ip); }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(k: string): Promise<void> {
    const [ns, name] = k.split('/') as [string, string];
    const s = this.services.get(ns, name);
    if (!s) { this.release(k); return; }
    const ingress = s.status?.loadBalancer?.ingress ?? [];
    if (s.spec?.type !== 'LoadBalancer') {
      const mine = ingress.filter((i) => i.ip && this.used.get(i.ip) === k);
      if (mine.length) {
        this.release(k);
        await this.client.patch(R.services(ns), name, { status: { loadBalancer: {} } }, 'merge', 'status').catch((e: unknown) => { if (!isNotFound(e)) throw e; });
      }
      return;
    }
    if (ingress.some((i) => i.ip)) return;
    const want = s.spec.loadBalancerIP;
    let ip: string | undefined;
    if (want) {
      if (this.pool.includes(want) && (!this.used.has(want) || this.used.get(want) === k)) ip = want;
      else {
        void this.events.record(s as unknown as KObject, 'Warning', 'AllocationFailed', `loadBalancerIP ${want} is ${this.pool.includes(want) ? 'already in use' : 'outside the pool'}`);
        return;
      }
    } else ip = this.pool.find((a) => !this.used.has(a));
    if (!ip) {
      void this.events.record(s as unknown as KObject, 'Warning', 'AllocationFailed', 'no address left in the load balancer pool');
      return;
    }
    this.used.set(ip, k);
    try {
      await this.client.patch(R.services(ns), name, { status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } } }, 'merge', 'status');
      this.log?.info({ service: k, ip }, 'load balancer address assigned');
    } catch (e) {
      this.used.delete(ip);
      if (!isNotFound(e)) throw e;
    }
  }
}
