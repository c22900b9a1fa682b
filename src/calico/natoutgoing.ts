/**
 * Felix's natOutgoing: pod traffic from a pool with natOutgoing to a destination outside every
 * pool is masqueraded (chain cali-nat-outgoing, jumped to from POSTROUTING), and forwarding of pool
 * traffic is accepted (cali-FORWARD). One iptables-restore of our own chains: a restart converges.
 */
import { ensureRule, iptablesRestore } from '../net/iptables.js';
import type { NetnsPath } from '../net/exec.js';

export const NAT_CHAIN = 'cali-nat-outgoing';
export const FWD_CHAIN = 'cali-FORWARD';
const JUMP_NAT = ['-m', 'comment', '--comment', 'cali:natOutgoing', '-j', NAT_CHAIN];
const JUMP_FWD = ['-m', 'comment', '--comment', 'cali:forward', '-j', FWD_CHAIN];

/** The restore payload (pure): masquerade natOutgoing pools' traffic leaving all pools. */
export function natOutgoingRules(pools: readonly { cidr: string; natOutgoing: boolean }[]): string {
  const all = pools.map((p) => p.cidr);
  const L = ['*nat', `:${NAT_CHAIN} - [0:0]`];
  for (const p of pools.filter((x) => x.natOutgoing)) {
    // RETURN for every pool destination, then masquerade what is left
    L.push(...all.map((d) => `-A ${NAT_CHAIN} -s ${p.cidr} -d ${d} -m comment --comment "cali:pool-to-pool" -j RETURN`));
    L.push(`-A ${NAT_CHAIN} -s ${p.cidr} -m comment --comment "cali:nat-outgoing ${p.cidr}" -j MASQUERADE --random-fully`);
  }
  L.push('COMMIT', '*filter', `:${FWD_CHAIN} - [0:0]`);
  for (const c of all) {
    L.push(`-A ${FWD_CHAIN} -s ${c} -m comment --comment "cali:from-pool" -j ACCEPT`);
    L.push(`-A ${FWD_CHAIN} -d ${c} -m comment --comment "cali:to-pool" -j ACCEPT`);
  }
  L.push('COMMIT', '');
  return L.join('\n');
}

export async function syncNatOutgoing(ns: NetnsPath, pools: readonly { cidr: string; natOutgoing: boolean }[]): Promise<void> {
  await iptablesRestore(ns, natOutgoingRules(pools), { noflush: true });
  await ensureRule(ns, 'nat', 'POSTROUTING', JUMP_NAT, 'append');
  await ensureRule(ns, 'filter', 'FORWARD', JUMP_FWD, 'append');
}
