import { categorizeEndpoints } from '../tracker.js';
import { endpointString, type Endpoint, type EndpointsMap, type RuleOptions, type ServiceMap, type ServicePort } from '../types.js';
import { extChain, sepChain, svcChain, svlChain } from './names.js';
import { localhostNodePortsOn, nodePortDestinations, nodePortsMatchAll } from '../nodeport-addresses.js';

export const MASQ_MARK = '0x4000';
export const NAT_FIXED_CHAINS = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
export const FILTER_FIXED_CHAINS = ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'];

/** Jump rules kube-proxy ensures in the built-in chains (table, chain, args), outside the restore. */
export const JUMP_RULES: ReadonlyArray<{ table: 'nat' | 'filter'; chain: string; args: string[] }> = [
  { table: 'filter', chain: 'INPUT', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes load balancer firewall', '-j', 'KUBE-PROXY-FIREWALL'] },
  { table: 'filter', chain: 'INPUT', args: ['-m', 'comment', '--comment', 'kubernetes health check service ports', '-j', 'KUBE-NODEPORTS'] },
  { table: 'filter', chain: 'INPUT', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes externally-visible service portals', '-j', 'KUBE-EXTERNAL-SERVICES'] },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes load balancer firewall', '-j', 'KUBE-PROXY-FIREWALL'] },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'comment', '--comment', 'kubernetes forwarding rules', '-j', 'KUBE-FORWARD'] },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes externally-visible service portals', '-j', 'KUBE-EXTERNAL-SERVICES'] },
  { table: 'filter', chain: 'OUTPUT', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes load balancer firewall', '-j', 'KUBE-PROXY-FIREWALL'] },
  { table: 'filter', chain: 'OUTPUT', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'nat', chain: 'OUTPUT', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'nat', chain: 'PREROUTING', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'nat', chain: 'POSTROUTING', args: ['-m', 'comment', '--comment', 'kubernetes postrouting rules', '-j', 'KUBE-POSTROUTING'] },
];

/**
 * The martian-source guard upstream installs with localhost node ports (kube-proxy and kubelet both own a copy,
 * https://issue.k8s.io/90259): with route_localnet=1, only this host may send to 127.0.0.0/8.
 */
export const FIREWALL_CHAIN = 'KUBE-FIREWALL';
export const FIREWALL_RULE = `-A ${FIREWALL_CHAIN} ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`;
/** INPUT and OUTPUT jump to KUBE-FIREWALL (upstream iptablesKubeletJumpChains); ensured only when localhost node ports are on. */
export const FIREWALL_JUMP_RULES: ReadonlyArray<{ table: 'filter'; chain: string; args: string[] }> = [
  { table: 'filter', chain: 'INPUT', args: ['-j', FIREWALL_CHAIN] },
  { table: 'filter', chain: 'OUTPUT', args: ['-j', FIREWALL_CHAIN] },
];

/** Rules of one service port: its own chains (SVC/SVL/EXT/SEP) plus the lines it adds to shared chains. */
export interface ServiceRules {
  name: string;
  natChains: string[];          // own chains, declared (and so flushed) when written
  natRules: string[];           // -A lines for own chains
  natServices: string[];        // lines in nat KUBE-SERVICES
  natNodePorts: string[];       // lines in nat KUBE-NODEPORTS
  filterServices: string[];     // filter KUBE-SERVICES
  filterExternal: string[];     // filter KUBE-EXTERNAL-SERVICES
  /** stable fingerprint of natChains+natRules, for partial syncs */
  fingerprint: string;
}

const q = (s: string): string => `"${s}"`;
/** Upstream computeProbability: 1/n with ten decimals. */
export function probability(n: number): string { return (1 / n).toFixed(10); }

function ruleArgs(sp: ServicePort): { proto: string } { return { proto: sp.protocol.toLowerCase() }; }

