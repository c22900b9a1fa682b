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
  return chains;
}

/** `podnet inspect svc NAME`: the Service, its EndpointSlices, and the chosen node's rules for it. */
export async function inspectSvcCommand(name: string, o: { namespace: string; kubeconfig: string; lab?: string; stateDir?: string; node?: string }): Promise<SvcInspection> {
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
  return {
    namespace: o.namespace, name, type: spec.type ?? 'ClusterIP', clusterIPs, ports,
    endpointsByNode: [...perNode.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, endpoints]) => ({ node: n, endpoints })),
    node, proxyMode: st.mode, rules, ...(portalRules ? { portalRules } : {}),
  };
}
