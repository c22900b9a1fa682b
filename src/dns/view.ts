import type { KObject } from '../meta/types.js';

/** What the DNS records need to know about one Service. */
export interface DnsService {
  namespace: string;
  name: string;
  type: string;                    // ClusterIP | NodePort | LoadBalancer | ExternalName
  clusterIPs: string[];            // empty for headless
  headless: boolean;
  externalName?: string;
  publishNotReadyAddresses: boolean;
  ports: { name: string; protocol: string; port: number }[];
}
/** One endpoint address of a Service, from its EndpointSlices. */
export interface DnsEndpoint { ip: string; hostname?: string; ready: boolean; serving: boolean }

/** Read-only view of the cluster that DNS answers come from (kept current by informers). */
export interface ClusterView {
  namespaceExists(ns: string): boolean;
  service(ns: string, name: string): DnsService | undefined;
  /** All endpoints of a Service, across its slices, deduplicated by IP. */
  endpoints(ns: string, name: string): DnsEndpoint[];
  servicesByIP(ip: string): DnsService[];
  /** Headless-service endpoints by IP (for PTR): the Services whose slices list the IP. */
  endpointsByIP(ip: string): { service: DnsService; endpoint: DnsEndpoint }[];
  /** Pods by IP in a namespace (for verified pod records). */
  podExists(ns: string, ip: string): boolean;
  /** A pod with spec.hostname=hostname and spec.subdomain=subdomain in ns, if it has an IP. */
  podByHostname(ns: string, subdomain: string, hostname: string): string | undefined;
  /** Bumps on every change; usable as the SOA serial. */
  generation(): number;
  /** Every Service (for precomputing answers; views without it get no precomputed table). */
  listServices?(): Iterable<DnsService>;
  /** Calls `fn` after every change; returns the unsubscribe function. */
  onChange?(fn: () => void): () => void;
}

type Obj = KObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

function key(ns: string | undefined, name: string | undefined): string { return `${ns ?? ''}/${name ?? ''}`; }

function toDnsService(o: Obj): DnsService {
  const spec = (o.spec ?? {}) as {
    type?: string; clusterIP?: string; clusterIPs?: string[]; externalName?: string; publishNotReadyAddresses?: boolean;
    ports?: { name?: string; protocol?: string; port: number }[];
  };
  const ips = (spec.clusterIPs && spec.clusterIPs.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []).filter((ip) => ip && ip !== 'None');
  const type = spec.type ?? 'ClusterIP';
  return {
    namespace: o.metadata.namespace ?? 'default',
    name: o.metadata.name ?? '',
    type,
    clusterIPs: ips,
    headless: type !== 'ExternalName' && (spec.clusterIP === 'None' || ips.length === 0),
    externalName: spec.externalName,
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
    ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: (p.protocol ?? 'TCP').toUpperCase(), port: p.port })),
  };
}

interface SliceEntry { service: string; endpoints: DnsEndpoint[] }

/** An in-memory ClusterView fed by informer events (pure; unit-testable without an API). */
export class IndexedClusterView implements ClusterView {
  private readonly namespaces = new Set<string>();
  private readonly services = new Map<string, DnsService>();
  private readonly slices = new Map<string, SliceEntry>();        // ns/sliceName → entry
  private readonly pods = new Map<string, { ns: string; ips: string[]; hostname?: string; subdomain?: string }>();
  private gen = 1;
  private readonly listeners = new Set<() => void>();
  private readonly byIP = new Map<string, DnsService[]>();
  private byIPGen = 0;

  generation(): number { return this.gen; }
  private bump(): void { this.gen++; for (const fn of this.listeners) fn(); }
  onChange(fn: () => void): () => void { this.listeners.add(fn); return () => { this.listeners.delete(fn); }; }
  listServices(): Iterable<DnsService> { return this.services.values(); }

  upsertNamespace(o: KObject): void { if (o.metadata.name) this.namespaces.add(o.metadata.name); this.bump(); }
  deleteNamespace(o: KObject): void { if (o.metadata.name) this.namespaces.delete(o.metadata.name); this.bump(); }

