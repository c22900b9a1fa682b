/**
 * flannel's etcd subnet manager: `<prefix>/config` holds the network config and
 * `<prefix>/subnets/<a.b.c.d>-<len>` one lease per node (LeaseAttrs JSON) bound to an etcd lease
 * with a TTL. The lease is kept alive while the agent runs; when it stops, the key expires and
 * every other node removes the routes to that subnet.
 */
import type { Etcd3, Lease as EtcdLease } from 'etcd3';
import { etcd3 } from '../../util/etcd3lazy.js';
import type { Logger } from 'pino';
import { parseNetConf, type FlannelNetConf } from '../config.js';
import { broadcast, formatCidr, nextSubnet, parseIP, subnetOf, tryParseCidr } from '../../util/addr.js';
import { BatchQueue } from './queue.js';
import type { Lease, LeaseAttrs, LeaseEvent, SubnetManager } from './types.js';
import { PodnetError } from '../../util/errors.js';

class SubnetExhaustedError extends PodnetError {
  constructor(message: string) { super('ESUBNETFULL', message); }
}

/** flannel's default lease TTL (24 h); tests and the lab use shorter ones. */
export const DEFAULT_LEASE_TTL_S = 24 * 3600;

/** A lease value (LeaseAttrs JSON) as read from etcd; undefined when it is not one. */
export function parseAttrs(v: string): LeaseAttrs | undefined {
  try {
    const o = JSON.parse(v) as LeaseAttrs;
    return typeof o.PublicIP === 'string' && typeof o.BackendType === 'string' ? o : undefined;
  } catch { return undefined; }
}

/** The value written under a lease key: flannel's LeaseAttrs field order, PublicIPv6 null when absent. */
export function leaseValue(attrs: LeaseAttrs): string {
  return JSON.stringify({ PublicIP: attrs.PublicIP, PublicIPv6: attrs.PublicIPv6 ?? null, BackendType: attrs.BackendType, BackendData: attrs.BackendData });
}

/**
 * Which subnet a node takes, from the leases present (key → value under `<prefix>/subnets/`): its
 * own earlier one (same public IP), else the free subnets between SubnetMin and SubnetMax in order.
 */
export function planLease(existing: Readonly<Record<string, string>>, publicIP: string, conf: Pick<FlannelNetConf, 'SubnetMin' | 'SubnetMax' | 'SubnetLen'>): { mine?: string; free: string[] } {
  const taken = new Set<string>();
  let mine: string | undefined;
  for (const [k, v] of Object.entries(existing)) {
    const s = keySubnet(k);
    if (!s) continue;
    taken.add(s);
    if (parseAttrs(v)?.PublicIP === publicIP) mine = s;
  }
  if (mine) return { mine, free: [] };
  return { free: subnetsBetween(conf.SubnetMin, conf.SubnetMax, conf.SubnetLen).filter((s) => !taken.has(s)) };
}

export class EtcdSubnetManager implements SubnetManager {
  readonly name = 'etcd';
  private readonly etcd: Etcd3;
  private etcdLease: EtcdLease | undefined;
  private conf: FlannelNetConf | undefined;
  private closed = false;

  constructor(endpoints: string[], private readonly prefix = '/coreos.com/network', private readonly ttlSeconds = DEFAULT_LEASE_TTL_S, private readonly log?: Logger) {
    this.etcd = new (etcd3().Etcd3)({ hosts: endpoints, dialTimeout: 3000 });
  }

  private get subnetsPrefix(): string { return `${this.prefix}/subnets/`; }

