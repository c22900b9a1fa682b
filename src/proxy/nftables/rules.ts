import { categorizeEndpoints } from '../tracker.js';
import { endpointString, type Endpoint, type EndpointsMap, type RuleOptions, type ServiceMap, type ServicePort } from '../types.js';
import { base32 } from '../iptables/names.js';
import { nodePortsMatchAll } from '../nodeport-addresses.js';
import { hash } from 'node:crypto';
import type { ServiceMemo } from '../memo.js';

export const TABLE = 'kube-proxy';
export const FAMILY = 'ip';
const T = `${FAMILY} ${TABLE}`;

/** Upstream hashAndTruncate: 8 base32 chars of sha256(name), "-", name (max 240 chars). */
export function hashAndTruncate(name: string): string {
  const h = base32(hash('sha256', name, 'buffer')).slice(0, 8);
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
  fingerprint: string;                         // of chains and affinity sets (not elements)
  rules: number;                               // rules in its chains
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

  const o: NftServiceObjects = { name: sp.name, chains: new Map(), affinitySets: new Map(), elements: new Map(), fingerprint: '', rules: 0 };
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
  for (const r of o.chains.values()) o.rules += r.length;
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

/**
 * What the kernel holds after a plan is applied: each service port's objects (chains, affinity sets, map
 * elements) and, per map element, how many service ports want it (two ports of one Service share their
 * ClusterIP in cluster-ips). An incremental plan looks only at the service ports whose objects changed.
 */
export interface NftState {
  objs: ReadonlyMap<string, NftServiceObjects>;
  /** `map\tkey` → number of wanting service ports and the value last written */
  elements: ReadonlyMap<string, { n: number; v: string }>;
  rules: number;
}

export interface NftPlan { script: string; state: NftState; written: number; rules: number }

const MAPS = ['cluster-ips', 'nodeport-ips', 'service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports'];
/** nodeport-ips elements live in the state as one pseudo service port of this name */
const NODE_IPS = '\0nodeport-ips';

function nodeIPObjects(ips: readonly string[]): NftServiceObjects {
  return { name: NODE_IPS, chains: new Map(), affinitySets: new Map(), elements: new Map([['nodeport-ips', new Map(ips.map((ip) => [ip, '']))]]), fingerprint: ips.join(','), rules: 0 };
}
const isSetName = (m: string): boolean => m === 'cluster-ips' || m === 'nodeport-ips';
const elLine = (verb: 'add' | 'delete', m: string, k: string, v: string): string => `${verb} element ${T} ${m} { ${k}${v && verb === 'add' ? ` : ${v}` : ''} }`;
const sameElements = (a: NftServiceObjects, b: NftServiceObjects): boolean => {
  if (a.elements.size !== b.elements.size) return false;
  for (const [m, ea] of a.elements) {
    const eb = b.elements.get(m);
    if (!eb || eb.size !== ea.size) return false;
    for (const [k, v] of ea) if (eb.get(k) !== v) return false;
  }
  return true;
};

/**
 * Builds one transaction. With `previous` null (full sync) the base objects are rewritten, every map is
 * flushed and refilled and every service chain rewritten; `kernelChains`/`kernelSets` name objects to
 * delete if unwanted. Otherwise only the service ports whose objects differ from `previous` are looked
 * at: their chains are rewritten and their map elements diffed (the cost follows the change, not the
 * table: with the memo an unchanged service port is one identity check).
 */
export function buildNft(services: ServiceMap, endpoints: EndpointsMap, opts: RuleOptions & { nodePortIPs?: string[] }, lb: LbStyle, previous: NftState | null, kernelChains: Iterable<string> = [], kernelSets: Iterable<string> = [], memo?: ServiceMemo<NftServiceObjects>): NftPlan {
  const full = !previous;
  const base = baseScript(opts);
  const baseRules = base.filter((l) => l.startsWith('add rule')).length;
  const objs = new Map<string, NftServiceObjects>();
  const nodeIPs = nodeIPObjects(opts.nodePortIPs ?? []);
  objs.set(NODE_IPS, previous?.objs.get(NODE_IPS)?.fingerprint === nodeIPs.fingerprint ? previous.objs.get(NODE_IPS)! : nodeIPs);
  const changed: [string, NftServiceObjects | undefined, NftServiceObjects | undefined][] = [];
  for (const [name, sp] of services) {
    const eps = endpoints.get(name) ?? [];
    const o = memo ? memo.rules(sp, eps, false, () => serviceObjects(sp, eps, opts, lb)) : serviceObjects(sp, eps, opts, lb);
    objs.set(name, o);
  }
  memo?.commit();
  if (full) {
    for (const [name, o] of objs) changed.push([name, undefined, o]);
  } else {
    for (const [name, o] of objs) {
      const old = previous.objs.get(name);
      if (old !== o && !(old && old.fingerprint === o.fingerprint && sameElements(old, o))) changed.push([name, old, o]);
    }
    for (const [name, old] of previous.objs) if (!objs.has(name)) changed.push([name, old, undefined]);
  }
  changed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

  const elements = new Map(full ? [] : previous.elements);
  let rules = full ? baseRules : previous.rules;
  let written = 0;
  const chainDecl: string[] = [], chainLines: string[] = [], adds: string[] = [], dels: string[] = [];
  const staleChains = new Set<string>(), staleSets = new Set<string>();
  const touched = new Map<string, string | undefined>(); // element → its value before this plan (undefined: absent)
  const want = (mk: string, v: string): void => {
    const cur = elements.get(mk);
    if (!touched.has(mk)) touched.set(mk, cur?.v);
    elements.set(mk, { n: (cur?.n ?? 0) + 1, v });
  };
  const unwant = (mk: string): void => {
    const cur = elements.get(mk);
    if (!cur) return;
    if (!touched.has(mk)) touched.set(mk, cur.v);
    if (cur.n <= 1) elements.delete(mk); else elements.set(mk, { n: cur.n - 1, v: cur.v });
  };
  for (const [, old, o] of changed) {
    if (old) {
      for (const [m, els] of old.elements) for (const k of els.keys()) unwant(`${m}\t${k}`);
      rules -= old.rules;
    }
    if (o) {
      for (const [m, els] of o.elements) for (const [k, v] of els) want(`${m}\t${k}`, v);
      rules += o.rules;
    }
    const rewrite = o && (!old || old.fingerprint !== o.fingerprint);
    if (rewrite && o.name !== NODE_IPS) {
      written++;
      for (const [st, timeout] of o.affinitySets) chainLines.push(`add set ${T} ${st} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeout}s ; }`);
      for (const [c, rs] of o.chains) {
        chainDecl.push(`add chain ${T} ${c}`);
        chainLines.push(`flush chain ${T} ${c}`);
        for (const r of rs) chainLines.push(`add rule ${T} ${c} ${r}`);
      }
    }
    if (old) {
      for (const c of old.chains.keys()) if (!o?.chains.has(c)) staleChains.add(c);
      for (const st of old.affinitySets.keys()) if (!o?.affinitySets.has(st)) staleSets.add(st);
    }
  }
  if (full) {
    const wantChains = new Set<string>(), wantSets = new Set<string>();
    for (const o of objs.values()) { for (const c of o.chains.keys()) wantChains.add(c); for (const st of o.affinitySets.keys()) wantSets.add(st); }
    for (const c of kernelChains) if (!wantChains.has(c)) staleChains.add(c);
    for (const st of kernelSets) if (!wantSets.has(st)) staleSets.add(st);
    const byMap = new Map<string, string[]>(MAPS.map((m) => [m, []]));
    for (const [mk, { v }] of elements) { const i = mk.indexOf('\t'); byMap.get(mk.slice(0, i))?.push(elLine('add', mk.slice(0, i), mk.slice(i + 1), v)); }
    for (const m of MAPS) { adds.push(`flush ${isSetName(m) ? 'set' : 'map'} ${T} ${m}`); pushAll(adds, byMap.get(m)!); }
  } else {
    for (const [mk, before] of touched) {
      const now = elements.get(mk)?.v;
      if (now === before) continue;
      const i = mk.indexOf('\t'), m = mk.slice(0, i), k = mk.slice(i + 1);
      // deletions (and the delete half of a replaced value) go first, before any add of the same key
      if (before !== undefined) dels.push(elLine('delete', m, k, ''));
      if (now !== undefined) adds.push(elLine('add', m, k, now));
    }
  }
  // Element deletions first, then chains (map elements refer to them), then element adds, then deletions
  // of stale chains: those may reference each other, so all are flushed before any is deleted.
  const script: string[] = [];
  pushAll(script, dels);
  if (full) pushAll(script, base);
  pushAll(script, chainDecl); pushAll(script, chainLines); pushAll(script, adds);
  for (const c of staleChains) script.push(`flush chain ${T} ${c}`);
  for (const c of staleChains) script.push(`delete chain ${T} ${c}`);
  for (const st of staleSets) script.push(`delete set ${T} ${st}`);
  return { script: script.length ? script.join('\n') + '\n' : '', state: { objs, elements, rules }, written, rules };
}

/** push without spreading (large arrays overflow the argument limit) */
function pushAll<T>(to: T[], from: readonly T[]): void { for (const x of from) to.push(x); }
