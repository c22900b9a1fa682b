import dgram from 'node:dgram';
import net from 'node:net';
import { familyOf } from '../util/addr.js';
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';
import type { Logger } from '../util/log.js';
import { answerQuestion, inZone, type Rcode, type ZoneConfig } from './records.js';
import type { ClusterView } from './view.js';
import { DnsCache, type CachedResponse } from './cache.js';
import { queryTcp, queryUdp, type Upstream } from './forward.js';
import type { DnsMetrics } from './metrics.js';
import { buildResponse, OUR_UDP, RCODE, RCODE_NAMES, type Resolution } from './respond.js';
import { parseSimpleQuery, type SimpleQuery } from './question.js';
import { AnswerTable, answerTableSteps } from './answertable.js';

const MIN_UDP = 512;
const MAX_UDP = 4096;
const MAX_TCP_MSG = 65535;
/** Longest stretch the table build may keep the event loop from answering queries. */
const BUILD_SLICE_MS = 5;
/** Socket receive buffer for UDP, so bursts wait in the kernel instead of being dropped. */
export const UDP_RECV_BUFFER = 4 << 20;

export interface DnsServerOptions {
  zone: ZoneConfig;
  view: ClusterView;
  upstreams: Upstream[];
  cache?: DnsCache;
  metrics?: DnsMetrics;
  log?: Logger;
  upstreamTimeoutMs?: number;
}

export interface Listener { host: string; port: number }

type Proto = 'udp' | 'tcp';

/** A cluster DNS server: answers the zone from the view, forwards the rest with caching. */
export class DnsServer {
  private readonly udp: dgram.Socket[] = [];
  private readonly tcp: net.Server[] = [];
  private readonly cache: DnsCache;
  private nextId = Math.floor(Math.random() * 65536);
  /** Precomputed wire answers for one generation of the view (see answertable.ts). */
  private table: AnswerTable | undefined;
  private rebuildTimer: NodeJS.Timeout | undefined;
  private lastBuildMs = 0;
  private building = false;
  private readonly tableListeners = new Set<(t: AnswerTable | undefined) => void>();
  private readonly unsubscribe: (() => void) | undefined;
  ready = false;

  constructor(private readonly opts: DnsServerOptions) {
    this.cache = opts.cache ?? new DnsCache();
    this.unsubscribe = opts.view.onChange?.(() => this.viewChanged());
  }

  /**
   * Binds UDP and TCP on each listener; port 0 picks a free port (see `addresses()`). With
   * `udp: false` only TCP is bound here (UDP is served by worker processes, see udpworkers.ts).
   */
  async listen(listeners: Listener[], { udp: withUdp = true }: { udp?: boolean } = {}): Promise<void> {
    for (const l of listeners) {
      let port = l.port;
      if (withUdp) {
        const udp = dgram.createSocket({ type: familyOf(l.host) === 6 ? 'udp6' : 'udp4', reuseAddr: true });
        udp.on('message', (msg, rinfo) => this.onUdp(udp, msg, rinfo));
        udp.on('error', (e) => this.opts.log?.error({ err: e.message }, 'udp socket error'));
        await new Promise<void>((res, rej) => { udp.once('error', rej); udp.bind(l.port, l.host, () => { udp.off('error', rej); res(); }); });
        setRecvBuffer(udp, this.opts.log);
        port = udp.address().port;
        this.udp.push(udp);
      }
      const tcp = net.createServer((sock) => this.onTcp(sock));
      tcp.on('error', (e) => this.opts.log?.error({ err: e.message }, 'tcp server error'));
      await new Promise<void>((res, rej) => { tcp.once('error', rej); tcp.listen(port, l.host, () => { tcp.off('error', rej); res(); }); });
      this.tcp.push(tcp);
    }
    this.ready = true;
    this.refreshTable();
  }

  addresses(): Listener[] {
    if (this.udp.length) return this.udp.map((u) => ({ host: u.address().address, port: u.address().port }));
    return this.tcp.map((t) => { const a = t.address() as net.AddressInfo; return { host: a.address, port: a.port }; });
  }

  async close(): Promise<void> {
    this.ready = false;
    this.unsubscribe?.();
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    for (const u of this.udp) u.close();
    await Promise.all(this.tcp.map((t) => new Promise<void>((r) => t.close(() => r()))));
  }

  /** The precomputed table when it matches the view's generation. */
  currentTable(): AnswerTable | undefined {
    const t = this.table;
    if (t && t.gen === this.opts.view.generation()) return t;
    this.scheduleRebuild();
    return undefined;
  }

  /** Calls `fn` with every new table, and with undefined as soon as the current one goes stale. */
  onTable(fn: (t: AnswerTable | undefined) => void): () => void {
    this.tableListeners.add(fn);
    return () => { this.tableListeners.delete(fn); };
  }

  private viewChanged(): void {
    if (this.table) {
      this.table = undefined;
      for (const fn of this.tableListeners) fn(undefined);
    }
    this.scheduleRebuild();
  }

