/**
 * --nodeport-addresses and localhost node ports, as upstream kube-proxy reads them: which local
 * addresses accept NodePort traffic. Shared by the iptables and nftables rule generators.
 */
import { bitsOf, contains, familyOfText, tryParseCidr, tryParseIP } from '../util/addr.js';
import type { RuleOptions } from './types.js';

/** Whether `ip` lies inside `cidr` (a bare address is a host prefix); false for anything unparsable or of another family. */
function cidrContains(cidr: string, ip: string): boolean {
  const net = tryParseCidr(cidr.includes('/') ? cidr : `${cidr}/${bitsOf(familyOfText(cidr))}`);
  const p = tryParseIP(ip);
  return !!net && !!p && contains(net, p);
}

/** --nodeport-addresses as IPv4 CIDRs: `primary` is the node's own IPs (upstream's special value); IPv6 ones are not ours. */
function nodePortCidrs(opts: RuleOptions): string[] {
  return (opts.nodePortAddresses ?? []).flatMap((c) => (c === 'primary' ? (opts.nodeIPs ?? []).map((ip) => `${ip}/32`) : [c])).filter((c) => !c.includes(':'));
}

/** Upstream NodePortAddresses.MatchAll: no --nodeport-addresses of our family (or 0.0.0.0/0) means every local address. */
export function nodePortsMatchAll(opts: RuleOptions): boolean {
  const a = nodePortCidrs(opts);
  return a.length === 0 || a.includes('0.0.0.0/0');
}

/**
 * Whether the iptables proxier serves node ports on 127.0.0.1 (upstream: --iptables-localhost-nodeports, default
 * true, and only when --nodeport-addresses lets 127.0.0.1 in). Then it sets route_localnet=1 and the KUBE-FIREWALL guard.
 */
export function localhostNodePortsOn(opts: RuleOptions): boolean {
  if (opts.localhostNodePorts === false) return false;
  return nodePortsMatchAll(opts) || nodePortCidrs(opts).some((c) => cidrContains(c, '127.0.0.1'));
}

const isLoopback = (d: string): boolean => d.startsWith('127.');

/**
 * --nodeport-addresses: the local addresses inside the given CIDRs (the CIDR itself when none is known). Known
 * local addresses are the node IPs and 127.0.0.1; loopback ones are kept only when `loopback` (localhost node ports).
 */
export function nodePortDestinations(opts: RuleOptions, loopback = false): string[] {
  const local = [...(opts.nodeIPs ?? []), '127.0.0.1'];
  const out: string[] = [];
  for (const c of nodePortCidrs(opts)) {
    const ips = local.filter((ip) => cidrContains(c, ip));
    if (ips.length) out.push(...ips); else out.push(c);
  }
  return [...new Set(out)].filter((d) => loopback || !isLoopback(d));
}
