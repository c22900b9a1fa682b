import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../util/log.js';
import { PodnetError } from '../util/errors.js';
import { closeFd, openUdp, sendOne } from '../net/udpbatch.js';
import type { DnsMetrics } from './metrics.js';
import { HelperMetricsRequests } from './helpermetrics.js';
import type { MetricsSource } from './http.js';
import { UDP_RECV_BUFFER, type DnsServer, type Listener } from './server.js';
import { asBuffer } from './udpproto.js';
import type { FromThread, ThreadData, ToThread } from './udpthreadproto.js';

const THREAD_MAIN = fileURLToPath(new URL('./udpthread.js', import.meta.url));
const RESTART_PAUSE_MS = 1000;

/**
 * UDP served by N threads reading and writing in batches (recvmmsg/sendmmsg, src/net/udpbatch.ts).
 * This thread opens one socket per listener and every UDP thread polls all of them: the kernel
 * hands each datagram to whichever thread reads first, so queries use every core without
 * SO_REUSEPORT's per-client hashing. This thread keeps the informers, the view, TCP and the full
 * path: it ships the precomputed answer table to the threads whenever the view changes (and tells
 * them at once when it went stale), answers the queries they pass on and sends those replies itself.
 */
export class UdpThreadPool {
  private readonly threads = new Set<Worker>();
  private fds: number[] = [];
  private closing = false;
  private readonly metricsRequests = new HelperMetricsRequests<Worker>((w, seq) => this.post(w, { t: 'metrics?', seq }));
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly server: DnsServer, private readonly log?: Logger) {}

  /** Opens the listeners' UDP sockets and starts `n` threads; resolves with the bound addresses (port 0 → the port picked). */
  start(listeners: Listener[], n: number): Listener[] {
    if (n < 1) throw new PodnetError('EDNSWORKERS', 'UDP threads: want at least 1');
    const bound: Listener[] = [];
    try {
      for (const l of listeners) {
        const s = openUdp(l.host, l.port, UDP_RECV_BUFFER);
        this.fds.push(s.fd);
        bound.push({ host: s.host, port: s.port });
      }
    } catch (e) {
      for (const fd of this.fds) closeFd(fd);
      this.fds = [];
      throw new PodnetError('EDNSWORKERS', `UDP threads could not bind: ${(e as Error).message}`);
    }
    this.unsubscribe = this.server.onTable((t) => this.broadcast(t ? { t: 'table', buf: t.encode() } : { t: 'stale' }));
    for (let i = 0; i < n; i++) this.spawn();
    return bound;
  }

  private spawn(): void {
    const w = new Worker(THREAD_MAIN, { workerData: { fds: this.fds } satisfies ThreadData });
    this.threads.add(w);
    const t = this.server.currentTable();
    if (t) this.post(w, { t: 'table', buf: t.encode() });
    w.on('message', (m: FromThread) => {
      switch (m.t) {
        case 'query': this.answer(m.sock, asBuffer(m.msg), asBuffer(m.peer)); return;
        case 'metrics': this.metricsRequests.answer(m.seq, m.json); return;
        case 'error': this.log?.error({ err: m.message }, 'UDP thread could not read'); return;
      }
    });
    w.on('error', (e) => this.log?.error({ err: e.message }, 'UDP thread failed'));
    const started = Date.now();
    w.on('exit', (code) => {
      this.threads.delete(w);
      if (this.closing) return;
      // One that died at once (e.g. could not load its libc binding) is retried after a pause, not in a loop.
      const delay = Date.now() - started < RESTART_PAUSE_MS ? RESTART_PAUSE_MS : 0;
      this.log?.error({ code, retryInMs: delay }, 'UDP thread ended; starting another');
      setTimeout(() => { if (!this.closing) this.spawn(); }, delay).unref();
    });
  }

  private answer(sock: number, msg: Buffer, peer: Buffer): void {
    this.server.handleUdp(msg).then((r) => {
      const fd = this.fds[sock];
      if (r.out && fd !== undefined && !this.closing) sendOne(fd, r.out, peer);
      if (r.learn) this.broadcast({ t: 'learn', gen: r.learn.gen, key: r.learn.key, tpl: r.learn.tpl });
    }, (e: unknown) => this.log?.error({ err: (e as Error).message }, 'udp request failed'));
  }

  private post(w: Worker, m: ToThread): void { w.postMessage(m); }
  private broadcast(m: ToThread): void { for (const w of this.threads) this.post(w, m); }

  /** /metrics: this process's metrics with the DNS counters summed over it and every thread. */
  metricsSource(metrics: DnsMetrics): MetricsSource {
    return this.metricsRequests.source(metrics, () => this.threads);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    await Promise.all([...this.threads].map((w) => new Promise<void>((r) => {
      w.once('exit', () => r());
      this.post(w, { t: 'stop' });
      setTimeout(() => { void w.terminate(); }, 1000).unref();
    })));
    for (const fd of this.fds) closeFd(fd);
    this.fds = [];
  }
}