  /**
   * Rebuilds soon, coalescing bursts of changes, in slices of a few milliseconds so queries keep
   * being answered (by the full path) meanwhile; a change during the build starts it over. The
   * delay grows with the last build's duration so steady churn cannot keep the process busy.
   */
  private scheduleRebuild(): void {
    if (this.rebuildTimer || this.building || !this.ready) return;
    this.rebuildTimer = setTimeout(() => { this.rebuildTimer = undefined; this.refreshTable(); }, Math.max(10, this.lastBuildMs));
    this.rebuildTimer.unref();
  }

  private refreshTable(): void {
    const t0 = performance.now();
    const gen = this.opts.view.generation();
    const steps = answerTableSteps(this.opts.view, this.opts.zone, BUILD_SLICE_MS);
    this.building = true;
    const step = (): void => {
      if (!this.ready || this.opts.view.generation() !== gen) { this.building = false; this.scheduleRebuild(); return; }
      let r: IteratorResult<void, AnswerTable>;
      try {
        r = steps.next();
      } catch (e) {
        this.building = false;
        this.opts.log?.error({ err: (e as Error).message }, 'precomputing answers failed; serving from the full path');
        return;
      }
      if (!r.done) { setImmediate(step); return; }
      this.building = false;
      this.table = r.value;
      this.lastBuildMs = performance.now() - t0;
      this.opts.log?.debug({ entries: r.value.size, gen, ms: Math.round(this.lastBuildMs) }, 'answer table rebuilt');
      for (const fn of this.tableListeners) fn(r.value);
    };
    step();
  }

  private onUdp(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const started = process.hrtime.bigint();
    const q = parseSimpleQuery(msg);
    if (q) {
      const hit = this.currentTable()?.answer(msg, q);
      if (hit) {
        this.finish(hit.out, RCODE_NAMES[hit.out[3]! & 0xf] ?? 'NOERROR', hit.type, 'udp', started);
        sock.send(hit.out, rinfo.port, rinfo.address);
        return;
      }
    }
    this.handleUdp(msg, q).then((r) => {
      if (r.out) sock.send(r.out, rinfo.port, rinfo.address);
    }, (e: unknown) => this.opts.log?.error({ err: (e as Error).message }, 'udp request failed'));
  }

