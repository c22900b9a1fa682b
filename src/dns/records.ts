import { familyOf, isIPv4, isIPv6 } from '../util/addr.js';
import type { Answer } from 'dns-packet';
import type { ClusterView, DnsEndpoint, DnsService } from './view.js';

/**
 * Answers for the cluster zone, per the Kubernetes DNS-Based Service Discovery specification
 * (schema 1.1.0): Service A/AAAA/SRV/PTR/CNAME, headless endpoints, pod records, SOA/NS,
 * dns-version TXT. Pure: a question and a ClusterView in, records out.
 */
export interface ZoneConfig {
  zone: string;          // 'cluster.local' (no trailing dot)
  ttl: number;           // record TTL, seconds (CoreDNS default 5)
  dnsServiceIPs: string[]; // address(es) of the DNS Service, for ns.dns.<zone>
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'FORMERR' | 'NOTIMP' | 'REFUSED';

export interface ZoneAnswer {
  rcode: Rcode;
  answers: Answer[];
  authority: Answer[];
  additionals: Answer[];
  /** Set when an in-zone CNAME points outside the zone: the caller may resolve the target upstream. */
  chaseTarget?: string;
}

const SCHEMA_VERSION = '1.1.0';

/** True when the name belongs to the zone (or its reverse zones, for PTR we answer). */
export function inZone(name: string, zone: string): boolean {
  const n = norm(name);
  return n === zone || n.endsWith('.' + zone);
}

function norm(name: string): string { return name.toLowerCase().replace(/\.$/, ''); }

/** `a-b-c-d` ↔ IPv4, `2001-db8--1` ↔ IPv6, as the spec/CoreDNS spell endpoint and pod labels. */
export function dashedIP(ip: string): string { return familyOf(ip) === 4 ? ip.replace(/\./g, '-') : ip.replace(/:/g, '-'); }
export function undashIP(label: string): string | undefined {
  const v4 = label.replace(/-/g, '.');
  if (isIPv4(v4)) return v4;
  const v6 = label.replace(/-/g, ':');
  return isIPv6(v6) ? v6 : undefined;
}

/** Reverse name (`4.3.2.1.in-addr.arpa`, nibble `ip6.arpa`) → address, or undefined. */
export function reverseToIP(name: string): string | undefined {
  const n = norm(name);
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return undefined;
    const ip = parts.reverse().join('.');
    return isIPv4(ip) ? ip : undefined;
  }
  if (n.endsWith('.ip6.arpa')) {
    const nibbles = n.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || nibbles.some((x) => !/^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse().join('');
    const ip = hex.match(/.{4}/g)!.join(':');
    return isIPv6(ip) ? ip : undefined;
  }
  return undefined;
}

function soa(cfg: ZoneConfig, serial: number): Answer {
  return {
    name: cfg.zone, type: 'SOA', ttl: cfg.ttl, class: 'IN',
    data: { mname: `ns.dns.${cfg.zone}`, rname: `hostmaster.${cfg.zone}`, serial, refresh: 7200, retry: 1800, expire: 86400, minimum: cfg.ttl },
  };
}

function aRecords(name: string, ips: string[], qtype: string, ttl: number): Answer[] {
  const out: Answer[] = [];
  for (const ip of ips) {
    if ((qtype === 'A' || qtype === 'ANY') && isIPv4(ip)) out.push({ name, type: 'A', ttl, class: 'IN', data: ip });
    if ((qtype === 'AAAA' || qtype === 'ANY') && isIPv6(ip)) out.push({ name, type: 'AAAA', ttl, class: 'IN', data: ip });
  }
  return out;
}

function addrRecordsAnyFamily(name: string, ip: string, ttl: number): Answer {
  return isIPv4(ip) ? { name, type: 'A', ttl, class: 'IN', data: ip } : { name, type: 'AAAA', ttl, class: 'IN', data: ip };
}

/** The endpoints DNS publishes for a headless Service: ready ones (or all with publishNotReadyAddresses). */
function published(view: ClusterView, svc: DnsService): DnsEndpoint[] {
  return view.endpoints(svc.namespace, svc.name).filter((e) => e.ready || svc.publishNotReadyAddresses);
}

/** The label an endpoint is known by under its Service: its hostname, else its dashed IP. */
function endpointLabel(e: DnsEndpoint): string { return e.hostname ?? dashedIP(e.ip); }

/**
 * Answers `qname`/`qtype` from the cluster view. Names outside the zone (and reverse names we
 * don't know) return undefined: the caller forwards them.
 */
export function answerQuestion(qname: string, qtype: string, view: ClusterView, cfg: ZoneConfig): ZoneAnswer | undefined {
  const name = norm(qname);
  const ttl = cfg.ttl;
  const serial = view.generation();
  const ok = (answers: Answer[], additionals: Answer[] = []): ZoneAnswer =>
    answers.length ? { rcode: 'NOERROR', answers, authority: [], additionals }
      : { rcode: 'NOERROR', answers: [], authority: [soa(cfg, serial)], additionals: [] };
  const nx = (): ZoneAnswer => ({ rcode: 'NXDOMAIN', answers: [], authority: [soa(cfg, serial)], additionals: [] });

  if (qtype === 'PTR') {
    const ip = reverseToIP(name);
    if (!ip) return inZone(name, cfg.zone) ? nx() : undefined;
    const answers: Answer[] = [];
    for (const s of view.servicesByIP(ip)) answers.push({ name, type: 'PTR', ttl, class: 'IN', data: `${s.name}.${s.namespace}.svc.${cfg.zone}` });
    // Endpoints of headless Services are known by their hostname, else by their dashed IP (the same
    // label their A record has), as CoreDNS answers them; only endpoints DNS publishes get one.
    const seen = new Set<string>();
    for (const { service, endpoint } of view.endpointsByIP(ip)) {
      if (!service.headless || !(endpoint.ready || service.publishNotReadyAddresses)) continue;
      const target = `${endpointLabel(endpoint)}.${service.name}.${service.namespace}.svc.${cfg.zone}`;
      if (seen.has(target)) continue;
      seen.add(target);
      answers.push({ name, type: 'PTR', ttl, class: 'IN', data: target });
    }
    return answers.length ? ok(answers) : undefined;   // unknown reverse names fall through to upstream
  }

  if (!inZone(name, cfg.zone)) return undefined;
  const rel = name === cfg.zone ? [] : name.slice(0, -(cfg.zone.length + 1)).split('.');

  // Zone apex: SOA and NS.
  if (rel.length === 0) {
    if (qtype === 'SOA') return ok([soa(cfg, serial)]);
    if (qtype === 'NS') {
      const nsName = `ns.dns.${cfg.zone}`;
      return ok([{ name: cfg.zone, type: 'NS', ttl, class: 'IN', data: nsName }], cfg.dnsServiceIPs.map((ip) => addrRecordsAnyFamily(nsName, ip, ttl)));
    }
    return ok([]);
  }
  const last = rel[rel.length - 1]!;

  if (rel.length === 1 && last === 'dns-version') {
    return ok(qtype === 'TXT' || qtype === 'ANY' ? [{ name, type: 'TXT', ttl, class: 'IN', data: [SCHEMA_VERSION] }] : []);
  }
  if (rel.length === 2 && rel[0] === 'ns' && rel[1] === 'dns') return ok(cfg.dnsServiceIPs.flatMap((ip) => aRecords(name, [ip], qtype, ttl)));
  if (rel.length === 1 && last === 'dns') return ok([]);

  if (last === 'svc') return answerSvc(name, rel.slice(0, -1), qtype, view, cfg, ok, nx);

  if (last === 'pod') {
    if (rel.length === 1) return ok([]);
    const ns = rel[rel.length - 2]!;
    if (rel.length === 2) return view.namespaceExists(ns) ? ok([]) : nx();
    if (rel.length !== 3) return nx();
    const ip = undashIP(rel[0]!);
    if (!ip || !view.podExists(ns, ip)) return nx();
    return ok(aRecords(name, [ip], qtype, ttl));
  }
  return nx();
}

function answerSvc(
  name: string, rel: string[], qtype: string, view: ClusterView, cfg: ZoneConfig,
  ok: (a: Answer[], add?: Answer[]) => ZoneAnswer, nx: () => ZoneAnswer,
): ZoneAnswer {
  const ttl = cfg.ttl;
  // rel is reversed-meaning: [..., svcName, ns]
  if (rel.length === 0) return ok([]);
  const ns = rel[rel.length - 1]!;
  if (rel.length === 1) return view.namespaceExists(ns) ? ok([]) : nx();
  const svcName = rel[rel.length - 2]!;
  const svc = view.service(ns, svcName);
  if (!svc) return nx();
  const svcFqdn = `${svc.name}.${svc.namespace}.svc.${cfg.zone}`;

  // <service>.<ns>.svc.<zone>
  if (rel.length === 2) {
    if (svc.type === 'ExternalName' && svc.externalName) {
      const target = norm(svc.externalName);
      const res = ok([{ name, type: 'CNAME', ttl, class: 'IN', data: target }]);
      if (qtype !== 'CNAME') {
        if (inZone(target, cfg.zone)) {
          const inner = answerQuestion(target, qtype, view, cfg);
          if (inner) res.answers.push(...inner.answers);
        } else res.chaseTarget = target;
      }
      return res;
    }
    if (qtype === 'SRV') return ok(...srvForService(svc, svc.ports.filter((p) => p.name), view, cfg));
    const ips = svc.headless ? published(view, svc).map((e) => e.ip) : svc.clusterIPs;
    return ok(aRecords(name, ips, qtype, ttl));
  }

  // _<port>._<proto>.<service>.<ns>.svc.<zone>
  if (rel.length === 4 && rel[0]!.startsWith('_') && rel[1]!.startsWith('_')) {
    const portName = rel[0]!.slice(1);
    const proto = rel[1]!.slice(1).toUpperCase();
    const ports = svc.ports.filter((p) => p.name === portName && p.protocol === proto);
    if (!ports.length) return nx();
    if (qtype !== 'SRV' && qtype !== 'ANY') return ok([]);
    return ok(...srvForService(svc, ports, view, cfg, name));
  }

  // <hostname>.<service>.<ns>.svc.<zone> — headless endpoints (and pods by hostname/subdomain)
  if (rel.length === 3 && svc.headless) {
    const label = rel[0]!;
    const ips = published(view, svc).filter((e) => endpointLabel(e) === label).map((e) => e.ip);
    const podIP = view.podByHostname(ns, svc.name, label);
    if (podIP && !ips.includes(podIP)) ips.push(podIP);
    if (!ips.length) return nx();
    return ok(aRecords(name, ips, qtype, ttl));
  }
  void svcFqdn;
  return nx();
}

/** SRV records (priority 0, weight 100 like CoreDNS) plus the targets' address records. */
function srvForService(
  svc: DnsService, ports: DnsService['ports'], view: ClusterView, cfg: ZoneConfig, owner?: string,
): [Answer[], Answer[]] {
  const ttl = cfg.ttl;
  const svcFqdn = `${svc.name}.${svc.namespace}.svc.${cfg.zone}`;
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  for (const p of ports) {
    const name = owner ?? svcFqdn;
    if (!svc.headless) {
      answers.push({ name, type: 'SRV', ttl, class: 'IN', data: { priority: 0, weight: 100, port: p.port, target: svcFqdn } });
    } else {
      for (const e of published(view, svc)) {
        const target = `${endpointLabel(e)}.${svcFqdn}`;
        answers.push({ name, type: 'SRV', ttl, class: 'IN', data: { priority: 0, weight: 100, port: p.port, target } });
      }
    }
  }
  if (!svc.headless) for (const ip of svc.clusterIPs) additionals.push(addrRecordsAnyFamily(svcFqdn, ip, ttl));
  else for (const e of published(view, svc)) additionals.push(addrRecordsAnyFamily(`${endpointLabel(e)}.${svcFqdn}`, e.ip, ttl));
  // One address record per target is enough even when several ports share it.
  const uniq = new Map(additionals.map((a) => [`${a.name}|${(a as { data: string }).data}`, a]));
  return [answers, [...uniq.values()]];
}
