import { SELF, type NetnsPath } from '../../net/exec.js';
import { nftApply, nftDeleteTable, nftTableObjects } from '../../net/nft.js';
import { NftSession } from '../../net/nftlib.js';
import { ServiceMemo } from '../memo.js';
import type { EndpointsMap, Proxier, RuleOptions, ServiceMap, SyncReport } from '../types.js';
import { buildNft, FAMILY, isAffinitySetName, isServiceChainName, TABLE, type LbStyle, type NftServiceObjects, type NftState } from './rules.js';
import { nodePortDestinations, nodePortsMatchAll } from '../nodeport-addresses.js';

export interface NftablesProxierOptions extends RuleOptions {
  netns?: NetnsPath; lbStyle?: LbStyle; fullSyncEveryMs?: number;
  /** 'lib' (default when it can be had): one long-lived libnftables context with nft's cache kept warm
   *  between syncs (src/net/nftlib.ts); 'exec': one `nft -f -` process per sync. */
  apply?: 'lib' | 'exec';
}

/** kube-proxy's nftables mode: `table ip kube-proxy`, one `nft -f` transaction per sync. */
export class NftablesProxier implements Proxier {
  readonly mode = 'nftables' as const;
  private readonly ns: NetnsPath;
  private previous: NftState | null = null;
  private lastFull = 0;
  private readonly opts: NftablesProxierOptions;
  private readonly memo = new ServiceMemo<NftServiceObjects>();
  private readonly session: NftSession | null;
  constructor(opts: NftablesProxierOptions = {}) {
    this.ns = opts.netns ?? SELF;
    this.session = opts.apply === 'exec' ? null : NftSession.open(this.ns);
    // Upstream defaults nftables mode to `--nodeport-addresses primary`: node ports on the node IPs only.
    this.opts = opts.nodePortAddresses?.length ? opts : { ...opts, nodePortAddresses: ['primary'] };
  }

  forceFullSync(): void { this.previous = null; }

  async sync(services: ServiceMap, endpoints: EndpointsMap): Promise<SyncReport> {
    const t0 = performance.now();
    const full = !this.previous || Date.now() - this.lastFull > (this.opts.fullSyncEveryMs ?? 3_600_000);
    let kc: string[] = [], ks: string[] = [];
    if (full) {
      // One terse listing of the table (no rules, no elements) names what a full sync may have to delete.
      const objs = await nftTableObjects(this.ns, FAMILY, TABLE);
      kc = objs.chains.filter(isServiceChainName);
      ks = objs.sets.filter(isAffinitySetName);
    }
    // nodeport-ips holds addresses (upstream: the node IPs inside --nodeport-addresses, never loopback ones).
    const nodePortIPs = nodePortsMatchAll(this.opts) ? [] : nodePortDestinations(this.opts, false).filter((d) => !d.includes('/'));
    const plan = buildNft(services, endpoints, { ...this.opts, nodePortIPs }, this.opts.lbStyle ?? 'cascade', full ? null : this.previous, kc, ks, this.memo);
    try {
      // A full sync (megabytes at 10k services) goes through `nft -f -`: measured, libnftables in this process
      // was slower for it (bench/results/proxy.json, 10k: 4.25 s vs 3.12 s); the small incremental
      // transactions go through the warm libnftables context (10k: 121 ms vs 225 ms).
      if (!plan.script) { /* nothing changed */ } else if (this.session && !full) await this.session.run(plan.script); else await nftApply(this.ns, plan.script);
    } catch (e) { this.previous = null; throw e; }
    // Our commit moved the ruleset generation: reload nft's cache now, between syncs, not in the next one.
    if (plan.script) void this.session?.warm(FAMILY, TABLE);
    this.previous = plan.state;
    if (full) this.lastFull = Date.now();
    let eps = 0; for (const l of endpoints.values()) eps += l.length;
    return { mode: 'nftables', services: services.size, endpoints: eps, rules: plan.rules, changed: plan.written, full, durationMs: performance.now() - t0 };
  }

  // A warm-up still queued would re-add the (empty) table after the delete: let it finish first.
  async cleanup(): Promise<void> { await this.session?.idle(); await cleanupNftables(this.ns); this.previous = null; }
  /** How transactions reach the kernel: 'lib' (libnftables, warm cache) or 'exec' (`nft -f -`). */
  get applyPath(): 'lib' | 'exec' { return this.session ? 'lib' : 'exec'; }
  async close(): Promise<void> { await this.session?.close(); }
}

export async function cleanupNftables(ns: NetnsPath): Promise<void> { await nftDeleteTable(ns, FAMILY, TABLE); }
