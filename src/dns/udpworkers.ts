import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../util/log.js';
import { PodnetError } from '../util/errors.js';
import type { DnsMetrics } from './metrics.js';
import { HelperMetricsRequests } from './helpermetrics.js';
import type { MetricsSource } from './http.js';
import type { DnsServer, Listener } from './server.js';
import { asBuffer, type FromWorker, type ToWorker } from './udpproto.js';

const WORKER_MAIN = fileURLToPath(new URL('./udpworker.js', import.meta.url));

/**
 * UDP served by N cluster worker processes, so queries use every core. Node 20 has no
 * SO_REUSEPORT for dgram; instead the cluster primary (this process) binds one socket per
 * listener and shares it with every worker, and the kernel hands each datagram to whichever
 * worker reads first. This process keeps the informers, the view and the full path: it ships
 * the precomputed answer table to the workers whenever the view changes (and tells them at
 * once when their table went stale), answers the queries they pass on, and keeps TCP.
 */
export class UdpWorkerPool {
  private readonly workers = new Set<Worker>();
  private closing = false;
  private listeners: Listener[] = [];
  private readonly metricsRequests = new HelperMetricsRequests<Worker>((w, seq) => this.post(w, { t: 'metrics?', seq }));
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly server: DnsServer, private readonly log?: Logger) {}

  /** Forks `n` workers bound to `listeners`; resolves with the bound addresses (port 0 → the port picked). */
  async start(listeners: Listener[], n: number): Promise<Listener[]> {
    if (!cluster.isPrimary) throw new PodnetError('EDNSWORKERS', 'UDP workers can only be started by the primary process');
    cluster.setupPrimary({ exec: WORKER_MAIN, args: [], serialization: 'advanced' });
    this.unsubscribe = this.server.onTable((t) => this.broadcast(t ? { t: 'table', buf: t.encode() } : { t: 'stale' }));
    // The first worker binds (port 0 resolves there); the rest share what it bound.
    const addresses = await this.spawn(listeners);
    this.listeners = addresses;
    await Promise.all(Array.from({ length: n - 1 }, () => this.spawn(addresses)));
    return addresses;
  }

  private spawn(listeners: Listener[]): Promise<Listener[]> {
    const w = cluster.fork();
    this.workers.add(w);
    return new Promise((resolve, reject) => {
      let bound = false;
      w.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'hello': this.post(w, { t: 'init', listeners }); return;
          case 'bound': {
            bound = true;
            const t = this.server.currentTable();
            if (t) this.post(w, { t: 'table', buf: t.encode() });
            resolve(m.addresses);
            return;
          }
          case 'bindError': reject(new PodnetError('EDNSWORKERS', `UDP worker could not bind: ${m.message}`)); return;
          case 'query': this.answer(w, m.seq, asBuffer(m.msg)); return;
          case 'metrics': this.metricsRequests.answer(m.seq, m.json); return;
        }
      });
      w.on('exit', (code, signal) => {
        this.workers.delete(w);
        if (!bound) { reject(new PodnetError('EDNSWORKERS', `UDP worker exited before binding (${signal ?? code})`)); return; }
        if (this.closing) return;
        this.log?.error({ pid: w.process.pid, code, signal }, 'UDP worker died; starting another');
        this.spawn(this.listeners).catch((e: unknown) => this.log?.error({ err: (e as Error).message }, 'could not restart a UDP worker'));
      });
    });
  }

  private answer(w: Worker, seq: number, msg: Buffer): void {
    this.server.handleUdp(msg).then(
      (r) => this.post(w, { t: 'reply', seq, out: r.out, learn: r.learn }),
      (e: unknown) => { this.log?.error({ err: (e as Error).message }, 'udp request failed'); this.post(w, { t: 'reply', seq }); },
    );
  }

  private post(w: Worker, m: ToWorker): void {
    if (w.isConnected()) w.send(m);
  }

  private broadcast(m: ToWorker): void { for (const w of this.workers) this.post(w, m); }

  /** /metrics: this process's metrics with the DNS counters summed over it and every worker. */
  metricsSource(metrics: DnsMetrics): MetricsSource {
    return this.metricsRequests.source(metrics, () => this.workers);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    await Promise.all([...this.workers].map((w) => new Promise<void>((r) => {
      if (w.isDead()) { r(); return; }
      w.once('exit', () => r());
      w.kill('SIGTERM');
    })));
  }
}

