import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createLogger } from '../util/log.js';
import { ProxyMetrics } from './metrics.js';
import { cleanupLeftovers, createProxier, type ModeOptions } from './modes.js';
import { TrackerCache } from './tracker.js';
import type { EndpointsMap, Proxier, ProxyMode, ServiceMap, SyncReport } from './types.js';
import { SELF, type NetnsPath } from '../net/exec.js';
import { conntrackDeleteUdp, conntrackDeleteUdpEndpoint } from '../net/conntrack.js';

/** The runner's map key of a Service or EndpointSlice: namespace/name. */
export const runnerKey = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * Change tracking + sync loop: keeps the current Service and EndpointSlice objects, and runs the
 * proxier at most once per minSyncPeriod after changes and at least once per syncPeriod.
 */
export class ProxyRunner {
  readonly services = new Map<string, Service>();
  readonly slices = new Map<string, EndpointSlice>();
  readonly metrics = new ProxyMetrics();
  private readonly log = createLogger('proxy');
  private timer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastSyncAt = 0;
  lastReport: SyncReport | undefined;
  lastError: Error | undefined;
  private udpPrev: Map<string, Set<string>> | undefined;
  private readonly cache: TrackerCache;
  /** The highest EndpointSlice resourceVersion handed to this runner (one watch stream: every earlier change came before it). */
  private sliceRV = 0;

  private constructor(readonly proxier: Proxier, private readonly o: { nodeName?: string; minSyncPeriodMs: number; syncPeriodMs: number; netns: NetnsPath }) {
    this.cache = new TrackerCache(o.nodeName);
  }

  /** Cleans the other modes' leftovers, then creates the proxier for `mode`. */
  static async create(mode: ProxyMode, opts: ModeOptions & { nodeName?: string; minSyncPeriodMs?: number; syncPeriodMs?: number }): Promise<ProxyRunner> {
    const proxier = await createProxier(mode, opts);
    await cleanupLeftovers(opts.netns ?? SELF, mode);
    return new ProxyRunner(proxier, { netns: opts.netns ?? SELF, nodeName: opts.nodeName, minSyncPeriodMs: opts.minSyncPeriodMs ?? 100, syncPeriodMs: opts.syncPeriodMs ?? 30_000 });
  }

  upsertService(s: Service): void { this.services.set(runnerKey(s), s); this.schedule(); }
  deleteService(s: Service): void { this.services.delete(runnerKey(s)); this.schedule(); }
  upsertSlice(s: EndpointSlice): void { this.slices.set(runnerKey(s), s); this.seenSlice(s); this.schedule(); }
  deleteSlice(s: EndpointSlice): void { this.slices.delete(runnerKey(s)); this.seenSlice(s); this.schedule(); }
  private seenSlice(s: EndpointSlice): void { const rv = Number(s.metadata?.resourceVersion); if (rv > this.sliceRV) this.sliceRV = rv; }

  /** Runs a sync now (serialised with any running one). */
  syncNow(): Promise<SyncReport | undefined> {
    const p = this.running.then(async () => {
      const t0 = performance.now();
      const sliceRV = this.sliceRV;
      try {
        const svcs = this.cache.serviceMap(this.services.values());
        const eps = this.cache.endpointsMap(this.slices.values());
        const r = await this.proxier.sync(svcs, eps);
        await this.clearStaleUdp(svcs, eps);
        this.lastReport = r; this.lastError = undefined;
        this.metrics.observe(r);
        // info, with the slice resourceVersion it covers: when each node's rules held a change (bench/scale.bench.ts)
        this.log.info({ node: this.o.nodeName, sliceRV, changed: r.changed, full: r.full, durationMs: Math.round(r.durationMs) }, 'synced');
      } catch (e) {
        this.lastError = e as Error;
        this.metrics.failures.inc();
        this.metrics.syncDuration.observe((performance.now() - t0) / 1000);
        this.log.error({ err: (e as Error).message }, 'sync failed');
      }
      this.lastSyncAt = Date.now();
    });
    this.running = p;
    return p.then(() => this.lastReport);
  }

  /**
   * As kube-proxy: UDP conntrack entries outlive rule changes, so after a sync delete entries DNATed to
   * endpoints that went away, and entries of UDP services that just got their first endpoint (they may
   * have cached the reject).
   */
  private async clearStaleUdp(svcs: ServiceMap, eps: EndpointsMap): Promise<void> {
    const now = new Map<string, Set<string>>();
    for (const [name, sp] of svcs) if (sp.protocol === 'UDP') now.set(name, new Set((eps.get(name) ?? []).filter((e) => e.ready).map((e) => e.ip)));
    const ns = this.o.netns;
    if (this.udpPrev && this.proxier.mode !== 'userspace') {
      for (const [name, ips] of this.udpPrev) {
        const cur = now.get(name) ?? new Set<string>();
        for (const ip of ips) if (!cur.has(ip)) await conntrackDeleteUdpEndpoint(ns, ip);
        const sp = svcs.get(name);
        if (sp && ips.size === 0 && cur.size > 0) await conntrackDeleteUdp(ns, sp.clusterIP, sp.port);
      }
    }
    this.udpPrev = now;
  }

  /** Debounced: at most one sync per minSyncPeriod. */
  schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.o.minSyncPeriodMs - (Date.now() - this.lastSyncAt));
    this.timer = setTimeout(() => { this.timer = undefined; void this.syncNow(); }, wait);
  }

  startPeriodic(): void {
    this.periodic = setInterval(() => void this.syncNow(), this.o.syncPeriodMs);
    this.periodic.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.periodic) clearInterval(this.periodic);
    await this.running;
    await this.proxier.close();
  }
}
