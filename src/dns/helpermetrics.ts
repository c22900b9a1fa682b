/**
 * /metrics of a DNS server whose UDP answers come from helpers (worker threads or cluster
 * processes): each helper is asked for its DNS counters over its message channel, and the answers
 * are summed with this process's own (prom-client's AggregatorRegistry). A helper that does not
 * answer in time is left out of that scrape rather than holding it up.
 */
import { AggregatorRegistry } from 'prom-client';
import type { MetricsSource } from './http.js';
import type { DnsMetrics } from './metrics.js';

const METRICS_TIMEOUT_MS = 2000;

/** Requests to helpers, matched to their answers by sequence number. */
export class HelperMetricsRequests<H> {
  private seq = 0;
  private readonly waiters = new Map<number, (json: object[]) => void>();

  /** @param ask sends `{ t: 'metrics?', seq }` to one helper */
  constructor(private readonly ask: (helper: H, seq: number) => void) {}

  /** A helper's `{ t: 'metrics', seq, json }` answer. */
  answer(seq: number, json: object[]): void { this.waiters.get(seq)?.(json); }

  /** One helper's counters, or undefined when it did not answer in time. */
  of(helper: H): Promise<object[] | undefined> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiters.delete(seq); resolve(undefined); }, METRICS_TIMEOUT_MS);
      this.waiters.set(seq, (json) => { clearTimeout(timer); this.waiters.delete(seq); resolve(json); });
      this.ask(helper, seq);
    });
  }

  /** The /metrics source: this process's metrics with the DNS counters summed over it and every helper. */
  source(metrics: DnsMetrics, helpers: () => Iterable<H>): MetricsSource {
    return {
      contentType: metrics.registry.contentType,
      metrics: async () => {
        const own = await metrics.dnsRegistry.getMetricsAsJSON();
        const theirs = await Promise.all([...helpers()].map((h) => this.of(h)));
        const dns = AggregatorRegistry.aggregate([own, ...theirs.filter((x): x is object[] => x !== undefined)] as Parameters<typeof AggregatorRegistry.aggregate>[0]);
        return (await metrics.processRegistry.metrics()) + (await dns.metrics());
      },
    };
  }
}