function writeServiceToEndpoints(out: string[], sp: ServicePort, chain: string, eps: readonly Endpoint[]): void {
  const proto = sp.protocol;
  if (sp.sessionAffinity.clientIP) {
    for (const e of eps) {
      const sep = sepChain(sp.name, proto, endpointString(e));
      out.push(`-A ${chain} -m comment --comment ${q(`${sp.name} -> ${endpointString(e)}`)} -m recent --name ${sep} --rcheck --seconds ${sp.sessionAffinity.timeoutSeconds} --reap -j ${sep}`);
    }
  }
  eps.forEach((e, i) => {
    const sep = sepChain(sp.name, proto, endpointString(e));
    const c = `-A ${chain} -m comment --comment ${q(`${sp.name} -> ${endpointString(e)}`)}`;
    if (i < eps.length - 1) out.push(`${c} -m statistic --mode random --probability ${probability(eps.length - i)} -j ${sep}`);
    else out.push(`${c} -j ${sep}`);
  });
}

/** The rules upstream's syncProxyRules writes for one service port. */
/** Upstream largeClusterEndpointsThreshold: above this many endpoints, endpoint-chain comments are left out. */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

export function serviceRules(sp: ServicePort, endpoints: readonly Endpoint[], opts: RuleOptions, largeCluster = false): ServiceRules {
  const { proto } = ruleArgs(sp);
  const spn = sp.name;
  const cat = categorizeEndpoints(sp, endpoints);
  const hasEndpoints = cat.cluster.length > 0 || cat.local.length > 0;
  const clusterChain = svcChain(spn, sp.protocol);
  const localChain = svlChain(spn, sp.protocol);
  const externalChain = extChain(spn, sp.protocol);
  const usesClusterChain = cat.cluster.length > 0 && (!sp.internalPolicyLocal || (sp.external && !sp.externalPolicyLocal));
  const usesLocalChain = cat.local.length > 0 && (sp.internalPolicyLocal || sp.externalPolicyLocal);

  let internalChain = clusterChain;
  let hasInternal = cat.cluster.length > 0;
  if (sp.internalPolicyLocal) { internalChain = localChain; hasInternal = cat.local.length > 0; }
  let externalPolicyChain = clusterChain;
  let hasExternal = cat.cluster.length > 0;
  if (sp.externalPolicyLocal) { externalPolicyChain = localChain; hasExternal = cat.local.length > 0; }
  const usesExternalChain = hasEndpoints && sp.external; // upstream: needed for short-circuit rules even without local endpoints

  let intTarget = '', intComment = '', extTarget = '', extComment = '';
  if (!hasEndpoints) {
    intTarget = extTarget = 'REJECT';
    intComment = extComment = q(`${spn} has no endpoints`);
  } else {
    if (!hasInternal) { intTarget = 'DROP'; intComment = q(`${spn} has no local endpoints`); }
    if (!hasExternal) { extTarget = 'DROP'; extComment = q(`${spn} has no local endpoints`); }
  }

  const r: ServiceRules = { name: spn, natChains: [], natRules: [], natServices: [], natNodePorts: [], filterServices: [], filterExternal: [], fingerprint: '' };
  const dst = (ip: string): string => `-m ${proto} -p ${proto} -d ${ip} --dport ${sp.port}`;

  if (hasInternal) r.natServices.push(`-A KUBE-SERVICES -m comment --comment ${q(`${spn} cluster IP`)} ${dst(sp.clusterIP)} -j ${internalChain}`);
  else r.filterServices.push(`-A KUBE-SERVICES -m comment --comment ${intComment} ${dst(sp.clusterIP)} -j ${intTarget}`);

  for (const ip of sp.externalIPs) {
    if (hasEndpoints) r.natServices.push(`-A KUBE-SERVICES -m comment --comment ${q(`${spn} external IP`)} ${dst(ip)} -j ${externalChain}`);
    if (!hasExternal) r.filterExternal.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${extComment} ${dst(ip)} -j ${extTarget}`);
  }
  for (const ip of sp.loadBalancerIPs) {
    if (hasEndpoints) r.natServices.push(`-A KUBE-SERVICES -m comment --comment ${q(`${spn} loadbalancer IP`)} ${dst(ip)} -j ${externalChain}`);
    if (!hasExternal) r.filterExternal.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${extComment} ${dst(ip)} -j ${extTarget}`);
  }
  if (sp.nodePort > 0) {
    if (hasEndpoints) r.natNodePorts.push(`-A KUBE-NODEPORTS -m comment --comment ${spn.includes(' ') ? q(spn) : spn} -m ${proto} -p ${proto} --dport ${sp.nodePort} -j ${externalChain}`);
    if (!hasExternal) r.filterExternal.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${extComment} -m addrtype --dst-type LOCAL -m ${proto} -p ${proto} --dport ${sp.nodePort} -j ${extTarget}`);
  }

  if (hasInternal) {
    const a = `-A ${internalChain} -m comment --comment ${q(`${spn} cluster IP`)} ${dst(sp.clusterIP)}`;
    if (opts.masqueradeAll) r.natRules.push(`${a} -j KUBE-MARK-MASQ`);
    else if (opts.clusterCidr) r.natRules.push(`${a} ! -s ${opts.clusterCidr} -j KUBE-MARK-MASQ`);
  }

  if (usesExternalChain) {
    r.natChains.push(externalChain);
    if (!sp.externalPolicyLocal) {
      r.natRules.push(`-A ${externalChain} -m comment --comment ${q(`masquerade traffic for ${spn} external destinations`)} -j KUBE-MARK-MASQ`);
    } else {
      if (opts.clusterCidr) r.natRules.push(`-A ${externalChain} -m comment --comment ${q(`pod traffic for ${spn} external destinations`)} -s ${opts.clusterCidr} -j ${clusterChain}`);
      r.natRules.push(`-A ${externalChain} -m comment --comment ${q(`masquerade LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
      r.natRules.push(`-A ${externalChain} -m comment --comment ${q(`route LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j ${clusterChain}`);
    }
    if (hasExternal) r.natRules.push(`-A ${externalChain} -j ${externalPolicyChain}`);
  }

  // ETP=Local with ITP=Cluster still jumps to the cluster chain for pod/LOCAL traffic.
  const needCluster = usesClusterChain || (usesExternalChain && sp.externalPolicyLocal && cat.cluster.length > 0);
  if (needCluster) { r.natChains.push(clusterChain); writeServiceToEndpoints(r.natRules, sp, clusterChain, cat.cluster); }
  if (usesLocalChain) { r.natChains.push(localChain); writeServiceToEndpoints(r.natRules, sp, localChain, cat.local); }

  const reach = new Map<string, Endpoint>();
  if (needCluster) for (const e of cat.cluster) reach.set(endpointString(e), e);
  if (usesLocalChain) for (const e of cat.local) reach.set(endpointString(e), e);
  for (const e of reach.values()) {
    const sep = sepChain(spn, sp.protocol, endpointString(e));
    r.natChains.push(sep);
    const c = largeCluster ? `-A ${sep}` : `-A ${sep} -m comment --comment ${spn.includes(' ') ? q(spn) : spn}`;
    r.natRules.push(`${c} -s ${e.ip} -j KUBE-MARK-MASQ`);
    const aff = sp.sessionAffinity.clientIP ? ` -m recent --name ${sep} --set` : '';
    r.natRules.push(`${c}${aff} -m ${proto} -p ${proto} -j DNAT --to-destination ${endpointString(e)}`);
  }
  r.fingerprint = [...r.natChains, ...r.natRules].join('\n');
  return r;
}

export interface Table {
  /** one payload with *filter and *nat sections for iptables-restore --noflush */
  payload: string;
  natChains: Set<string>;       // every KUBE-* chain of the desired nat table
  rules: number;                // -A lines written or kept
  written: number;              // service ports whose chains were (re)written
  fingerprints: Map<string, string>;
}

/**
 * Builds the restore payload. `previous` holds per-service fingerprints of what the kernel already has
 * (partial sync: chains of unchanged services are neither declared nor rewritten); `staleNat` lists
 * chains to delete.
 */
export function buildTable(services: ServiceMap, endpoints: EndpointsMap, opts: RuleOptions, previous?: { fingerprints: Map<string, string>; natChains: Set<string> } | null, extraStale: Iterable<string> = []): Table {
  const filterChains = [...FILTER_FIXED_CHAINS];
  const filterRules: string[] = [];
  const localhostNodePorts = localhostNodePortsOn(opts);
  if (localhostNodePorts) { filterChains.push(FIREWALL_CHAIN); filterRules.push(FIREWALL_RULE); }
  const natChainsOut = [...NAT_FIXED_CHAINS];
  const natRules: string[] = [];
  const natServices: string[] = [];
  const natNodePorts: string[] = [];
  const filterServices: string[] = [];
  const filterExternal: string[] = [];
  const allNat = new Set<string>(NAT_FIXED_CHAINS);
  const fingerprints = new Map<string, string>();
  let rules = 0, written = 0;

  const names = [...services.keys()].sort();
  let total = 0;
  for (const n of names) total += endpoints.get(n)?.length ?? 0;
  const large = total > LARGE_CLUSTER_ENDPOINTS;
  for (const name of names) {
    const sp = services.get(name)!;
    const sr = serviceRules(sp, endpoints.get(name) ?? [], opts, large);
    natServices.push(...sr.natServices); natNodePorts.push(...sr.natNodePorts);
    filterServices.push(...sr.filterServices); filterExternal.push(...sr.filterExternal);
    for (const c of sr.natChains) allNat.add(c);
    fingerprints.set(name, sr.fingerprint);
    rules += sr.natRules.length;
    if (previous && previous.fingerprints.get(name) === sr.fingerprint && sr.natChains.every((c) => previous.natChains.has(c))) continue;
    written++;
    natChainsOut.push(...sr.natChains);
    natRules.push(...sr.natRules);
  }

  pushAll(filterRules, filterServices); pushAll(filterRules, filterExternal);
  pushAll(filterRules, FORWARD_RULES);
  const npJumps = nodePortJumps(opts);
  const fixedNat = FIXED_NAT_RULES;

  // Stale chains: ours last time (or found in the kernel) but not wanted now.
  const stale = new Set<string>();
  for (const c of previous?.natChains ?? []) if (!allNat.has(c)) stale.add(c);
  for (const c of extraStale) if (!allNat.has(c)) stale.add(c);

  const lines: string[] = ['*filter'];
  for (const c of filterChains) lines.push(`:${c} - [0:0]`);
  pushAll(lines, filterRules); lines.push('COMMIT', '*nat');
  for (const c of natChainsOut) lines.push(`:${c} - [0:0]`);
  for (const c of stale) lines.push(`:${c} - [0:0]`);
  for (const part of [natServices, npJumps, natNodePorts, fixedNat, natRules]) pushAll(lines, part);
  for (const c of stale) lines.push(`-X ${c}`);
  lines.push('COMMIT', '');
  rules += filterRules.length + natServices.length + npJumps.length + natNodePorts.length + fixedNat.length;
  return { payload: lines.join('\n'), natChains: allNat, rules, written, fingerprints };
}

const FORWARD_RULES: readonly string[] = [
  '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
  `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
  '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
];

/** The fixed rules of nat KUBE-MARK-MASQ and KUBE-POSTROUTING. */
export const FIXED_NAT_RULES: readonly string[] = [
  `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
  `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
  '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
];

/** The last rule(s) of nat KUBE-SERVICES: the jump to KUBE-NODEPORTS for the node-port destinations. */
export function nodePortJumps(opts: RuleOptions): string[] {
  const localhostNodePorts = localhostNodePortsOn(opts);
  const npComment = '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"';
  // Localhost node ports need route_localnet (set by the proxier); without it 127.0.0.0/8 is left out.
  if (nodePortsMatchAll(opts)) return [`-A KUBE-SERVICES ${npComment} -m addrtype --dst-type LOCAL${localhostNodePorts ? '' : ' ! -d 127.0.0.0/8'} -j KUBE-NODEPORTS`];
  return nodePortDestinations(opts, localhostNodePorts).map((d) => `-A KUBE-SERVICES ${npComment} -d ${d} -j KUBE-NODEPORTS`);
}

/** The whole filter table part kube-proxy owns (chain → its -A lines), given the per-service filter lines. */
export function ownedFilterChains(opts: RuleOptions, filterServices: readonly string[], filterExternal: readonly string[]): Map<string, string[]> {
  const m = new Map<string, string[]>(FILTER_FIXED_CHAINS.map((c) => [c, []]));
  if (localhostNodePortsOn(opts)) m.set(FIREWALL_CHAIN, [FIREWALL_RULE]);
  pushAll(m.get('KUBE-SERVICES')!, filterServices);
  pushAll(m.get('KUBE-EXTERNAL-SERVICES')!, filterExternal);
  pushAll(m.get('KUBE-FORWARD')!, FORWARD_RULES);
  return m;
}

/** push without spreading (large arrays overflow the argument limit) */
function pushAll<T>(to: T[], from: readonly T[]): void { for (const x of from) to.push(x); }