  upsertService(o: KObject): void { const s = toDnsService(o as Obj); this.services.set(key(s.namespace, s.name), s); this.bump(); }
  deleteService(o: KObject): void { this.services.delete(key(o.metadata.namespace ?? 'default', o.metadata.name)); this.bump(); }

  upsertEndpointSlice(o: KObject): void {
    const svc = o.metadata.labels?.['kubernetes.io/service-name'];
    const k = key(o.metadata.namespace, o.metadata.name);
    if (!svc) { this.slices.delete(k); this.bump(); return; }
    const eps = ((o as { endpoints?: unknown }).endpoints ?? []) as {
      addresses?: string[]; hostname?: string; conditions?: { ready?: boolean | null; serving?: boolean | null };
    }[];
    const list: DnsEndpoint[] = [];
    for (const e of eps) {
      const ready = e.conditions?.ready !== false;         // nil means ready (API semantics)
      const serving = e.conditions?.serving ?? ready;
      for (const ip of e.addresses ?? []) list.push({ ip, hostname: e.hostname, ready, serving: serving !== false });
    }
    this.slices.set(k, { service: key(o.metadata.namespace, svc), endpoints: list });
    this.bump();
  }
  deleteEndpointSlice(o: KObject): void { this.slices.delete(key(o.metadata.namespace, o.metadata.name)); this.bump(); }

  upsertPod(o: KObject): void {
    const p = o as Obj;
    const st = (p.status ?? {}) as { podIP?: string; podIPs?: { ip: string }[] };
    const spec = (p.spec ?? {}) as { hostname?: string; subdomain?: string; hostNetwork?: boolean };
    const ips = st.podIPs?.length ? st.podIPs.map((x) => x.ip) : st.podIP ? [st.podIP] : [];
    this.pods.set(key(p.metadata.namespace, p.metadata.name), { ns: p.metadata.namespace ?? 'default', ips, hostname: spec.hostname, subdomain: spec.subdomain });
    this.bump();
  }
  deletePod(o: KObject): void { this.pods.delete(key(o.metadata.namespace, o.metadata.name)); this.bump(); }

  namespaceExists(ns: string): boolean {
    if (this.namespaces.has(ns)) return true;
    for (const s of this.services.values()) if (s.namespace === ns) return true;
    return false;
  }
  service(ns: string, name: string): DnsService | undefined { return this.services.get(key(ns, name)); }
  endpoints(ns: string, name: string): DnsEndpoint[] {
    const want = key(ns, name);
    const seen = new Map<string, DnsEndpoint>();
    for (const s of this.slices.values()) {
      if (s.service !== want) continue;
      for (const e of s.endpoints) if (!seen.has(e.ip) || (e.ready && !seen.get(e.ip)!.ready)) seen.set(e.ip, e);
    }
    return [...seen.values()];
  }
  servicesByIP(ip: string): DnsService[] {
    // Indexed once per generation (in the services' order), so answering every PTR stays linear.
    if (this.byIPGen !== this.gen) {
      this.byIP.clear();
      for (const svc of this.services.values()) {
        for (const a of new Set(svc.clusterIPs)) { const l = this.byIP.get(a); if (l) l.push(svc); else this.byIP.set(a, [svc]); }
      }
      this.byIPGen = this.gen;
    }
    return [...(this.byIP.get(ip) ?? [])];
  }
  endpointsByIP(ip: string): { service: DnsService; endpoint: DnsEndpoint }[] {
    const out: { service: DnsService; endpoint: DnsEndpoint }[] = [];
    for (const s of this.slices.values()) {
      const svc = this.services.get(s.service);
      if (!svc) continue;
      for (const e of s.endpoints) if (e.ip === ip) out.push({ service: svc, endpoint: e });
    }
    return out;
  }
  podExists(ns: string, ip: string): boolean {
    for (const p of this.pods.values()) if (p.ns === ns && p.ips.includes(ip)) return true;
    return false;
  }
  podByHostname(ns: string, subdomain: string, hostname: string): string | undefined {
    for (const p of this.pods.values()) {
      if (p.ns === ns && p.subdomain === subdomain && p.hostname === hostname && p.ips.length) return p.ips[0];
    }
    return undefined;
  }
}
