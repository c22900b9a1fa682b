/**
 * `podnet inspect svc`: a Service from the API (ClusterIPs, ports, NodePorts, type), its endpoints per
 * node (EndpointSlices), and on one node the kernel's rules that implement it: iptables mode's
 * KUBE-SVC-/KUBE-SEP-… chains (named with the proxy's own hash naming) with their rules and packet
 * counters, nftables mode's service/endpoint chains and map elements, userspace mode's portal rules.
 */
import { createClient, loadKubeconfig, R } from '../client/index.js';
import type { KObject } from '../meta/types.js';
import { extChain, svcChain, svlChain, sepChain } from '../proxy/iptables/names.js';
import { serviceBase } from '../proxy/nftables/rules.js';
import { servicePortName } from '../proxy/tracker.js';
import type { EndpointSlice, Service } from '../proxy/types.js';
import { locateNode } from './locate.js';
import { chainEntries, jumpTarget, nftRuleCounter, type CountedRule, type SavedChain } from './proxyrules.js';
import { readProxyState, type KernelProxyMode, type ProxyKernelState } from './proxystate.js';
import { ObserveError } from './runtimestate.js';
import { probeIpvs, readIpvsTable } from '../net/ipvs.js';
import { readState } from '../lab/up.js';
import { ipvsServicesFor, parseIpvsProc, type IpvsVirtualService } from './ipvsstate.js';

export interface SvcPortView { name: string; port: number; protocol: string; targetPort: string; nodePort?: number; servicePortName: string }
export interface SvcEndpointView { ip: string; port: string; ready: boolean; pod?: string }
export interface RuleChainView {
  name: string;
  /** What the chain is for: service (KUBE-SVC), local (SVL), external (EXT), endpoint (SEP) or an nft map. */
  role: string;
  /** iptables: packets/bytes of the rules that jump to it; nft: of its counting rules. */
  packets: number;
  bytes: number;
  rules: CountedRule[];
  /** How `packets`/`bytes` were counted when the chain's own rules carry no counter (nft service chains: the sum of their endpoints' DNAT counters). */
  countedVia?: string;
}
export interface SvcRulesView { port: string; chains: RuleChainView[]; mapElements: { map: string; element: string }[] }

export interface SvcInspection {
  namespace: string; name: string; type: string;
  clusterIPs: string[];
  ports: SvcPortView[];
  endpointsByNode: { node: string; endpoints: SvcEndpointView[] }[];
  node: string;
  proxyMode: KernelProxyMode;
  rules: SvcRulesView[];
  /** userspace mode: the portal rules for the ClusterIP / NodePorts. */
  portalRules?: CountedRule[];
  /** the mode the node's agent was started with (the lab's spec), when known: it can differ from what the kernel shows */
  configuredProxyMode?: string;
  /** ipvs mode (configured or seen): the virtual services per port from /proc/net/ip_vs, or why there are none */
  ipvs?: IpvsView;
}

export interface IpvsView {
  /** whether the node's kernel has ip_vs (its netns has /proc/net/ip_vs) */
  available: boolean;
  /** what this means for the Service, in words (always set when unavailable) */
  statement?: string;
  ports: { port: string; virtualServices: IpvsVirtualService[] }[];
}

type ServiceObject = Service & KObject;
type SliceObject = EndpointSlice & KObject;

function iptablesRules(st: ProxyKernelState, spn: string, proto: string, endpoints: SvcEndpointView[]): RuleChainView[] {
  const out: RuleChainView[] = [];
  const add = (chains: Map<string, SavedChain>, name: string, role: string): void => {
    const c = chains.get(name);
    if (!c || out.some((x) => x.name === name)) return;
    const e = chainEntries(chains, name);
    out.push({ name, role, packets: e.packets, bytes: e.bytes, rules: c.rules });
  };
  for (const [name, role] of [[svcChain(spn, proto), 'service'], [svlChain(spn, proto), 'local'], [extChain(spn, proto), 'external']] as const) add(st.nat, name, role);
  // endpoint chains: the ones the service chains jump to, and the ones our naming gives the endpoints
  const seps = new Set<string>();
  for (const c of [...out]) for (const r of c.rules) { const t = jumpTarget(r.rule); if (t?.startsWith('KUBE-SEP-')) seps.add(t); }
  for (const e of endpoints) seps.add(sepChain(spn, proto, `${e.ip}:${e.port}`));
  for (const s of seps) add(st.nat, s, 'endpoint');
  return out;
}

