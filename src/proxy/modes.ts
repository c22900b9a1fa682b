import type { NetnsPath } from '../net/exec.js';
import { cleanupIptables, IptablesProxier } from './iptables/proxier.js';
import { assertIpvsAvailable } from './ipvs.js';
import { isProxyMode, PROXY_MODES } from './modenames.js';
import { cleanupNftables, NftablesProxier } from './nftables/proxier.js';
import type { Proxier, ProxyMode, RuleOptions } from './types.js';
import { cleanupUserspace, UserspaceProxier } from './userspace/proxier.js';
import { PodnetError } from '../util/errors.js';

export interface ModeOptions extends RuleOptions { netns?: NetnsPath; fullSyncEveryMs?: number }

interface ModeEntry { create(o: ModeOptions): Promise<Proxier>; cleanup(ns: NetnsPath): Promise<void> }

/** Registry of proxy modes by name (no switch statements); one entry per name in PROXY_MODES. */
const MODES: Readonly<Record<ProxyMode, ModeEntry>> = {
  iptables: { create: async (o) => new IptablesProxier(o), cleanup: cleanupIptables },
  nftables: { create: async (o) => new NftablesProxier(o), cleanup: cleanupNftables },
  userspace: { create: async (o) => new UserspaceProxier(o), cleanup: cleanupUserspace },
  ipvs: { create: async () => { await assertIpvsAvailable(); throw new PodnetError('EIPVS', 'ipvs mode is not implemented'); }, cleanup: async () => { /* nothing can exist */ } },
};

export async function createProxier(mode: ProxyMode, o: ModeOptions): Promise<Proxier> {
  const m = isProxyMode(mode) ? MODES[mode] : undefined;
  if (!m) throw new PodnetError('EPROXYMODE', `unknown proxy mode "${mode}" (one of ${PROXY_MODES.join(', ')})`);
  return m.create(o);
}

/** Upstream CleanupLeftovers: removes every other mode's rules from ns. */
export async function cleanupLeftovers(ns: NetnsPath, except?: ProxyMode): Promise<void> {
  for (const name of PROXY_MODES) if (name !== except) await MODES[name].cleanup(ns);
}
