import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the DNS server (names in CoreDNS's spirit, under podnet_dns_). */
export interface DnsMetrics {
  /** Everything /metrics shows: the DNS metrics below plus the process's default metrics. */
  registry: Registry;
  /** The DNS metrics alone (what UDP worker processes count and the primary sums up). */
  dnsRegistry: Registry;
  /** The process's default metrics alone. */
  processRegistry: Registry;
  requests: Counter<'proto' | 'type'>;
  responses: Counter<'rcode'>;
  dropped: Counter;
  cacheHits: Counter;
  cacheMisses: Counter;
  duration: Histogram<'proto'>;
  upstreamDuration: Histogram;
}

/** Bucket bounds (seconds) of podnet_dns_request_duration_seconds. */
export const DURATION_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2];

export function createDnsMetrics({ processMetrics = true }: { processMetrics?: boolean } = {}): DnsMetrics {
  const registry = new Registry();
  const processRegistry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: processRegistry });
  const m = {
    requests: new Counter({ name: 'podnet_dns_requests_total', help: 'DNS requests by transport and query type', labelNames: ['proto', 'type'], registers: [registry] }),
    responses: new Counter({ name: 'podnet_dns_responses_total', help: 'DNS responses by rcode', labelNames: ['rcode'], registers: [registry] }),
    dropped: new Counter({ name: 'podnet_dns_dropped_total', help: 'Packets dropped unanswered (too short, or responses)', registers: [registry] }),
    cacheHits: new Counter({ name: 'podnet_dns_cache_hits_total', help: 'Forwarded queries answered from the cache', registers: [registry] }),
    cacheMisses: new Counter({ name: 'podnet_dns_cache_misses_total', help: 'Forwarded queries not in the cache', registers: [registry] }),
    duration: new Histogram({ name: 'podnet_dns_request_duration_seconds', help: 'Time to answer a request', labelNames: ['proto'], buckets: DURATION_BUCKETS, registers: [registry] }),
    upstreamDuration: new Histogram({ name: 'podnet_dns_upstream_duration_seconds', help: 'Upstream round-trip time', buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2], registers: [registry] }),
  };
  const dnsRegistry = registry;
  return { ...m, registry: Registry.merge([processRegistry, dnsRegistry]), dnsRegistry, processRegistry };
}
