/**
 * NetworkPolicy → one node's nftables table (pure). Layout of `table inet podnet-policy`:
 *
 *   chain egress   hook forward, priority filter+5:  ct established/related accept; to the host network accept;
 *                  ip saddr vmap @egress-pods   (a local pod selected for Egress → jump pod-out/<ns>/<pod>)
 *   chain ingress  hook forward, priority filter+10: ct established/related accept; from the host network accept;
 *                  ip daddr vmap @ingress-pods  (a local pod selected for Ingress → jump pod-in/<ns>/<pod>)
 *   chain pod-in/<ns>/<pod>    itself → accept; jump pol-in/<ns>/<policy> for every policy selecting it; counted drop
 *   chain pol-in/<ns>/<policy> one accept per (rule, port): ip saddr @in/<ns>/<policy>/<rule> …
 *   set  in/<ns>/<policy>/<rule>  the rule's peers as addresses (pods' IPs ∪ ipBlocks minus except)
 *   counter deny-in/<ns>/<pod>    packets dropped by the pod's implicit default deny
 *
 * The forward hook sees routed traffic and (br_netfilter) bridged traffic after the Service DNAT of
 * prerouting, so Services obey the destination pod's policies; the node's own traffic (output/input
 * hooks) is never touched. Rules key on pod IPs only, never on interface names.
 */
