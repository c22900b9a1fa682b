/**
 * Which proxy mode a node's kernel shows, and its rules: the nft table `ip kube-proxy` (nftables), the
 * `kube-ipvs0` dummy (ipvs), the userspace portal chains, or KUBE-SERVICES (iptables). Read-only.
 */
import { iptablesSaveCounters } from '../net/iptables.js';
import { listLinks } from '../net/link.js';
import { nftListTable } from '../net/nft.js';
import type { NetnsPath } from '../net/exec.js';
import { FAMILY as NFT_FAMILY, TABLE as NFT_TABLE } from '../proxy/nftables/rules.js';
import { parseNftTable, parseSaveCounters, type NftListing, type SavedChain } from './proxyrules.js';

export type KernelProxyMode = 'iptables' | 'nftables' | 'ipvs' | 'userspace' | 'none';

export interface ProxyKernelState { mode: KernelProxyMode; nat: Map<string, SavedChain>; filter: Map<string, SavedChain>; nft?: NftListing }

export async function readProxyState(ns: NetnsPath): Promise<ProxyKernelState> {
  const [natDump, filterDump, nftText, links] = await Promise.all([
    iptablesSaveCounters(ns, 'nat'), iptablesSaveCounters(ns, 'filter'), nftListTable(ns, NFT_FAMILY, NFT_TABLE), listLinks(ns)]);
  const nat = parseSaveCounters(natDump, 'nat');
  const filter = parseSaveCounters(filterDump, 'filter');
  let mode: KernelProxyMode = 'none';
  if (nftText.trim()) mode = 'nftables';
  else if (links.some((l) => l.ifname === 'kube-ipvs0')) mode = 'ipvs';
  else if (nat.has('KUBE-PORTALS-CONTAINER')) mode = 'userspace';
  else if (nat.has('KUBE-SERVICES')) mode = 'iptables';
  return { mode, nat, filter, ...(nftText.trim() ? { nft: parseNftTable(nftText) } : {}) };
}
