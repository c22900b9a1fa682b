import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice as Slice } from 'kubernetes-types/discovery/v1.js';
import { isIPv4, parseIP } from '../util/addr.js';
import type { Endpoint, EndpointsMap, Protocol, ServiceMap, ServicePort } from './types.js';


const PROTOCOLS = new Set<Protocol>(['TCP', 'UDP', 'SCTP']);
const DEFAULT_AFFINITY_TIMEOUT = 10800;

/** Upstream ServicePortName.String(): "ns/name:port", just "ns/name" for an unnamed port. */
export function servicePortName(namespace: string, name: string, port: string | undefined): string {
  return port ? `${namespace}/${name}:${port}` : `${namespace}/${name}`;
}


/** Turns Service objects into ServicePorts (skipping headless, ExternalName and non-IPv4 ones). */
export function buildServiceMap(services: readonly Service[]): ServiceMap {
  const out: ServiceMap = new Map();
  for (const svc of services) {
    const ns = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name;
    const spec = svc.spec;
    if (!name || !spec) continue;
    if (spec.type === 'ExternalName') continue;
    const cip = spec.clusterIP;
    if (!isIPv4(cip)) continue; // None (headless), empty or IPv6
    const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter(isIPv4);
    const extIPs = (spec.externalIPs ?? []).filter(isIPv4);
    const clientIP = spec.sessionAffinity === 'ClientIP';
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT;
    for (const p of spec.ports ?? []) {
      const proto = (p.protocol ?? 'TCP') as Protocol;
      if (!PROTOCOLS.has(proto)) continue;
      const nodePort = (spec.type === 'NodePort' || spec.type === 'LoadBalancer') ? (p.nodePort ?? 0) : 0;
      const lb = spec.type === 'LoadBalancer' ? lbIPs : [];
      const external = nodePort > 0 || extIPs.length > 0 || lb.length > 0;
      const sp: ServicePort = {
        name: servicePortName(ns, name, p.name),
        namespace: ns, service: name, portName: p.name ?? '',
        clusterIP: cip, port: p.port, protocol: proto, nodePort,
        externalIPs: [...extIPs], loadBalancerIPs: [...lb],
        sessionAffinity: { clientIP, timeoutSeconds: timeout },
        externalPolicyLocal: external && spec.externalTrafficPolicy === 'Local',
        internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
        external,
      };
      out.set(sp.name, sp);
    }
  }
  return out;
}

/**
 * Turns EndpointSlices into endpoints per service port. Keeps ready endpoints, plus serving+terminating
 * ones (used only when a service has no ready endpoint, as upstream's fallback does). Endpoints are
 * deduplicated by ip:port and sorted by address for stable rule order.
 */
export function buildEndpointsMap(slices: readonly Slice[], nodeName?: string): EndpointsMap {
  const out: EndpointsMap = new Map();
  const seen = new Map<string, Set<string>>();
  for (const sl of slices) {
    if (sl.addressType !== 'IPv4') continue;
    const ns = sl.metadata?.namespace ?? 'default';
    const svc = sl.metadata?.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    for (const port of sl.ports ?? []) {
      if (port.port == null) continue;
      const spn = servicePortName(ns, svc, port.name ?? '');
      let list = out.get(spn);
      let dedup = seen.get(spn);
      if (!list) { list = []; out.set(spn, list); dedup = new Set(); seen.set(spn, dedup); }
      for (const ep of sl.endpoints ?? []) {
        const c = ep.conditions ?? {};
        const ready = c.ready !== false; // nil means ready
        const serving = c.serving ?? ready;
        const terminating = c.terminating ?? false;
        for (const ip of ep.addresses ?? []) {
          if (!isIPv4(ip)) continue;
          const key = `${ip}:${port.port}`;
          if (dedup!.has(key)) continue;
          dedup!.add(key);
          const e: Endpoint = { ip, port: port.port, ready, serving, terminating, ...(ep.nodeName ? { nodeName: ep.nodeName } : {}), local: !!nodeName && ep.nodeName === nodeName };
          list.push(e);
        }
      }
    }
  }
  for (const list of out.values()) sortEndpoints(list);
  return out;
}

/** Sorts endpoints by address, then port, in place (each address parsed once). */
function sortEndpoints(list: Endpoint[]): Endpoint[] {
  const v = new Map<string, bigint>();
  for (const e of list) if (!v.has(e.ip)) v.set(e.ip, parseIP(e.ip).value);
  return list.sort((a, b) => { const d = v.get(a.ip)! - v.get(b.ip)!; return d < 0n ? -1 : d > 0n ? 1 : a.port - b.port; });
}

/**
 * Upstream's CategorizeEndpoints: which endpoints serve cluster (internal) traffic and which serve
 * external traffic, given the traffic policies. Ready endpoints are used; if none is ready, serving
 * terminating ones are.
 */
export function categorizeEndpoints(sp: ServicePort, eps: readonly Endpoint[]): { cluster: Endpoint[]; local: Endpoint[]; all: Endpoint[]; clusterUsesLocal: boolean; externalUsesLocal: boolean } {
  const pick = (list: readonly Endpoint[]): Endpoint[] => {
    const ready = list.filter((e) => e.ready);
    return ready.length ? ready : list.filter((e) => e.serving && e.terminating);
  };
  const cluster = pick(eps);
  const local = pick(eps.filter((e) => e.local));
  const clusterUsesLocal = sp.internalPolicyLocal;
  const externalUsesLocal = sp.externalPolicyLocal;
  const all = new Map<string, Endpoint>();
  if (!clusterUsesLocal || (sp.external && !externalUsesLocal)) for (const e of cluster) all.set(`${e.ip}:${e.port}`, e);
  if (clusterUsesLocal || externalUsesLocal) for (const e of local) all.set(`${e.ip}:${e.port}`, e);
  return { cluster, local, all: sortEndpoints([...all.values()]), clusterUsesLocal, externalUsesLocal };
}

/**
 * buildServiceMap/buildEndpointsMap for a sync loop: an unchanged Service or EndpointSlice object (informers replace
 * objects on change) yields the very same ServicePort / Endpoint[] objects as last time, so proxiers can skip
 * unchanged services by identity, and a sync at 10k services does not re-parse 10k objects.
 */
export class TrackerCache {
  private svc = new WeakMap<Service, ServicePort[]>();
  private sl = new WeakMap<Slice, EndpointsMap>();
  constructor(private readonly nodeName?: string) {}

  serviceMap(services: Iterable<Service>): ServiceMap {
    const out: ServiceMap = new Map();
    for (const s of services) {
      let sps = this.svc.get(s);
      if (!sps) { sps = [...buildServiceMap([s]).values()]; this.svc.set(s, sps); }
      for (const sp of sps) out.set(sp.name, sp);
    }
    return out;
  }

  endpointsMap(slices: Iterable<Slice>): EndpointsMap {
    const out: EndpointsMap = new Map();
    const bySpn = new Map<string, Slice[]>();
    const multi = new Set<string>();
    for (const s of slices) {
      let m = this.sl.get(s);
      if (!m) { m = buildEndpointsMap([s], this.nodeName); this.sl.set(s, m); }
      for (const [spn, eps] of m) {
        const list = bySpn.get(spn);
        if (list) { list.push(s); multi.add(spn); } else { bySpn.set(spn, [s]); out.set(spn, eps); }
      }
    }
    // A service port spread over several slices: merged (deduplicated, sorted) as buildEndpointsMap does.
    for (const spn of multi) out.set(spn, buildEndpointsMap(bySpn.get(spn)!, this.nodeName).get(spn) ?? []);
    return out;
  }
}