  private onTcp(sock: net.Socket): void {
    let buf = Buffer.alloc(0);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length > 2 + MAX_TCP_MSG) { sock.destroy(); return; }
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.handle(msg, 'tcp').then((out) => {
          if (!out || sock.destroyed) return;
          const hdr = Buffer.alloc(2); hdr.writeUInt16BE(out.length);
          sock.write(Buffer.concat([hdr, out]));
        }).catch((e: unknown) => this.opts.log?.error({ err: (e as Error).message }, 'tcp request failed'));
      }
    });
  }

  /** One request in, one response out (undefined = drop). Never throws for bad input. */
  async handle(msg: Buffer, proto: Proto): Promise<Buffer | undefined> {
    return (await this.handleFull(msg, proto)).out;
  }

  /**
   * The full path for a UDP query. When the answer came from the view alone and this query's
   * table is current, the response is also returned as a template for the fast path (`learn`).
   */
  async handleUdp(msg: Buffer, q: SimpleQuery | undefined = parseSimpleQuery(msg)): Promise<{ out?: Buffer; learn?: { gen: number; key: string; tpl: Buffer } }> {
    const gen = this.opts.view.generation();
    const r = await this.handleFull(msg, 'udp');
    if (!r.out || !r.learnable || !q || gen !== this.opts.view.generation()) return { out: r.out };
    const tpl = AnswerTable.template(q, r.out);
    const t = this.table;
    if (t && t.gen === gen) t.adopt(q.key, tpl);
    return { out: r.out, learn: { gen, key: q.key, tpl } };
  }

  private async handleFull(msg: Buffer, proto: Proto): Promise<{ out?: Buffer; learnable?: boolean }> {
    const started = process.hrtime.bigint();
    if (msg.length < 12) { this.opts.metrics?.dropped.inc(); return {}; }
    const rawFlags = msg.readUInt16BE(2);
    if (rawFlags & 0x8000) { this.opts.metrics?.dropped.inc(); return {}; }   // a response: never answer it
    const opcode = (rawFlags >> 11) & 0xf;
    let req: Packet;
    try {
      req = dnsPacket.decode(msg);
    } catch {
      return { out: this.finish(headerOnly(msg, RCODE.FORMERR), 'FORMERR', 'unknown', proto, started) };
    }
    const qs = req.questions ?? [];
    if (opcode !== 0) return { out: this.finish(headerOnly(msg, RCODE.NOTIMP), 'NOTIMP', 'unknown', proto, started) };
    if (qs.length !== 1) return { out: this.finish(headerOnly(msg, RCODE.FORMERR), 'FORMERR', 'unknown', proto, started) };
    const q = qs[0]!;
    if (!validQName(q.name)) return { out: this.finish(headerOnly(msg, RCODE.FORMERR), 'FORMERR', 'unknown', proto, started) };
    const opt = (req.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const limit = proto === 'tcp' ? MAX_TCP_MSG : opt ? Math.max(MIN_UDP, Math.min(opt.udpPayloadSize ?? MIN_UDP, MAX_UDP)) : MIN_UDP;
    const rd = (rawFlags & 0x0100) !== 0;

    let res: Resolution & { chased?: boolean };
    try {
      res = await this.resolve(q);
    } catch (e) {
      this.opts.log?.warn({ name: q.name, type: q.type, err: (e as Error).message }, 'resolution failed');
      res = { rcode: 'SERVFAIL', answers: [], authority: [], additionals: [], aa: false };
    }
    const built = buildResponse(res, { id: req.id ?? 0, opcode, rd, question: q, edns: opt !== undefined, limit },
      (e) => this.opts.log?.warn({ name: q.name, type: q.type, err: e.message }, 'encoding failed'));
    const learnable = proto === 'udp' && res.aa && !res.chased && built.rcode === res.rcode && (built.complete || !opt);
    return { out: this.finish(built.out, built.rcode, q.type, proto, started), learnable };
  }

  finish(out: Buffer, rcode: Rcode, qtype: string, proto: Proto, started: bigint): Buffer {
    const m = this.opts.metrics;
    if (m) {
      m.requests.inc({ proto, type: qtype });
      m.responses.inc({ rcode });
      m.duration.observe({ proto }, Number(process.hrtime.bigint() - started) / 1e9);
    }
    return out;
  }

  private async resolve(q: Question): Promise<Resolution & { chased?: boolean }> {
    const local = answerQuestion(q.name, q.type, this.opts.view, this.opts.zone);
    if (local) {
      if (local.chaseTarget) {
        const chased = await this.forward({ name: local.chaseTarget, type: q.type, class: q.class ?? 'IN' }).catch(() => undefined);
        if (chased) local.answers.push(...chased.answers);
        return { ...local, aa: true, chased: true };
      }
      return { ...local, aa: true };
    }
    if (inZone(q.name, this.opts.zone.zone)) return { rcode: 'NXDOMAIN', answers: [], authority: [], additionals: [], aa: true };
    const fwd = await this.forward(q);
    return { ...fwd, rcode: fwd.rcode as Rcode, aa: false };
  }

  /** Forwards to the upstreams in order (UDP, then TCP when truncated), through the cache. */
  private async forward(q: Question): Promise<CachedResponse> {
    const key = DnsCache.key(q.name, q.type, q.class ?? 'IN');
    const hit = this.cache.get(key);
    const m = this.opts.metrics;
    if (hit) { m?.cacheHits.inc(); return hit; }
    m?.cacheMisses.inc();
    if (!this.opts.upstreams.length) return { rcode: 'SERVFAIL', answers: [], authority: [], additionals: [] };
    this.nextId = (this.nextId + 1) & 0xffff;
    const packet = dnsPacket.encode({
      id: this.nextId, type: 'query', flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: q.name, type: q.type, class: q.class ?? 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: OUR_UDP, flags: 0 } as unknown as Answer],
    });
    let lastErr: unknown;
    for (const up of this.opts.upstreams) {
      const t0 = process.hrtime.bigint();
      try {
        let raw = await queryUdp(up, packet, this.opts.upstreamTimeoutMs ?? 2000);
        if (raw.readUInt16BE(2) & 0x0200) raw = await queryTcp(up, packet, this.opts.upstreamTimeoutMs ?? 2000);
        m?.upstreamDuration.observe(Number(process.hrtime.bigint() - t0) / 1e9);
        const resp = dnsPacket.decode(raw);
        const r: CachedResponse = {
          rcode: (resp as { rcode?: string }).rcode ?? 'NOERROR',
          answers: resp.answers ?? [],
          authority: resp.authorities ?? [],
          additionals: (resp.additionals ?? []).filter((a) => a.type !== 'OPT'),
        };
        if (r.rcode === 'SERVFAIL') { lastErr = new Error(`SERVFAIL from ${up.host}`); continue; }
        this.cache.put(key, r);
        return r;
      } catch (e) {
        lastErr = e;
      }
    }
    throw lastErr instanceof Error ? lastErr : new Error('no upstream answered');
  }
}

/** A query name we will look up or forward: no empty labels, at most 253 characters. */
function validQName(name: string): boolean {
  if (name === '.' || name === '') return true;
  const n = name.replace(/\.$/, '');
  return n.length <= 253 && n.split('.').every((l) => l.length > 0 && l.length <= 63);
}

/** A response carrying only the request's header fields and an rcode (for FORMERR/NOTIMP). */
function headerOnly(msg: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(msg.readUInt16BE(0), 0);
  const flags = msg.readUInt16BE(2);
  out.writeUInt16BE(0x8000 | (flags & 0x7800) | (flags & 0x0100) | 0x0080 | rcode, 2);
  return out;
}

/** Asks for a larger receive buffer (the kernel caps it at net.core.rmem_max). */
export function setRecvBuffer(sock: dgram.Socket, log?: Logger): void {
  try { sock.setRecvBufferSize(UDP_RECV_BUFFER); } catch (e) { log?.warn({ err: (e as Error).message }, 'could not enlarge the UDP receive buffer'); }
}
