import { createHash } from 'node:crypto';
import { familyOfText } from '../util/addr.js';
import type { NetnsPath } from '../net/exec.js';
import {
  appendRule, chainExists, deleteRuleOnce, ensureChain, ensureRule, freshChain, iptablesRestore, iptablesSave, removeChain, tryIptablesRestore, type IptTable,
} from '../net/iptables.js';

/**
 * iptables rules of the CNI plugins (bridge ipMasq, portmap), named as upstream names them so the
 * reference plugins and podnet's can clean up each other's leftovers. Built on src/net/iptables.
 */

const MAX_CHAIN = 28;

/** `CNI-[prefix]` + the first hex chars of sha512(name+id), 28 characters in all (upstream's FormatChainName). */
export function cniChainName(network: string, containerId: string, prefix = ''): string {
  const head = `CNI-${prefix}`;
  return head + createHash('sha512').update(network + containerId).digest('hex').slice(0, MAX_CHAIN - head.length);
}

/** upstream's rule comment: `name: "<network>" id: "<containerID>"`. */
export function cniComment(network: string, containerId: string): string {
  return `name: ${JSON.stringify(network)} id: ${JSON.stringify(containerId)}`;
}

/** Splits an iptables-save rule into argv: double quotes group, backslash escapes inside them. */
export function splitSavedRule(line: string): string[] {
  const out: string[] = [];
  let cur = '', inQ = false, has = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQ) {
      if (ch === '\\' && i + 1 < line.length) { cur += line[++i]; continue; }
      if (ch === '"') { inQ = false; continue; }
      cur += ch;
    } else if (ch === '"') { inQ = true; has = true; }
    else if (ch === ' ' || ch === '\t') { if (cur || has) out.push(cur); cur = ''; has = false; }
    else { cur += ch; has = true; }
  }
  if (cur || has) out.push(cur);
  return out;
}

/** Removes every rule of `fromChains` that jumps to `chain`, then the chain itself, in one restore. Missing is fine. */
async function deleteChainAndJumps(ns: NetnsPath, table: IptTable, chain: string, fromChains: readonly string[]): Promise<void> {
  const dump = await iptablesSave(ns, table);
  const hasChain = dump.includes(`:${chain} `);
  const dels: { line: string; chain: string; args: string[] }[] = [];
  for (const line of dump.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const argv = splitSavedRule(line);
    if (!fromChains.includes(argv[1]!)) continue;
    const j = argv.indexOf('-j');
    if (j < 0 || argv[j + 1] !== chain) continue;
    dels.push({ line: `-D ${line.slice(3)}`, chain: argv[1]!, args: argv.slice(2) });
  }
  if (!hasChain && dels.length === 0) return;
  const lines = [`*${table}`, ...dels.map((d) => d.line), ...(hasChain ? [`:${chain} - [0:0]`, `-X ${chain}`] : []), 'COMMIT', ''];
  if (!(await tryIptablesRestore(ns, lines.join('\n')))) { // a concurrent change: fall back to one command per rule
    for (const d of dels) await deleteRuleOnce(ns, table, d.chain, d.args);
    if (hasChain) await removeChain(ns, table, chain);
  }
}