function nftRules(st: ProxyKernelState, sp: { namespace: string; service: string; protocol: string; portName: string }): RuleChainView[] {
  if (!st.nft) return [];
  const base = serviceBase({ namespace: sp.namespace, service: sp.service, protocol: sp.protocol as 'TCP', portName: sp.portName });
  const chains: RuleChainView[] = [];
  const prefix = `${sp.namespace}/${sp.service}/${sp.protocol.toLowerCase()}/${sp.portName}`;
  for (const c of st.nft.chains.values()) {
    const isSvc = c.name === `service-${base}` || c.name === `local-${base}` || c.name === `external-${base}`;
    const isEp = c.name.startsWith('endpoint-') && c.name.includes(`${prefix}__`);
    if (!isSvc && !isEp) continue;
    const counted = c.rules.map((r) => ({ rule: r, ...(nftRuleCounter(r) ?? { packets: 0, bytes: 0 }) }));
    chains.push({ name: c.name, role: isEp ? 'endpoint' : c.name.split('-')[0]!, packets: counted.reduce((s, r) => s + r.packets, 0), bytes: counted.reduce((s, r) => s + r.bytes, 0), rules: counted });
  }
  return nftServiceTotals(chains);
}

/**
 * An nft service chain's rules carry no counter, its endpoints' DNAT rules do: every connection the
 * service chain dispatches is DNATed by exactly one endpoint chain, so the sum over the endpoint chains
 * it goes to is what entered it (pure).
 */
export function nftServiceTotals(chains: RuleChainView[]): RuleChainView[] {
  const byName = new Map(chains.map((c) => [c.name, c]));
  return chains.map((c) => {
    if (c.role === 'endpoint' || c.rules.some((r) => /\bcounter\b/.test(r.rule))) return c;
    const targets = new Set<string>();
    for (const r of c.rules) for (const m of r.rule.matchAll(/(?:goto|jump) (endpoint-\S+?)(?=[\s,}]|$)/g)) targets.add(m[1]!.replace(/^"|"$/g, ''));
    const eps = [...targets].map((t) => byName.get(t)).filter((x): x is RuleChainView => !!x && x.rules.some((r) => /\bcounter\b/.test(r.rule)));
    if (!eps.length) return c;
    return { ...c, packets: eps.reduce((a, e) => a + e.packets, 0), bytes: eps.reduce((a, e) => a + e.bytes, 0), countedVia: `the DNAT counters of its ${eps.length} endpoint chain(s)` };
  });
}

