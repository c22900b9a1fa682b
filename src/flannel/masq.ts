/**
 * flannel's masquerade rules (--ip-masq), in the node's netns: pod ↔ pod traffic inside the
 * cluster network keeps its addresses; pod → outside is masqueraded. Written as one
 * iptables-restore of our own chain, so a restart converges without a gap.
 */
import { deleteRule, ensureRule, iptablesRestore, iptablesSave, savedChains } from '../net/iptables.js';
import type { NetnsPath } from '../net/exec.js';

export const MASQ_CHAIN = 'FLANNEL-POSTRTG';
export const FWD_CHAIN = 'FLANNEL-FWD';
const C = '-m comment --comment "flanneld masq"';
const JUMP_POST = ['-m', 'comment', '--comment', 'flanneld masq', '-j', MASQ_CHAIN];
const JUMP_FWD = ['-m', 'comment', '--comment', 'flanneld forward', '-j', FWD_CHAIN];

/** The restore payload for the masquerade + forward chains (pure; unit-tested). */
export function masqRules(network: string, subnet: string): string {
  return [
    '*nat',
    `:${MASQ_CHAIN} - [0:0]`,
    `-A ${MASQ_CHAIN} -m mark --mark 0x4000/0x4000 ${C} -j RETURN`,
    `-A ${MASQ_CHAIN} -s ${subnet} -d ${network} ${C} -j RETURN`,
    `-A ${MASQ_CHAIN} -s ${network} -d ${subnet} ${C} -j RETURN`,
    `-A ${MASQ_CHAIN} ! -s ${network} -d ${subnet} ${C} -j RETURN`,
    `-A ${MASQ_CHAIN} -s ${network} ! -d 224.0.0.0/4 ${C} -j MASQUERADE --random-fully`,
    `-A ${MASQ_CHAIN} ! -s ${network} -d ${network} ${C} -j MASQUERADE --random-fully`,
    'COMMIT',
    '*filter',
    `:${FWD_CHAIN} - [0:0]`,
    `-A ${FWD_CHAIN} -s ${network} -m comment --comment "flanneld forward" -j ACCEPT`,
    `-A ${FWD_CHAIN} -d ${network} -m comment --comment "flanneld forward" -j ACCEPT`,
    'COMMIT',
    '',
  ].join('\n');
}

export async function ensureMasq(ns: NetnsPath, network: string, subnet: string): Promise<void> {
  await iptablesRestore(ns, masqRules(network, subnet), { noflush: true });
  await ensureRule(ns, 'nat', 'POSTROUTING', JUMP_POST, 'append');
  await ensureRule(ns, 'filter', 'FORWARD', JUMP_FWD, 'append');
}

export async function removeMasq(ns: NetnsPath): Promise<void> {
  await deleteRule(ns, 'nat', 'POSTROUTING', JUMP_POST);
  await deleteRule(ns, 'filter', 'FORWARD', JUMP_FWD);
  const nat = savedChains(await iptablesSave(ns, 'nat'), 'nat');
  const filter = savedChains(await iptablesSave(ns, 'filter'), 'filter');
  const lines: string[] = [];
  if (nat.has(MASQ_CHAIN)) lines.push('*nat', `:${MASQ_CHAIN} - [0:0]`, `-X ${MASQ_CHAIN}`, 'COMMIT');
  if (filter.has(FWD_CHAIN)) lines.push('*filter', `:${FWD_CHAIN} - [0:0]`, `-X ${FWD_CHAIN}`, 'COMMIT');
  if (lines.length) await iptablesRestore(ns, lines.join('\n') + '\n', { noflush: true });
}
