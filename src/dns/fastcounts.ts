import { createRequire } from 'node:module';
import { DURATION_BUCKETS } from './metrics.js';
import { RCODE_NAMES } from './respond.js';

const typeName = (createRequire(import.meta.url)('dns-packet/types.js') as { toString(t: number): string }).toString;

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
  /** Answers by query type number (the common ones) and by rcode number; rarer types in a map. */
  private readonly byType = new Float64Array(256);
  private readonly byRareType = new Map<number, number>();
  private readonly byRcode = new Float64Array(16);
  private readonly buckets = new Float64Array(DURATION_BUCKETS.length);
  private sum = 0;
  private count = 0;
  dropped = 0;

  /** One answered query of this type and rcode (numbers as on the wire). */
  answered(qtype: number, rcode: number): void {
    if (qtype < 256) this.byType[qtype]!++;
    else this.byRareType.set(qtype, (this.byRareType.get(qtype) ?? 0) + 1);
    this.byRcode[rcode & 0xf]!++;
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
    const types = new Map<string, number>();
    const add = (t: number, n: number): void => { if (n) { const k = typeName(t); types.set(k, (types.get(k) ?? 0) + n); } };
    this.byType.forEach((n, t) => add(t, n));
    for (const [t, n] of this.byRareType) add(t, n);
    const rcodes = new Map<string, number>();
    this.byRcode.forEach((n, r) => { if (n) { const k = RCODE_NAMES[r] ?? `RCODE${r}`; rcodes.set(k, (rcodes.get(k) ?? 0) + n); } });
    return [
      { name: 'podnet_dns_requests_total', help: 'DNS requests by transport and query type', type: 'counter', aggregator: 'sum',
        values: [...types].map(([type, value]) => ({ value, labels: { proto: 'udp', type } })) },
      { name: 'podnet_dns_responses_total', help: 'DNS responses by rcode', type: 'counter', aggregator: 'sum',
        values: [...rcodes].map(([rcode, value]) => ({ value, labels: { rcode } })) },
      { name: 'podnet_dns_dropped_total', help: 'Packets dropped unanswered (too short, or responses)', type: 'counter', aggregator: 'sum',
        values: [{ value: this.dropped, labels: {} }] },
      { name: 'podnet_dns_request_duration_seconds', help: 'Time to answer a request', type: 'histogram', aggregator: 'sum', values: hist },
    ];
  }
}
