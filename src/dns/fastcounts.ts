import { DURATION_BUCKETS } from './metrics.js';

/** A metric as prom-client's getMetricsAsJSON gives it (what AggregatorRegistry.aggregate sums). */
export interface MetricJson {
  name: string; help: string; type: 'counter' | 'histogram'; aggregator: 'sum';
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

/**
 * The DNS counters of a batched UDP thread, kept as plain numbers (prom-client's labelled
 * counters cost more per query than the answer itself) and handed out as prom-client JSON under
 * the same names as DnsMetrics, so the primary sums them with its own. Answers of one batch go
 * out together, so each is observed with the batch's time (from the read to the send).
 */
export class FastPathCounts {
  private readonly byType = new Map<string, number>();
  private readonly byRcode = new Map<string, number>();
  private readonly buckets = new Float64Array(DURATION_BUCKETS.length);
  private sum = 0;
  private count = 0;
  dropped = 0;

  /** One answered query of this type and rcode. */
  answered(type: string, rcode: string): void {
    this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
    this.byRcode.set(rcode, (this.byRcode.get(rcode) ?? 0) + 1);
  }

  /** `n` answers that took `seconds` each. */
  observe(n: number, seconds: number): void {
    if (!n) return;
    this.count += n;
    this.sum += n * seconds;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) if (seconds <= DURATION_BUCKETS[i]!) { this.buckets[i]! += n; break; }
  }

  toJSON(): MetricJson[] {
    const hist: MetricJson['values'] = [];
    let cum = 0;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      cum += this.buckets[i]!;
      hist.push({ value: cum, labels: { le: DURATION_BUCKETS[i]!, proto: 'udp' }, metricName: 'podnet_dns_request_duration_seconds_bucket' });
    }
    hist.push({ value: this.count, labels: { le: '+Inf', proto: 'udp' }, metricName: 'podnet_dns_request_duration_seconds_bucket' });
    hist.push({ value: this.sum, labels: { proto: 'udp' }, metricName: 'podnet_dns_request_duration_seconds_sum' });
    hist.push({ value: this.count, labels: { proto: 'udp' }, metricName: 'podnet_dns_request_duration_seconds_count' });
    return [
      { name: 'podnet_dns_requests_total', help: 'DNS requests by transport and query type', type: 'counter', aggregator: 'sum',
        values: [...this.byType].map(([type, value]) => ({ value, labels: { proto: 'udp', type } })) },
      { name: 'podnet_dns_responses_total', help: 'DNS responses by rcode', type: 'counter', aggregator: 'sum',
        values: [...this.byRcode].map(([rcode, value]) => ({ value, labels: { rcode } })) },
      { name: 'podnet_dns_dropped_total', help: 'Packets dropped unanswered (too short, or responses)', type: 'counter', aggregator: 'sum',
        values: [{ value: this.dropped, labels: {} }] },
      { name: 'podnet_dns_request_duration_seconds', help: 'Time to answer a request', type: 'histogram', aggregator: 'sum', values: hist },
    ];
  }
}
