import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the DNS server (names in CoreDNS's spirit, under podnet_dns_). */
export interface DnsMetrics {
  registry: Registry;
  requests: Counter<'proto' | 'type'>;
  responses: Counter<'rcode'>;
  dropped: Counter;
  cacheHits: Counter;
  cacheMisses: Counter;
  duration: Histogram<'proto'>;
  upstreamDuration: Histogram;
}

export function createDnsMetrics(): DnsMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({ name: 'podnet_dns_requests_total', help: 'DNS requests by transport and query type', labelNames: ['proto', 'type'], registers: [registry] }),
    responses: new Counter({ name: 'podnet_dns_responses_total', help: 'DNS responses by rcode', labelNames: ['rcode'], registers: [registry] }),
    dropped: new Counter({ name: 'podnet_dns_dropped_total', help: 'Packets dropped unanswered (too short, or responses)', registers: [registry] }),
    cacheHits: new Counter({ name: 'podnet_dns_cache_hits_total', help: 'Forwarded queries answered from the cache', registers: [registry] }),
    cacheMisses: new Counter({ name: 'podnet_dns_cache_misses_total', help: 'Forwarded queries not in the cache', registers: [registry] }),
    duration: new Histogram({ name: 'podnet_dns_request_duration_seconds', help: 'Time to answer a request', labelNames: ['proto'], buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2], registers: [registry] }),
    upstreamDuration: new Histogram({ name: 'podnet_dns_upstream_duration_seconds', help: 'Upstream round-trip time', buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2], registers: [registry] }),
  };
}
