/**
 * The kubelet's Prometheus metrics (upstream names), served on its API socket at /metrics.
 */
import { Counter, Gauge, Registry } from 'prom-client';

export interface KubeletMetricsSource { nodeName: string; runningPods(): number }

export class KubeletMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'kubelet_http_requests_total', help: 'Number of the http requests received since the server started', labelNames: ['method', 'path', 'server_type', 'long_running'], registers: [this.registry] });

  constructor(src: KubeletMetricsSource) {
    new Gauge({ name: 'kubelet_node_name', help: 'The node\'s name. The count is always 1.', labelNames: ['node'], registers: [this.registry] }).set({ node: src.nodeName }, 1);
    new Gauge({ name: 'kubelet_running_pods', help: 'Number of pods that have a running pod sandbox', registers: [this.registry], collect() { this.set(src.runningPods()); } });
  }

  /** Counts a request by its first path segment (containerLogs, exec, healthz, metrics). */
  request(method: string, pathname: string, longRunning: boolean): void {
    const first = pathname.split('/').filter(Boolean)[0] ?? '';
    const path = ['containerLogs', 'exec', 'healthz', 'metrics'].includes(first) ? first : 'other';
    this.httpRequests.inc({ method, path, server_type: 'readwrite', long_running: String(longRunning) });
  }
}