/** Quotes one iptables-restore token (double quotes, backslash-escaped inner quotes). */
function q(s: string): string { return /[\s"]/.test(s) ? `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : s; }

/**
 * Bridge `ipMasq`: a per-container nat chain `CNI-<hash>` jumped to from POSTROUTING for the pod's
 * source IP; it accepts traffic to the pod subnet and masquerades everything else but multicast.
 * One `iptables-restore --noflush` (declaring the chain flushes it, so a retry starts clean).
 */
export async function setupIpMasq(ns: NetnsPath, network: string, containerId: string, ips: readonly { ip: string; subnet: string }[]): Promise<void> {
  await iptablesRestore(ns, ipMasqRestore(network, containerId, ips));
}

/** The iptables-restore payload of setupIpMasq (pure). */
export function ipMasqRestore(network: string, containerId: string, ips: readonly { ip: string; subnet: string }[]): string {
  const chain = cniChainName(network, containerId);
  const c = q(cniComment(network, containerId));
  const lines = ['*nat', `:${chain} - [0:0]`];
  for (const { ip, subnet } of ips) {
    if (familyOfText(ip) === 6) continue; // podnet's IPv4 data plane; ip6tables is left alone
    lines.push(`-A ${chain} -d ${subnet} -m comment --comment ${c} -j ACCEPT`);
    lines.push(`-A ${chain} ! -d 224.0.0.0/4 -m comment --comment ${c} -j MASQUERADE`);
    lines.push(`-A POSTROUTING -s ${ip}/32 -m comment --comment ${c} -j ${chain}`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

export async function teardownIpMasq(ns: NetnsPath, network: string, containerId: string): Promise<void> {
  await deleteChainAndJumps(ns, 'nat', cniChainName(network, containerId), ['POSTROUTING']);
}

export async function ipMasqPresent(ns: NetnsPath, network: string, containerId: string): Promise<boolean> {
  return chainExists(ns, 'nat', cniChainName(network, containerId));
}

// ---- portmap ---------------------------------------------------------------------------------

const HOSTPORT_DNAT = 'CNI-HOSTPORT-DNAT';
const HOSTPORT_SETMARK = 'CNI-HOSTPORT-SETMARK';
const HOSTPORT_MASQ = 'CNI-HOSTPORT-MASQ';
const DEFAULT_MARK_BIT = 13;

export interface PortMapping { hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' | 'sctp'; hostIP?: string }

/** The shared top-level chains (created once per node, never removed by a container's DEL). */
async function ensurePortmapBase(ns: NetnsPath, markBit = DEFAULT_MARK_BIT): Promise<void> {
  const mark = `0x${(1 << markBit).toString(16)}`;
  for (const c of [HOSTPORT_DNAT, HOSTPORT_SETMARK, HOSTPORT_MASQ]) await ensureChain(ns, 'nat', c);
  await ensureRule(ns, 'nat', HOSTPORT_SETMARK, ['-m', 'comment', '--comment', 'CNI portfwd masquerade mark', '-j', 'MARK', '--set-xmark', `${mark}/${mark}`], 'append');
  await ensureRule(ns, 'nat', HOSTPORT_MASQ, ['-m', 'mark', '--mark', `${mark}/${mark}`, '-j', 'MASQUERADE'], 'append');
  await ensureRule(ns, 'nat', 'POSTROUTING', ['-m', 'comment', '--comment', 'CNI portfwd requiring masquerade', '-j', HOSTPORT_MASQ], 'prepend');
  for (const top of ['PREROUTING', 'OUTPUT']) {
    await ensureRule(ns, 'nat', top, ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', HOSTPORT_DNAT], 'prepend');
  }
}

/**
 * One container's DNAT chain `CNI-DN-<hash>`: hairpin and localhost traffic get the masquerade
 * mark, then DNAT to the pod's IP; CNI-HOSTPORT-DNAT jumps to it for the container's host ports.
 */
export async function setupPortmap(ns: NetnsPath, network: string, containerId: string, containerIp: string, maps: readonly PortMapping[], o: { snat: boolean }): Promise<void> {
  const plan = portmapRules(network, containerId, containerIp, maps, o);
  await ensurePortmapBase(ns);
  await freshChain(ns, 'nat', plan.chain);
  for (const r of plan.chainRules) await appendRule(ns, 'nat', plan.chain, r);
  for (const r of plan.dnatJumps) await appendRule(ns, 'nat', HOSTPORT_DNAT, r);
}

/**
 * The rules of setupPortmap (pure): the container chain's rules (mark hairpin and localhost
 * traffic for masquerade when snat, then DNAT) and CNI-HOSTPORT-DNAT's jumps, one per protocol.
 */
export function portmapRules(network: string, containerId: string, containerIp: string, maps: readonly PortMapping[], o: { snat: boolean }): { chain: string; chainRules: string[][]; dnatJumps: string[][] } {
  const chain = cniChainName(network, containerId, 'DN-');
  const comment = cniComment(network, containerId);
  const chainRules: string[][] = [];
  for (const m of maps) {
    const match = ['-p', m.protocol, ...(m.hostIP && m.hostIP !== '0.0.0.0' ? ['-d', `${m.hostIP}/32`] : []), '--dport', String(m.hostPort)];
    if (o.snat) {
      chainRules.push([...match, '-s', `${containerIp}/32`, '-j', HOSTPORT_SETMARK]);
      chainRules.push([...match, '-s', '127.0.0.1/32', '-j', HOSTPORT_SETMARK]);
    }
    chainRules.push([...match, '-j', 'DNAT', '--to-destination', `${containerIp}:${m.containerPort}`]);
  }
  const byProto = new Map<string, number[]>();
  for (const m of maps) byProto.set(m.protocol, [...(byProto.get(m.protocol) ?? []), m.hostPort]);
  const dnatJumps = [...byProto].map(([proto, ports]) => ['-p', proto, '-m', 'comment', '--comment', comment, '-m', 'multiport', '--destination-ports', [...new Set(ports)].join(','), '-j', chain]);
  return { chain, chainRules, dnatJumps };
}

export async function teardownPortmap(ns: NetnsPath, network: string, containerId: string): Promise<void> {
  await deleteChainAndJumps(ns, 'nat', cniChainName(network, containerId, 'DN-'), [HOSTPORT_DNAT]);
}

export async function portmapPresent(ns: NetnsPath, network: string, containerId: string): Promise<boolean> {
  return chainExists(ns, 'nat', cniChainName(network, containerId, 'DN-'));
}