/** `podnet inspect svc NAME`: the Service, its EndpointSlices, and the chosen node's rules for it. */
export async function inspectSvcCommand(name: string, o: { namespace: string; kubeconfig: string; lab?: string; stateDir?: string; node?: string; ipvs?: boolean }): Promise<SvcInspection> {
  const client = createClient({ ...loadKubeconfig(o.kubeconfig), userAgent: 'podnet-inspect' });
  let svc: ServiceObject, slices: SliceObject[], nodeNames: string[];
  try {
    svc = await client.get<ServiceObject>(R.services(o.namespace), name);
    slices = (await client.list<SliceObject>(R.endpointslices(o.namespace), { labelSelector: `kubernetes.io/service-name=${name}` })).items;
    nodeNames = o.node ? [o.node] : (await client.list<KObject>(R.nodes())).items.map((n) => n.metadata.name ?? '').sort();
  } finally { client.close(); }
  const node = nodeNames[0];
  if (!node) throw new ObserveError('ENOTFOUND', 'the cluster has no nodes');
  const spec = svc.spec ?? {};
  const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip !== 'None');
  const ports: SvcPortView[] = (spec.ports ?? []).map((p) => ({
    name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', targetPort: String(p.targetPort ?? p.port),
    ...(p.nodePort ? { nodePort: p.nodePort } : {}), servicePortName: servicePortName(o.namespace, name, p.name),
  }));
  const perNode = new Map<string, SvcEndpointView[]>();
  const epsByPort = new Map<string, SvcEndpointView[]>();
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      const n = e.nodeName ?? '<unknown>';
      for (const ip of e.addresses) {
        for (const p of s.ports ?? [{ name: '', port: undefined }]) {
          const v: SvcEndpointView = { ip, port: p.port !== undefined ? String(p.port) : '-', ready: e.conditions?.ready !== false, ...(e.targetRef?.kind === 'Pod' && e.targetRef.name ? { pod: e.targetRef.name } : {}) };
          const list = perNode.get(n) ?? []; if (!list.some((x) => x.ip === v.ip && x.port === v.port)) list.push(v); perNode.set(n, list);
          const k = p.name ?? ''; const pl = epsByPort.get(k) ?? []; pl.push(v); epsByPort.set(k, pl);
        }
      }
    }
  }
  const loc = locateNode({ node, lab: o.lab, stateDir: o.stateDir });
  const st = await readProxyState(loc.netns);
  const rules: SvcRulesView[] = [];
  let portalRules: CountedRule[] | undefined;
  for (const p of ports) {
    const eps = epsByPort.get(p.name) ?? [];
    if (st.mode === 'iptables') rules.push({ port: p.servicePortName, chains: iptablesRules(st, p.servicePortName, p.protocol, eps), mapElements: [] });
    else if (st.mode === 'nftables') {
      const chains = nftRules(st, { namespace: o.namespace, service: name, protocol: p.protocol, portName: p.name });
      const mapElements: { map: string; element: string }[] = [];
      const wanted = [...clusterIPs.map((ip) => `${ip} . ${p.protocol.toLowerCase()} . ${p.port}`), ...(p.nodePort ? [`${p.protocol.toLowerCase()} . ${p.nodePort}`] : [])];
      for (const m of st.nft?.maps.values() ?? []) for (const el of m.elements) if (wanted.some((w) => el === w || el.startsWith(`${w} `)) || clusterIPs.includes(el)) mapElements.push({ map: m.name, element: el });
      rules.push({ port: p.servicePortName, chains, mapElements });
    }
  }
  if (st.mode === 'userspace') {
    portalRules = [];
    // the userspace proxier comments every portal rule with "ns/name:portName" (portName may be empty)
    const comments = ports.map((p) => `${o.namespace}/${name}:${p.name}`);
    for (const c of [...st.nat.values(), ...st.filter.values()]) {
      if (!c.name.startsWith('KUBE-PORTALS-') && !c.name.startsWith('KUBE-NODEPORT-')) continue;
      for (const r of c.rules) {
        const m = /--comment (?:"([^"]*)"|(\S+))/.exec(r.rule);
        if (m && comments.includes(m[1] ?? m[2] ?? '')) portalRules.push(r);
      }
    }
  }
  const configuredProxyMode = o.lab ? readState(o.lab)?.spec.proxyMode : undefined;
  let ipvs: IpvsView | undefined;
  if (st.mode === 'ipvs' || configuredProxyMode === 'ipvs' || o.ipvs) {
    const text = await readIpvsTable(loc.netns);
    const vips = [...clusterIPs, ...(spec.externalIPs ?? []), ...(svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(Boolean)];
    if (text !== undefined) {
      const all = parseIpvsProc(text);
      ipvs = { available: true, ports: ports.map((p) => ({ port: p.servicePortName, virtualServices: ipvsServicesFor(all, { protocol: p.protocol, vips, port: p.port, ...(p.nodePort ? { nodePort: p.nodePort } : {}) }) })) };
      if (ipvs.ports.every((p) => !p.virtualServices.length)) ipvs.statement = `the kernel has ip_vs but holds no virtual service for ${o.namespace}/${name} on ${node}`;
    } else {
      const probe = await probeIpvs();
      ipvs = { available: false, ports: [], statement: `this kernel has no ip_vs (/proc/net/ip_vs is absent in ${node}'s netns; ${probe.detail}): an agent started with --proxy-mode ipvs stops with EIPVS and programs nothing, so no IPVS virtual server implements ${o.namespace}/${name} on ${node}${st.mode !== 'ipvs' && st.mode !== 'none' ? ` (the kernel shows ${st.mode} rules instead)` : ''}; use --proxy-mode iptables or nftables` };
    }
  }
  return {
    ...(configuredProxyMode ? { configuredProxyMode } : {}), ...(ipvs ? { ipvs } : {}),
    namespace: o.namespace, name, type: spec.type ?? 'ClusterIP', clusterIPs, ports,
    endpointsByNode: [...perNode.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, endpoints]) => ({ node: n, endpoints })),
    node, proxyMode: st.mode, rules, ...(portalRules ? { portalRules } : {}),
  };
}
