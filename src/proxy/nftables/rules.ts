import { categorizeEndpoints } from '../tracker.js';
import { endpointString, type Endpoint, type EndpointsMap, type RuleOptions, type ServiceMap, type ServicePort } from '../types.js';
import { base32 } from '../iptables/names.js';
import { nodePortsMatchAll } from '../nodeport-addresses.js';
import { createHash } from 'node:crypto';
import type { ServiceMemo } from '../memo.js';

export const TABLE = 'kube-proxy';
export const FAMILY = 'ip';
const T = `${FAMILY} ${TABLE}`;

/** Upstream hashAndTruncate: 8 base32 chars of sha256(name), "-", name (max 240 chars). */
export function hashAndTruncate(name: string): string {
  const h = base32(createHash('sha256').update(name).digest()).slice(0, 8);
  const s = `${h}-${name}`;
  return s.length > 240 ? s.slice(0, 237) + '...' : s;
}
export function serviceBase(sp: Pick<ServicePort, 'namespace' | 'service' | 'protocol' | 'portName'>): string {
  return hashAndTruncate(`${sp.namespace}/${sp.service}/${sp.protocol.toLowerCase()}/${sp.portName}`);
}
function endpointBase(sp: Pick<ServicePort, 'namespace' | 'service' | 'protocol' | 'portName'>, e: Pick<Endpoint, 'ip' | 'port'>): string {
  return hashAndTruncate(`${sp.namespace}/${sp.service}/${sp.protocol.toLowerCase()}/${sp.portName}__${e.ip}/${e.port}`);
}
export const isServiceChainName = (c: string): boolean => c.includes('/');
export const isAffinitySetName = (s: string): boolean => s.startsWith('affinity-');

/** How a service chain picks an endpoint. 'vmap' = upstream's anonymous `numgen random mod N vmap {…}`;
 *  'cascade' = one `numgen random mod (N-i) == 0 goto` rule per endpoint (iptables' statistic cascade),
 *  which avoids nft 1.0.6's superlinear cost for thousands of anonymous maps (see bench/results/proxy.json). */
export type LbStyle = 'vmap' | 'cascade';

export interface NftServiceObjects {
  name: string;
  chains: Map<string, string[]>;     // chain → rules (our own chains of this service port)
  affinitySets: Map<string, number>; // set → timeout seconds
  elements: Map<string, Map<string, string>>; // map/set name → key → value ('' for sets)
  fingerprint: string;
}

function q(s: string): string { return JSON.stringify(s); }