  async networkConfig(): Promise<FlannelNetConf> {
    if (this.conf) return this.conf;
    for (let attempt = 0; ; attempt++) {
      const v = await this.etcd.get(`${this.prefix}/config`).string().catch((e: unknown) => { this.log?.warn({ err: (e as Error).message }, 'etcd not reachable'); return undefined; });
      if (v) { this.conf = parseNetConf(v); return this.conf; }
      if (attempt % 10 === 0) this.log?.info({ key: `${this.prefix}/config` }, 'waiting for the network config in etcd');
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async acquireLease(attrs: LeaseAttrs, signal: AbortSignal): Promise<Lease> {
    const conf = await this.networkConfig();
    const value = leaseValue(attrs);
    for (let attempt = 0; attempt < 10 && !signal.aborted; attempt++) {
      const existing = await this.etcd.getAll().prefix(this.subnetsPrefix).strings();
      const { mine, free } = planLease(existing, attrs.PublicIP, conf);
      const lease = this.etcd.lease(this.ttlSeconds, { autoKeepAlive: true });
      if (mine) {
        // Our previous lease (same public IP): take it over with a fresh TTL.
        const key = `${this.subnetsPrefix}${subnetKey(mine)}`;
        await lease.put(key).value(value);
        this.keepOnLoss(lease, key, value, attrs.PublicIP);
        this.etcdLease = lease;
        return { subnet: mine, attrs, expiration: Date.now() + this.ttlSeconds * 1000 };
      }
      if (!free.length) { await lease.revoke().catch(() => undefined); throw new SubnetExhaustedError(`no free subnet of /${conf.SubnetLen} left in ${conf.Network}`); }
      const subnet = free[Math.floor(Math.random() * Math.min(free.length, 64))]!;
      const key = `${this.subnetsPrefix}${subnetKey(subnet)}`;
      const leaseId = await lease.grant();
      const res = await this.etcd.if(key, 'Create', '==', 0).then(this.etcd.put(key).value(value).lease(leaseId)).commit();
      if (res.succeeded) {
        this.keepOnLoss(lease, key, value, attrs.PublicIP);
        this.etcdLease = lease;
        return { subnet, attrs, expiration: Date.now() + this.ttlSeconds * 1000 };
      }
      await lease.revoke().catch(() => undefined); // someone else took it: try again
    }
    throw new SubnetExhaustedError('could not acquire a subnet lease (aborted or too many races)');
  }

  /**
   * When keep-alives fail long enough for the etcd lease to count as lost (etcd down or restarted),
   * take the same subnet again under a fresh lease as soon as etcd answers (flanneld renews the
   * lease it holds; a node never changes its subnet while it runs). Only if another node took the
   * subnet meanwhile is it given up (logged; the agent's restart acquires a new one).
   */
  private keepOnLoss(lease: EtcdLease, key: string, value: string, publicIP: string): void {
    lease.on('lost', (e: Error) => {
      if (this.closed || this.etcdLease !== lease) return;
      this.log?.warn({ err: e.message, key }, 'etcd lease lost; re-acquiring the same subnet');
      void this.reacquire(key, value, publicIP);
    });
  }

  private async reacquire(key: string, value: string, publicIP: string): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const lease = this.etcd.lease(this.ttlSeconds, { autoKeepAlive: true });
      try {
        const cur = await this.etcd.get(key).string();
        const holder = cur === null ? undefined : parseAttrs(cur)?.PublicIP;
        if (cur !== null && holder !== publicIP) {
          await lease.revoke().catch(() => undefined);
          this.log?.error({ key, holder }, 'subnet lease taken by another node while etcd was unreachable');
          return;
        }
        await lease.put(key).value(value);
        this.etcdLease = lease;
        this.keepOnLoss(lease, key, value, publicIP);
        this.log?.info({ key, attempts: attempt + 1 }, 'subnet lease re-acquired');
        return;
      } catch (e) {
        lease.release();
        if (attempt % 10 === 0) this.log?.warn({ err: (e as Error).message, key }, 'etcd not reachable; retrying the subnet lease');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async *watchLeases(signal: AbortSignal): AsyncIterable<LeaseEvent[]> {
    const q = new BatchQueue<LeaseEvent>();
    const known = new Map<string, Lease>();
    const watcher = await this.etcd.watch().prefix(this.subnetsPrefix).create();
    watcher.on('put', (kv) => {
      const subnet = keySubnet(kv.key.toString());
      const attrs = parseAttrs(kv.value.toString());
      if (!subnet || !attrs) return;
      const l: Lease = { subnet, attrs };
      known.set(subnet, l);
      q.push({ type: 'added', lease: l });
    });
    watcher.on('delete', (kv) => {
      const subnet = keySubnet(kv.key.toString());
      if (!subnet) return;
      const l = known.get(subnet) ?? { subnet, attrs: { PublicIP: '', BackendType: '', BackendData: null } };
      known.delete(subnet);
      q.push({ type: 'removed', lease: l });
    });
    const onAbort = (): void => { void watcher.cancel().catch(() => undefined); };
    signal.addEventListener('abort', onAbort, { once: true });
    const all = await this.etcd.getAll().prefix(this.subnetsPrefix).strings();
    const initial: LeaseEvent[] = [];
    for (const [k, v] of Object.entries(all)) {
      const subnet = keySubnet(k), attrs = parseAttrs(v);
      if (subnet && attrs) { const l = { subnet, attrs }; known.set(subnet, l); initial.push({ type: 'added', lease: l }); }
    }
    yield initial;
    yield* q.drain(signal);
  }

  /** Stops keeping the lease alive (it expires after its TTL, as flannel's does) and closes the client. */
  async close(): Promise<void> {
    this.closed = true;
    this.etcdLease?.release();
    this.etcd.close();
  }
}

/** flannel's key form of a subnet: 10.20.92.0/24 → 10.20.92.0-24. */
export function subnetKey(cidr: string): string { return cidr.replace('/', '-'); }
/** The subnet of a key (`…/subnets/10.20.92.0-24` → 10.20.92.0/24), undefined for other keys. */
export function keySubnet(key: string): string | undefined {
  const dash = key.lastIndexOf('-');
  const slash = key.lastIndexOf('/', dash);
  const c = dash < 0 ? undefined : tryParseCidr(`${key.slice(slash + 1, dash)}/${key.slice(dash + 1)}`);
  return c ? formatCidr(c) : undefined;
}
/** Every /len subnet from the one holding `min` to the one holding `max` (inclusive), in order. */
export function subnetsBetween(min: string, max: string, len: number): string[] {
  const out: string[] = [];
  const hi = parseIP(max);
  let c = subnetOf(parseIP(min), len);
  if (c.ip.value > hi.value) return out;
  for (;;) {
    out.push(formatCidr(c));
    if (broadcast(c).value >= hi.value) return out;
    c = nextSubnet(c);
  }
}
