import type { Service } from 'kubernetes-types/core/v1.js';
import type { KObject } from '../meta/types.js';
import { R } from '../client/resources.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import { AddressPool } from '../ipam/index.js';
import type { EventRecorder } from './events.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import type { K } from './util.js';

type KSvc = K<Service>;

/**
 * LoadBalancer address allocation for the lab (the role MetalLB or a cloud controller plays):
 * every Service of type LoadBalancer gets an address from the pool (spec.loadBalancerIP when it
 * asks for a free one) in status.loadBalancer.ingress; the address is freed when the Service goes
 * away or changes type. The lab routes the pool to the nodes, whose proxies answer for it.
 */
export class LoadBalancerIpamController {
  private readonly queue: WorkQueue;
  private readonly services;
  private readonly pool: AddressPool; // each address held by a Service's ns/name

  constructor(private readonly client: KubeClient, informers: InformerFactory, poolSpec: string, private readonly events: EventRecorder, private readonly log?: Logger) {
    this.pool = new AddressPool(poolSpec);
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
    for (const i of s.status?.loadBalancer?.ingress ?? []) if (i.ip && this.pool.contains(i.ip) && this.pool.holder(i.ip) === undefined) this.pool.hold(i.ip, k);
  }

  private release(k: string): void { this.pool.releaseHolder(k); }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(k: string): Promise<void> {
    const [ns, name] = k.split('/') as [string, string];
    const s = this.services.get(ns, name);
    if (!s) { this.release(k); return; }
    const ingress = s.status?.loadBalancer?.ingress ?? [];
    if (s.spec?.type !== 'LoadBalancer') {
      const mine = ingress.filter((i) => i.ip && this.pool.holder(i.ip) === k);
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
      if (this.pool.contains(want) && (this.pool.holder(want) ?? k) === k) ip = want;
      else {
        void this.events.record(s as unknown as KObject, 'Warning', 'AllocationFailed', `loadBalancerIP ${want} is ${this.pool.contains(want) ? 'already in use' : 'outside the pool'}`);
        return;
      }
    } else ip = this.pool.firstFree();
    if (!ip) {
      void this.events.record(s as unknown as KObject, 'Warning', 'AllocationFailed', 'no address left in the load balancer pool');
      return;
    }
    this.pool.hold(ip, k);
    try {
      await this.client.patch(R.services(ns), name, { status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } } }, 'merge', 'status');
      this.log?.info({ service: k, ip }, 'load balancer address assigned');
    } catch (e) {
      this.pool.release(ip);
      if (!isNotFound(e)) throw e;
    }
  }
}