import type { NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { type ClusterModel, type PodInfo, type PolicyInfo, policyKey, policyPods, selectingPolicies } from './model.js';
import { peerMatches } from './evaluate.js';
import { dropLogPrefix } from './droplog.js';
import { type Range, ipBlockRanges, ipv4ToNum, rangeElement, unionRanges } from './ranges.js';

export const POLICY_TABLE = 'podnet-policy';
export const POLICY_FAMILY = 'inet';

export type Direction = 'ingress' | 'egress';
/** The nflog group denied packets are logged to (podnet agent --netpol-log-drops). */
export const DROP_LOG_GROUP = 7;
const SHORT: Record<Direction, 'in' | 'out'> = { ingress: 'in', egress: 'out' };

export interface NftSet { name: string; elements: string[]; comment: string }
export interface NftMap { name: string; elements: [string, string][] }
export interface NftChain { name: string; hook?: string; rules: string[] }

/** What one drop counter stands for (for /metrics). */
export interface DenyCounter { counter: string; direction: Direction; namespace: string; pod: string; policies: string[] }

export interface DesiredTable {
  sets: NftSet[];
  maps: NftMap[];
  chains: NftChain[];
  counters: DenyCounter[];
}

export interface RuleOptions {
  /** Log denied packets to nflog group `logGroup`, rate-limited (podnet agent --netpol-log-drops). */
  logDrops?: boolean;
  logGroup?: number;
}

function comment(s: string): string { return `comment "${s.replace(/"/g, '').slice(0, 120)}"`; }
const PROTO: Record<string, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

export function policyChainName(dir: Direction, p: { namespace: string; name: string }): string { return `pol-${SHORT[dir]}/${p.namespace}/${p.name}`; }
export function podChainName(dir: Direction, p: { namespace: string; name: string }): string { return `pod-${SHORT[dir]}/${p.namespace}/${p.name}`; }
export function denyCounterName(dir: Direction, p: { namespace: string; name: string }): string { return `deny-${SHORT[dir]}/${p.namespace}/${p.name}`; }

/** The peers of one rule as disjoint address ranges; `cache` shares the answer between rules with equal peers. */
export function peerRanges(m: ClusterModel, pol: PolicyInfo, peers: NetworkPolicyPeer[], cache = new Map<string, Range[]>()): Range[] {
  const rs: Range[] = [];
  const pods = policyPods(m);
  for (const peer of peers) {
    if (peer.ipBlock) { rs.push(...ipBlockRanges(peer.ipBlock)); continue; }
    // a peer without namespaceSelector means the policy's namespace: that is part of the key
    const key = `${peer.namespaceSelector ? '' : pol.namespace}|${JSON.stringify(peer)}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = [];
      for (const p of pods) {
        if (!peerMatches(m, pol, peer, { pod: p })) continue;
        const n = ipv4ToNum(p.ip!);
        if (n !== undefined) hit.push([n, n]);
      }
      cache.set(key, hit);
    }
    rs.push(...hit);
  }
  return unionRanges(rs);
}

/** The port matches of one ports entry: '' (any), 'meta l4proto tcp th dport 80-81', or per-address named-port matches. */
function portMatches(pp: NetworkPolicyPort, dir: Direction, m: ClusterModel, selectedLocal: PodInfo[]): string[] {
  const proto = PROTO[pp.protocol ?? 'TCP'] ?? 'tcp';
  if (pp.port === undefined || pp.port === null) return [`meta l4proto ${proto}`];
  if (typeof pp.port === 'number' || /^\d+$/.test(String(pp.port))) {
    const lo = Number(pp.port), hi = pp.endPort ?? lo;
    return [`meta l4proto ${proto} th dport ${hi > lo ? `${lo}-${hi}` : lo}`];
  }
  // a named port: resolved on each destination pod (ingress: the selected pods here; egress: any pod)
  const dsts = dir === 'ingress' ? selectedLocal : policyPods(m);
  const out: string[] = [];
  for (const d of dsts) for (const np of d.namedPorts) if (np.name === pp.port && PROTO[np.protocol] === proto) out.push(`ip daddr ${d.ip} meta l4proto ${proto} th dport ${np.port}`);
  return out;
}

function policyChain(m: ClusterModel, pol: PolicyInfo, dir: Direction, selectedLocal: PodInfo[], sets: NftSet[], cache: Map<string, Range[]>): NftChain {
  const name = policyChainName(dir, pol);
  const rules: string[] = [];
  const list = (dir === 'ingress' ? pol.spec.ingress : pol.spec.egress) ?? [];
  list.forEach((r, i) => {
    const peers = (dir === 'ingress' ? (r as { from?: NetworkPolicyPeer[] }).from : (r as { to?: NetworkPolicyPeer[] }).to) ?? [];
    let peerMatch = '';
    if (peers.length) {
      const set = `${SHORT[dir]}/${pol.namespace}/${pol.name}/${i}`;
      sets.push({ name: set, elements: peerRanges(m, pol, peers, cache).map(rangeElement), comment: `${policyKey(pol)} ${dir}[${i}] peers` });
      peerMatch = `ip ${dir === 'ingress' ? 'saddr' : 'daddr'} @${set} `;
    }
    const ports = r.ports ?? [];
    const matches = ports.length ? ports.flatMap((pp) => portMatches(pp, dir, m, selectedLocal)) : [''];
    for (const pm of matches) rules.push(`${peerMatch}${pm ? pm + ' ' : ''}counter accept ${comment(`${policyKey(pol)} ${dir}[${i}]`)}`.replace(/ {2,}/g, ' '));
  });
  return { name, rules };
}

/** The desired table of node `nodeName`: empty (no table at all) when no local pod is selected. */
export function desiredTable(m: ClusterModel, nodeName: string, o: RuleOptions = {}): DesiredTable {
  const local = policyPods(m).filter((p) => p.node === nodeName).sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : 1));
  const sets: NftSet[] = [];
  const chains: NftChain[] = [];
  const counters: DenyCounter[] = [];
  const maps: NftMap[] = [];
  const cache = new Map<string, Range[]>();
  for (const dir of ['egress', 'ingress'] as const) {
    const selectedBy = new Map<string, PodInfo[]>();
    const vmap: [string, string][] = [];
    for (const pod of local) {
      const pols = selectingPolicies(m, pod, dir).sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : 1));
      if (!pols.length) continue;
      for (const pol of pols) { const k = policyKey(pol); selectedBy.set(k, [...(selectedBy.get(k) ?? []), pod]); }
      const chain = podChainName(dir, pod);
      const counter = denyCounterName(dir, pod);
      const rules = [`ip ${dir === 'ingress' ? 'saddr' : 'daddr'} ${pod.ip} accept ${comment(`${policyKey(pod)} to itself`)}`];
      for (const pol of pols) rules.push(`jump ${policyChainName(dir, pol)}`);
      if (o.logDrops) rules.push(`limit rate 10/second burst 20 packets log prefix "${dropLogPrefix(dir, pod)}" group ${o.logGroup ?? DROP_LOG_GROUP}`);
      rules.push(`counter name "${counter}" drop ${comment(`${policyKey(pod)} ${dir} isolated by ${pols.map(policyKey).join(' ')}`)}`);
      chains.push({ name: chain, rules });
      counters.push({ counter, direction: dir, namespace: pod.namespace, pod: pod.name, policies: pols.map(policyKey) });
      vmap.push([pod.ip!, `jump ${chain}`]);
    }
    for (const pol of m.policies.filter((p) => selectedBy.has(policyKey(p))).sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : 1))) {
      chains.push(policyChain(m, pol, dir, selectedBy.get(policyKey(pol))!, sets, cache));
    }
    maps.push({ name: `${dir}-pods`, elements: vmap });
  }
  if (!counters.length) return { sets: [], maps: [], chains: [], counters: [] };
  const hosts = unionRanges(m.hostIPs.map(ipv4ToNum).filter((n): n is number => n !== undefined).map((n) => [n, n] as Range)).map(rangeElement);
  sets.unshift({ name: 'hosts', elements: hosts, comment: 'the nodes (host network): never subject to policy' });
  chains.unshift(
    { name: 'egress', hook: 'type filter hook forward priority filter + 5; policy accept;', rules: ['ct state established,related accept', 'ip daddr @hosts accept', 'ip saddr vmap @egress-pods'] },
    { name: 'ingress', hook: 'type filter hook forward priority filter + 10; policy accept;', rules: ['ct state established,related accept', 'ip saddr @hosts accept', 'ip daddr vmap @ingress-pods'] },
  );
  return { sets, maps, chains, counters };
}

/** What the kernel's table holds now (names only), to know what to delete. */
export interface KernelObjects { table: boolean; chains: string[]; sets: string[]; maps: string[]; counters: string[] }

/**
 * The one `nft -f` transaction taking the kernel from `have` to `want`. Without `prev` (the first
 * sync, or after a failure: only the kernel's object names are known) every rule is replaced (flush +
 * add, atomic), sets and maps are flushed and refilled. With `prev` (what this process applied last and
 * the kernel therefore holds) only what differs is touched: changed chains are flushed and refilled,
 * changed sets and maps refilled, new objects added. Either way objects no longer wanted are deleted,
 * drop counters that stay keep their values, and with nothing wanted the table is deleted.
 */
export function renderTransaction(want: DesiredTable, have: KernelObjects, prev?: DesiredTable): string {
  const T = `${POLICY_FAMILY} ${POLICY_TABLE}`;
  if (!want.chains.length) return have.table ? `delete table ${T}\n` : '';
  const inc = have.table && prev !== undefined && prev.chains.length > 0;
  const out: string[] = [`add table ${T}`];
  const wantSets = new Set(want.sets.map((x) => x.name)), wantMaps = new Set(want.maps.map((x) => x.name));
  const wantChains = new Set(want.chains.map((c) => c.name)), wantCounters = new Set(want.counters.map((c) => c.counter));
  const prevChain = new Map((inc ? prev.chains : []).map((c) => [c.name, JSON.stringify(c)]));
  const prevSet = new Map((inc ? prev.sets : []).map((x) => [x.name, JSON.stringify(x)]));
  const prevMap = new Map((inc ? prev.maps : []).map((x) => [x.name, JSON.stringify(x)]));
  const haveChains = new Set(have.chains), haveSets = new Set(have.sets), haveMaps = new Set(have.maps), haveCounters = new Set(have.counters);
  // what gets (re)written below: everything without `prev`, else what is new or differs
  const chains = want.chains.filter((c) => !inc || prevChain.get(c.name) !== JSON.stringify(c) || !haveChains.has(c.name));
  const sets = want.sets.filter((x) => !inc || prevSet.get(x.name) !== JSON.stringify(x) || !haveSets.has(x.name));
  const maps = want.maps.filter((x) => !inc || prevMap.get(x.name) !== JSON.stringify(x) || !haveMaps.has(x.name));
  if (have.table) {
    // 1. empty what is rewritten or goes away (drops the references: jumps, vmap elements, @sets)
    if (!inc) out.push(`flush table ${T}`);
    else {
      for (const c of chains) if (haveChains.has(c.name)) out.push(`flush chain ${T} ${q(c.name)}`);
      for (const c of have.chains) if (!wantChains.has(c)) out.push(`flush chain ${T} ${q(c)}`);
    }
    for (const m of maps) if (haveMaps.has(m.name)) out.push(`flush map ${T} ${q(m.name)}`);
    for (const x of sets) if (haveSets.has(x.name)) out.push(`flush set ${T} ${q(x.name)}`);
    for (const m of have.maps) if (!wantMaps.has(m)) out.push(`flush map ${T} ${q(m)}`);
    // 2. delete what is no longer wanted
    for (const m of have.maps) if (!wantMaps.has(m)) out.push(`delete map ${T} ${q(m)}`);
    for (const c of have.chains) if (!wantChains.has(c)) out.push(`delete chain ${T} ${q(c)}`);
    for (const x of have.sets) if (!wantSets.has(x)) out.push(`delete set ${T} ${q(x)}`);
    for (const c of have.counters) if (!wantCounters.has(c)) out.push(`delete counter ${T} ${q(c)}`);
  }
  // 3. add: counters and chains (empty) first, so map elements and jumps resolve, then sets, maps, rules
  out.push(`table ${T} {`);
  for (const c of want.counters) if (!inc || !haveCounters.has(c.counter)) out.push(`  counter ${q(c.counter)} { ${comment(`${c.namespace}/${c.pod} ${c.direction} default deny`)} }`);
  for (const c of want.chains) if (!inc || !haveChains.has(c.name)) out.push(`  chain ${q(c.name)} {${c.hook ? ` ${c.hook}` : ''} }`);
  for (const x of sets) {
    out.push(`  set ${q(x.name)} { type ipv4_addr; flags interval; ${comment(x.comment)};${x.elements.length ? ` elements = { ${x.elements.join(', ')} }` : ''} }`);
  }
  for (const mp of maps) {
    out.push(`  map ${q(mp.name)} { type ipv4_addr : verdict;${mp.elements.length ? ` elements = { ${mp.elements.map(([k, v]) => `${k} : ${v}`).join(', ')} }` : ''} }`);
  }
  for (const c of chains) for (const r of c.rules) out.push(`  add rule ${T} ${q(c.name)} ${r}`);
  out.push('}');
  return fixAddRules(out).join('\n') + '\n';
}

/** `add rule` lines are commands, not block statements: move them after the table block. */
function fixAddRules(lines: string[]): string[] {
  const rules = lines.filter((l) => l.startsWith('  add rule '));
  return [...lines.filter((l) => !l.startsWith('  add rule ')), ...rules.map((l) => l.slice(2))];
}

/** Object names are quoted only when needed (nft identifiers take letters, digits, / - _ .). */
function q(name: string): string { return /^[A-Za-z][A-Za-z0-9/_.-]*$/.test(name) ? name : `"${name}"`; }

/** A stable text of the desired table, to skip a transaction when nothing changed. */
export function tableFingerprint(t: DesiredTable): string { return JSON.stringify(t); }
