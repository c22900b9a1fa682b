import { statSync } from 'node:fs';
import { SELF, type NetnsPath } from '../../net/exec.js';
import { deleteRule, ensureRule, iptablesRestore, iptablesSave, savedChains } from '../../net/iptables.js';
import { createLogger } from '../../util/log.js';
import { PodnetError } from '../../util/errors.js';
import { categorizeEndpoints } from '../tracker.js';
import type { EndpointsMap, Proxier, RuleOptions, ServiceMap, ServicePort, SyncReport } from '../types.js';
import { RoundRobin } from './balancer.js';
import { tcpProxy, udpProxy, type ProxySocket } from './socket.js';
import { portalRules, US_FILTER_CHAINS, US_JUMPS, US_NAT_CHAINS, userspacePayload } from './rules.js';

export interface UserspaceProxierOptions extends RuleOptions { netns?: NetnsPath }

interface Portal { key: string; sock: ProxySocket; lb: RoundRobin }

/**
 * Seed 002's userspace mode: every service port gets a local proxy port (TCP or UDP socket in this
 * process); KUBE-PORTALS-* / KUBE-NODEPORT-* REDIRECT (or DNAT for host traffic) to it. The sockets
 * live in the namespace this process runs in, so the rules must go to the same one (SELF).
 */
export class UserspaceProxier implements Proxier {
  readonly mode = 'userspace' as const;
  private readonly ns: NetnsPath;
  private readonly portals = new Map<string, Portal>();
  private readonly log = createLogger('proxy-userspace');
  private jumpsEnsured = false;

  constructor(private readonly opts: UserspaceProxierOptions = {}) {
    this.ns = opts.netns ?? SELF;
    if (this.ns !== SELF && !sameNetns(this.ns)) throw new PodnetError('EUSERSPACENS', `userspace mode proxies in this process, so it must run inside the namespace it programs (${this.ns} is not this process's)`);
  }

  async sync(services: ServiceMap, endpoints: EndpointsMap): Promise<SyncReport> {
    const t0 = performance.now();
    const nodeIP = this.opts.nodeIPs?.[0];
    if (!nodeIP) throw new PodnetError('ENODEIP', 'userspace mode needs the node IP (nodeIPs) for host-originated DNAT');
    const nat: string[] = [], filter: string[] = [];
    let changed = 0, eps = 0;
    const keep = new Set<string>();
    for (const name of [...services.keys()].sort()) {
      const sp = services.get(name)!;
      const cat = categorizeEndpoints(sp, endpoints.get(name) ?? []);
      const list = sp.internalPolicyLocal ? cat.local : cat.cluster;
      eps += list.length;
      const key = portalKey(sp);
      let portal = this.portals.get(key);
      if (list.length) {
        if (!portal) {
          const lb = new RoundRobin();
          const sock = sp.protocol === 'UDP' ? await udpProxy(lb, this.log) : sp.protocol === 'TCP' ? await tcpProxy(lb, this.log) : null;
          if (!sock) { this.log.warn({ service: name }, 'userspace mode proxies TCP and UDP only'); continue; }
          portal = { key, sock, lb };
          this.portals.set(key, portal);
          changed++;
        }
        portal.lb.update(list, sp.sessionAffinity.clientIP ? sp.sessionAffinity.timeoutSeconds * 1000 : 0);
        keep.add(key);
      }
      const r = portalRules(sp, list.length ? portal!.sock.port : 0, nodeIP);
      nat.push(...r.nat); filter.push(...r.filter);
    }
    await iptablesRestore(this.ns, userspacePayload(nat, filter));
    if (!this.jumpsEnsured) {
      for (const j of US_JUMPS) await ensureRule(this.ns, j.table, j.chain, j.args, j.position);
      this.jumpsEnsured = true;
    }
    for (const [k, p] of this.portals) if (!keep.has(k)) { await p.sock.close(); this.portals.delete(k); changed++; }
    return { mode: 'userspace', services: services.size, endpoints: eps, rules: nat.length + filter.length, changed, full: true, durationMs: performance.now() - t0 };
  }

  async cleanup(): Promise<void> { await this.close(); await cleanupUserspace(this.ns); this.jumpsEnsured = false; }
  async close(): Promise<void> { for (const p of this.portals.values()) await p.sock.close(); this.portals.clear(); }
}

/** The socket of a service port is kept while its VIP/ports/protocol stay the same. */
function portalKey(sp: ServicePort): string { return `${sp.name}|${sp.protocol}|${sp.clusterIP}:${sp.port}|${sp.nodePort}|${sp.externalIPs.join(',')}|${sp.loadBalancerIPs.join(',')}`; }

export async function cleanupUserspace(ns: NetnsPath): Promise<void> {
  for (const j of US_JUMPS) await deleteRule(ns, j.table, j.chain, j.args);
  const dump = await iptablesSave(ns);
  const nat = [...savedChains(dump, 'nat')].filter((c) => US_NAT_CHAINS.includes(c));
  const fil = [...savedChains(dump, 'filter')].filter((c) => US_FILTER_CHAINS.includes(c));
  const lines: string[] = [];
  if (fil.length) lines.push('*filter', ...fil.map((c) => `:${c} - [0:0]`), ...fil.map((c) => `-X ${c}`), 'COMMIT');
  if (nat.length) lines.push('*nat', ...nat.map((c) => `:${c} - [0:0]`), ...nat.map((c) => `-X ${c}`), 'COMMIT');
  if (lines.length) await iptablesRestore(ns, lines.join('\n') + '\n');
}

/** Is `path` (a netns file) the namespace this process runs in? */
function sameNetns(path: string): boolean {
  try { const a = statSync(path), b = statSync('/proc/self/ns/net'); return a.ino === b.ino && a.dev === b.dev; } catch { return false; }
}