export function serviceObjects(sp: ServicePort, endpoints: readonly Endpoint[], opts: RuleOptions, lb: LbStyle): NftServiceObjects {
  const proto = sp.protocol.toLowerCase();
  const cat = categorizeEndpoints(sp, endpoints);
  const hasEndpoints = cat.cluster.length > 0 || cat.local.length > 0;
  const base = serviceBase(sp);
  const clusterChain = `service-${base}`, localChain = `local-${base}`, externalChain = `external-${base}`;
  const usesCluster = cat.cluster.length > 0 && (!sp.internalPolicyLocal || (sp.external && !sp.externalPolicyLocal) || sp.externalPolicyLocal);
  const usesLocal = cat.local.length > 0 && (sp.internalPolicyLocal || sp.externalPolicyLocal);
  let internalChain = clusterChain, hasInternal = cat.cluster.length > 0;
  if (sp.internalPolicyLocal) { internalChain = localChain; hasInternal = cat.local.length > 0; }
  let externalPolicyChain = clusterChain, hasExternal = cat.cluster.length > 0;
  if (sp.externalPolicyLocal) { externalPolicyChain = localChain; hasExternal = cat.local.length > 0; }
  const usesExternal = hasEndpoints && sp.external;
  const intVerdict = !hasEndpoints ? 'goto reject-chain' : (!hasInternal ? 'drop' : '');
  const extVerdict = !hasEndpoints ? 'goto reject-chain' : (!hasExternal ? 'drop' : '');

  const o: NftServiceObjects = { name: sp.name, chains: new Map(), affinitySets: new Map(), elements: new Map(), fingerprint: '' };
  const el = (m: string, k: string, v: string): void => { let mm = o.elements.get(m); if (!mm) o.elements.set(m, (mm = new Map())); mm.set(k, v); };
  const key = (ip: string, port: number): string => `${ip} . ${proto} . ${port}`;

  el('cluster-ips', sp.clusterIP, '');
  if (hasInternal) el('service-ips', key(sp.clusterIP, sp.port), `goto ${internalChain}`);
  else el('no-endpoint-services', key(sp.clusterIP, sp.port), intVerdict);
  for (const ip of [...sp.externalIPs, ...sp.loadBalancerIPs]) {
    if (hasEndpoints) el('service-ips', key(ip, sp.port), `goto ${externalChain}`);
    if (!hasExternal) el('no-endpoint-services', key(ip, sp.port), extVerdict);
  }
  if (sp.nodePort > 0) {
    if (hasEndpoints) el('service-nodeports', `${proto} . ${sp.nodePort}`, `goto ${externalChain}`);
    if (!hasExternal) el('no-endpoint-nodeports', `${proto} . ${sp.nodePort}`, extVerdict);
  }

  const epChain = (e: Endpoint): string => `endpoint-${endpointBase(sp, e)}`;
  const affSet = (e: Endpoint): string => `affinity-${endpointBase(sp, e)}`;
  const toEndpoints = (chain: string, eps: readonly Endpoint[], pre: string[]): void => {
    const rules = [...pre];
    if (sp.sessionAffinity.clientIP) for (const e of eps) rules.push(`ip saddr @${affSet(e)} goto ${epChain(e)}`);
    if (lb === 'vmap') {
      rules.push(`numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${epChain(e)}`).join(' , ')} }`);
    } else {
      eps.forEach((e, i) => rules.push(i < eps.length - 1 ? `numgen random mod ${eps.length - i} == 0 goto ${epChain(e)}` : `goto ${epChain(e)}`));
    }
    o.chains.set(chain, rules);
  };
  const masqRule: string[] = [];
  if (hasInternal) {
    if (opts.masqueradeAll) masqRule.push(`ip daddr ${sp.clusterIP} ${proto} dport ${sp.port} jump mark-for-masquerade`);
    else if (opts.clusterCidr) masqRule.push(`ip daddr ${sp.clusterIP} ${proto} dport ${sp.port} ip saddr != ${opts.clusterCidr} jump mark-for-masquerade`);
  }
  if (usesExternal) {
    const r: string[] = [];
    if (!sp.externalPolicyLocal) r.push('jump mark-for-masquerade');
    else {
      if (opts.clusterCidr) r.push(`ip saddr ${opts.clusterCidr} goto ${clusterChain} comment ${q('short-circuit pod traffic')}`);
      r.push(`fib saddr type local jump mark-for-masquerade comment ${q('masquerade local traffic')}`);
      r.push(`fib saddr type local goto ${clusterChain} comment ${q('short-circuit local traffic')}`);
    }
    if (hasExternal) r.push(`goto ${externalPolicyChain}`);
    o.chains.set(externalChain, r);
  }
  if (usesCluster) toEndpoints(clusterChain, cat.cluster, internalChain === clusterChain ? masqRule : []);
  if (usesLocal) toEndpoints(localChain, cat.local, internalChain === localChain ? masqRule : []);
  const reach = new Map<string, Endpoint>();
  if (usesCluster) for (const e of cat.cluster) reach.set(endpointString(e), e);
  if (usesLocal) for (const e of cat.local) reach.set(endpointString(e), e);
  for (const e of reach.values()) {
    const r = [`ip saddr ${e.ip} jump mark-for-masquerade`];
    if (sp.sessionAffinity.clientIP) { o.affinitySets.set(affSet(e), sp.sessionAffinity.timeoutSeconds); r.push(`update @${affSet(e)} { ip saddr }`); }
    // counted (unlike upstream): `podnet inspect svc` shows how many connections each endpoint got
    r.push(`meta l4proto ${proto} counter dnat to ${endpointString(e)}`);
    o.chains.set(epChain(e), r);
  }
  o.fingerprint = JSON.stringify([[...o.chains], [...o.affinitySets]]);
  return o;
}

/** Fixed objects (upstream setupNFTables). Rewritten (flushed and refilled) on every full sync. */
function baseScript(opts: RuleOptions): string[] {
  const L: string[] = [];
  const chain = (name: string, spec = ''): void => { L.push(`add chain ${T} ${name}${spec ? ` { ${spec} }` : ''}`, `flush chain ${T} ${name}`); };
  const rule = (c: string, r: string): void => { L.push(`add rule ${T} ${c} ${r}`); };
  L.push(`add table ${T} { comment ${q('rules for kube-proxy')} ; }`);
  L.push(`add set ${T} cluster-ips { type ipv4_addr ; comment ${q('Active ClusterIPs')} ; }`);
  L.push(`add set ${T} nodeport-ips { type ipv4_addr ; comment ${q('IPs that accept NodePort traffic')} ; }`);
  // Unlike upstream, each drop/reject element counts its packets (`nft list map`), so a dropped connection shows.
  L.push(`add map ${T} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; counter ; comment ${q('vmap to drop or reject packets to services with no endpoints')} ; }`);
  L.push(`add map ${T} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; counter ; comment ${q('vmap to drop or reject packets to service nodeports with no endpoints')} ; }`);
  L.push(`add map ${T} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment ${q('ClusterIP, ExternalIP and LoadBalancer IP traffic')} ; }`);
  L.push(`add map ${T} service-nodeports { type inet_proto . inet_service : verdict ; comment ${q('NodePort traffic')} ; }`);
  chain('mark-for-masquerade'); rule('mark-for-masquerade', 'mark set mark or 0x4000');
  chain('masquerading');
  rule('masquerading', 'mark and 0x4000 == 0 return');
  rule('masquerading', 'mark set mark xor 0x4000');
  rule('masquerading', 'masquerade fully-random');
  chain('reject-chain', `comment ${q('helper for @no-endpoint-services / @no-endpoint-nodeports')} ;`); rule('reject-chain', 'reject');
  chain('services');
  chain('service-endpoints-check');
  chain('nodeport-endpoints-check');
  chain('cluster-ips-check');
  chain('filter-prerouting', 'type filter hook prerouting priority -110 ;');
  chain('filter-input', 'type filter hook input priority -110 ;');
  chain('filter-forward', 'type filter hook forward priority -110 ;');
  chain('filter-output', 'type filter hook output priority -110 ;');
  chain('filter-output-post-dnat', 'type filter hook output priority -90 ;');
  chain('nat-prerouting', 'type nat hook prerouting priority -100 ;');
  chain('nat-output', 'type nat hook output priority -100 ;');
  chain('nat-postrouting', 'type nat hook postrouting priority 100 ;');
  rule('filter-input', 'ct state new jump nodeport-endpoints-check');
  rule('filter-input', 'ct state new jump service-endpoints-check');
  rule('filter-forward', 'ct state new jump service-endpoints-check');
  rule('filter-forward', 'ct state new jump cluster-ips-check');
  rule('filter-output', 'ct state new jump service-endpoints-check');
  rule('filter-output-post-dnat', 'ct state new jump cluster-ips-check');
  rule('nat-prerouting', 'jump services');
  rule('nat-output', 'jump services');
  rule('nat-postrouting', 'jump masquerading');
  rule('cluster-ips-check', `ip daddr @cluster-ips reject comment ${q('Reject traffic to invalid ports of ClusterIPs')}`);
  rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  // Upstream: no localhost node ports in nftables mode (it never sets route_localnet), so the match-all
  // dispatch leaves 127.0.0.0/8 out: such a packet is not DNATed and the kernel refuses it at once.
  const npMatch = nodePortsMatchAll(opts) ? 'fib daddr type local ip daddr != 127.0.0.0/8' : 'ip daddr @nodeport-ips';
  rule('nodeport-endpoints-check', `${npMatch} meta l4proto . th dport vmap @no-endpoint-nodeports`);
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  rule('services', `${npMatch} meta l4proto . th dport vmap @service-nodeports`);
  return L;
}

export interface NftState {
  fingerprints: Map<string, string>;
  chains: Set<string>;                                // service chains in the kernel
  sets: Set<string>;                                  // affinity sets in the kernel
  elements: Map<string, Map<string, string>>;         // map/set → key → value
}

export interface NftPlan { script: string; state: NftState; written: number; rules: number }

const MAPS = ['cluster-ips', 'nodeport-ips', 'service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports'];

/**
 * Builds one transaction. With `previous` null (full sync) the base objects are rewritten, every map is
 * flushed and refilled and every service chain rewritten; otherwise only changed services' chains and the
 * map elements that differ are touched. `kernelChains`/`kernelSets` (full sync) name objects to delete if unwanted.
 */
export function buildNft(services: ServiceMap, endpoints: EndpointsMap, opts: RuleOptions & { nodePortIPs?: string[] }, lb: LbStyle, previous: NftState | null, kernelChains: Iterable<string> = [], kernelSets: Iterable<string> = [], memo?: ServiceMemo<NftServiceObjects>): NftPlan {
  const full = !previous;
  const L: string[] = full ? baseScript(opts) : [];
  const state: NftState = { fingerprints: new Map(), chains: new Set(), sets: new Set(), elements: new Map(MAPS.map((m) => [m, new Map()])) };
  for (const ip of opts.nodePortIPs ?? []) state.elements.get('nodeport-ips')!.set(ip, '');
  const chainDecl: string[] = [];
  const chainLines: string[] = [];
  let written = 0, rules = (full ? L : baseScript(opts)).filter((l) => l.startsWith('add rule')).length;
  for (const name of [...services.keys()].sort()) {
    const sp = services.get(name)!;
    const eps = endpoints.get(name) ?? [];
    const o = memo ? memo.rules(sp, eps, false, () => serviceObjects(sp, eps, opts, lb)) : serviceObjects(sp, eps, opts, lb);
    state.fingerprints.set(name, o.fingerprint);
    for (const [m, els] of o.elements) for (const [k, v] of els) state.elements.get(m)!.set(k, v);
    for (const c of o.chains.keys()) state.chains.add(c);
    for (const s of o.affinitySets.keys()) state.sets.add(s);
    for (const r of o.chains.values()) rules += r.length;
    if (!full && previous.fingerprints.get(name) === o.fingerprint) continue;
    written++;
    for (const [s, timeout] of o.affinitySets) chainLines.push(`add set ${T} ${s} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeout}s ; }`);
    for (const [c, rs] of o.chains) {
      chainDecl.push(`add chain ${T} ${c}`);
      chainLines.push(`flush chain ${T} ${c}`);
      for (const r of rs) chainLines.push(`add rule ${T} ${c} ${r}`);
    }
  }
  memo?.commit();
  // Chains first (map elements refer to them), then elements, then deletions.
  pushAll(L, chainDecl); pushAll(L, chainLines);
  const elLine = (verb: string, m: string, k: string, v: string): string => `${verb} element ${T} ${m} { ${k}${v && verb === 'add' ? ` : ${v}` : ''} }`;
  const dels: string[] = [];
  for (const m of MAPS) {
    const want = state.elements.get(m)!;
    if (full) {
      L.push(`flush ${m === 'cluster-ips' || m === 'nodeport-ips' ? 'set' : 'map'} ${T} ${m}`);
      for (const [k, v] of want) L.push(elLine('add', m, k, v));
    } else {
      const have = previous.elements.get(m) ?? new Map<string, string>();
      for (const k of have.keys()) if (!want.has(k)) dels.push(elLine('delete', m, k, ''));
      for (const [k, v] of want) {
        const old = have.get(k);
        if (old === v) continue;
        if (old !== undefined) dels.push(elLine('delete', m, k, ''));
        L.push(elLine('add', m, k, v));
      }
    }
  }
  // Element deletions must come before adds of the same key: put replacements' deletes first.
  const staleChains = new Set<string>([...(previous?.chains ?? []), ...kernelChains].filter((c) => !state.chains.has(c)));
  const staleSets = new Set<string>([...(previous?.sets ?? []), ...kernelSets].filter((s) => !state.sets.has(s)));
  const script: string[] = [];
  pushAll(script, dels); pushAll(script, L);
  // Stale chains may reference each other: flush all of them first, then delete.
  for (const c of staleChains) script.push(`flush chain ${T} ${c}`);
  for (const c of staleChains) script.push(`delete chain ${T} ${c}`);
  for (const s of staleSets) script.push(`delete set ${T} ${s}`);
  return { script: script.join('\n') + '\n', state, written, rules };
}

/** push without spreading (large arrays overflow the argument limit) */
function pushAll<T>(to: T[], from: readonly T[]): void { for (const x of from) to.push(x); }
