import { SELF, type NetnsPath } from '../../net/exec.js';
import { deleteRule, iptablesRestore, iptablesSave, savedChains } from '../../net/iptables.js';
import { setSysctl } from '../../net/sysctl.js';
import { createLogger } from '../../util/log.js';
import type { EndpointsMap, Proxier, RuleOptions, ServiceMap, SyncReport } from '../types.js';
import { isServiceChain } from './names.js';
import { FILTER_FIXED_CHAINS, FIREWALL_CHAIN, FIREWALL_JUMP_RULES, JUMP_RULES, NAT_FIXED_CHAINS } from './rules.js';
import { buildDesired, haveFromDesired, haveFromSave, planSync, RuleMemo, type Have } from './sync-plan.js';
import { localhostNodePortsOn } from '../nodeport-addresses.js';

/** The sysctl that lets 127.0.0.1-sourced packets be routed off the host once DNATed (upstream sysctlRouteLocalnet). */
const ROUTE_LOCALNET = 'net.ipv4.conf.all.route_localnet';

export interface IptablesProxierOptions extends RuleOptions {
  netns?: NetnsPath;
  /** force a full resync after this many ms since the last one (upstream: --sync-period) */
  fullSyncEveryMs?: number;
}

/**
 * kube-proxy's iptables mode. Each sync diffs the desired rules against what the kernel has — read with
 * `iptables-save` on a full sync (start, error, --sync-period), kept in memory in between — and writes only the
 * difference with `iptables-restore --noflush` (chunked on big changes; see sync-plan.ts). Never flushes a table.
 */
export class IptablesProxier implements Proxier {
  readonly mode = 'iptables' as const;
  private readonly ns: NetnsPath;
  private have: Have | null = null;
  private readonly memo = new RuleMemo();
  private lastFull = 0;
  private routeLocalnetSet = false;
  private readonly log = createLogger('proxy-iptables');
  /** restores run by the last sync (for reports and benchmarks) */
  lastRestores = 0;

  constructor(private readonly opts: IptablesProxierOptions = {}) { this.ns = opts.netns ?? SELF; }

  /** Next sync rereads the kernel and converges everything (after an error, on a timer). */
  forceFullSync(): void { this.have = null; }

  async sync(services: ServiceMap, endpoints: EndpointsMap): Promise<SyncReport> {
    const t0 = performance.now();
    const full = !this.have || Date.now() - this.lastFull > (this.opts.fullSyncEveryMs ?? 3_600_000);
    if (full) await this.localhostNodePorts();
    const have = full ? haveFromSave(await iptablesSave(this.ns)) : this.have!;
    const desired = buildDesired(services, endpoints, this.opts, this.memo);
    const plan = planSync(desired, have, { firewallJumps: localhostNodePortsOn(this.opts) });
    this.have = null; // until every payload is in: a failure leaves the kernel state unknown
    for (const p of plan.payloads) await iptablesRestore(this.ns, p);
    this.lastRestores = plan.payloads.length;
    this.have = haveFromDesired(desired);
    if (full) this.lastFull = Date.now();
    let eps = 0; for (const l of endpoints.values()) eps += l.length;
    return { mode: 'iptables', services: services.size, endpoints: eps, rules: desired.rules, changed: plan.written, full, durationMs: performance.now() - t0 };
  }

  /**
   * Upstream NewProxier: with localhost node ports on, route_localnet=1 in this (node) namespace so DNATed
   * 127.0.0.1 traffic may leave lo. Off: unlink and drop a KUBE-FIREWALL an earlier run left (podnet's kubelet
   * owns no copy). route_localnet itself is never reset, as upstream.
   */
  private async localhostNodePorts(): Promise<void> {
    if (localhostNodePortsOn(this.opts)) {
      if (this.routeLocalnetSet) return;
      this.log.info({ sysctl: ROUTE_LOCALNET }, 'setting route_localnet=1 to allow node ports on localhost; turn off with --iptables-localhost-nodeports=false or leave 127.0.0.0/8 out of --nodeport-addresses');
      await setSysctl(this.ns, ROUTE_LOCALNET, 1);
      this.routeLocalnetSet = true;
      return;
    }
    await removeFirewall(this.ns);
  }

  async cleanup(): Promise<void> { await cleanupIptables(this.ns); this.have = null; }
  async close(): Promise<void> { /* nothing held */ }
}

/** Unlinks and deletes KUBE-FIREWALL when present. */
async function removeFirewall(ns: NetnsPath): Promise<void> {
  if (!savedChains(await iptablesSave(ns, 'filter'), 'filter').has(FIREWALL_CHAIN)) return;
  for (const j of FIREWALL_JUMP_RULES) await deleteRule(ns, j.table, j.chain, j.args);
  await iptablesRestore(ns, `*filter\n:${FIREWALL_CHAIN} - [0:0]\n-X ${FIREWALL_CHAIN}\nCOMMIT\n`);
}

/**
 * Upstream CleanupLeftovers for iptables mode: jump rules, then every KUBE-* chain we own. Unlike upstream it also
 * removes KUBE-FIREWALL: upstream leaves it to the kubelet, which has its own copy; podnet's kubelet has none.
 */
export async function cleanupIptables(ns: NetnsPath): Promise<void> {
  for (const j of [...JUMP_RULES, ...FIREWALL_JUMP_RULES]) await deleteRule(ns, j.table, j.chain, j.args);
  const dump = await iptablesSave(ns);
  const nat = [...savedChains(dump, 'nat')].filter((c) => NAT_FIXED_CHAINS.includes(c) || isServiceChain(c));
  const filter = [...savedChains(dump, 'filter')].filter((c) => FILTER_FIXED_CHAINS.includes(c) || c === FIREWALL_CHAIN);
  if (!nat.length && !filter.length) return;
  const lines: string[] = [];
  if (filter.length) lines.push('*filter', ...filter.map((c) => `:${c} - [0:0]`), ...filter.map((c) => `-X ${c}`), 'COMMIT');
  if (nat.length) lines.push('*nat', ...nat.map((c) => `:${c} - [0:0]`), ...nat.map((c) => `-X ${c}`), 'COMMIT');
  await iptablesRestore(ns, lines.join('\n') + '\n');
}
