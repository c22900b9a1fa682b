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
import { encodeMessage } from './wire.js';

const RCODE: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const RCODE_NAMES: Record<number, Rcode> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };
const MIN_UDP = 512;
const MAX_UDP = 4096;
const OUR_UDP = 1232;          // the EDNS buffer size we advertise (DNS flag day 2020)
const MAX_TCP_MSG = 65535;

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
  /** Encoded in-zone answers, valid for one generation of the view (IDs patched per request). */
  private packed = new Map<string, Buffer>();
  private packedGen = -1;
  ready = false;

  constructor(private readonly opts: DnsServerOptions) {
    this.cache = opts.cache ?? new DnsCache();
  }

  /** Binds UDP and TCP on each listener; port 0 picks a free port (see `addresses()`). */
  async listen(listeners: Listener[]): Promise<void> {
    for (const l of listeners) {
      const udp = dgram.createSocket({ type: familyOf(l.host) === 6 ? 'udp6' : 'udp4', reuseAddr: true });
      udp.on('message', (msg, rinfo) => { void this.onUdp(udp, msg, rinfo); });
      udp.on('error', (e) => this.opts.log?.error({ err: e.message }, 'udp socket error'));
      await new Promise<void>((res, rej) => { udp.once('error', rej); udp.bind(l.port, l.host, () => { udp.off('error', rej); res(); }); });
      const port = udp.address().port;
      const tcp = net.createServer((sock) => this.onTcp(sock));
      tcp.on('error', (e) => this.opts.log?.error({ err: e.message }, 'tcp server error'));
      await new Promise<void>((res, rej) => { tcp.once('error', rej); tcp.listen(port, l.host, () => { tcp.off('error', rej); res(); }); });
      this.udp.push(udp);
      this.tcp.push(tcp);
    }
    this.ready = true;
  }

  addresses(): Listener[] { return this.udp.map((u) => ({ host: u.address().address, port: u.address().port })); }

  async close(): Promise<void> {
    this.ready = false;
    for (const u of this.udp) u.close();
    await Promise.all(this.tcp.map((t) => new Promise<void>((r) => t.close(() => r()))));
  }

  private async onUdp(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): Promise<void> {
    try {
      const out = await this.handle(msg, 'udp');
      if (out) sock.send(out, rinfo.port, rinfo.address);
    } catch (e) {
      this.opts.log?.error({ err: (e as Error).message }, 'udp request failed');
    }
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
    const started = process.hrtime.bigint();
    if (msg.length < 12) { this.opts.metrics?.dropped.inc(); return undefined; }
    const rawFlags = msg.readUInt16BE(2);
    if (rawFlags & 0x8000) { this.opts.metrics?.dropped.inc(); return undefined; }   // a response: never answer it
    const opcode = (rawFlags >> 11) & 0xf;
    let req: Packet;
    try {
      req = dnsPacket.decode(msg);
    } catch {
      return this.finish(headerOnly(msg, RCODE.FORMERR), 'FORMERR', 'unknown', proto, started);
    }
    const qs = req.questions ?? [];
    if (opcode !== 0) return this.finish(headerOnly(msg, RCODE.NOTIMP), 'NOTIMP', 'unknown', proto, started);
    if (qs.length !== 1) return this.finish(headerOnly(msg, RCODE.FORMERR), 'FORMERR', 'unknown', proto, started);
    const q = qs[0]!;
    if (!validQName(q.name)) return this.finish(headerOnly(msg, RCODE.FORMERR), 'FORMERR', 'unknown', proto, started);
    const opt = (req.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const limit = proto === 'tcp' ? MAX_TCP_MSG : opt ? Math.max(MIN_UDP, Math.min(opt.udpPayloadSize ?? MIN_UDP, MAX_UDP)) : MIN_UDP;
    const rd = (rawFlags & 0x0100) !== 0;
    const gen = this.opts.view.generation();
    if (gen !== this.packedGen) { this.packed.clear(); this.packedGen = gen; }
    const packKey = `${q.name.toLowerCase()}|${q.type}|${q.class ?? 'IN'}|${limit}|${opt ? 1 : 0}|${rd ? 1 : 0}`;
    const packedHit = this.packed.get(packKey);
    if (packedHit) {
      const out = Buffer.from(packedHit);
      out.writeUInt16BE(req.id ?? 0, 0);
      return this.finish(out, RCODE_NAMES[out.readUInt16BE(2) & 0xf] ?? 'NOERROR', q.type, proto, started);
    }

    let res: { rcode: Rcode; answers: Answer[]; authority: Answer[]; additionals: Answer[]; aa: boolean };
    try {
      res = await this.resolve(q);
    } catch (e) {
      this.opts.log?.warn({ name: q.name, type: q.type, err: (e as Error).message }, 'resolution failed');
      res = { rcode: 'SERVFAIL', answers: [], authority: [], additionals: [], aa: false };
    }
    const build = (truncate: boolean): Buffer => {
      let flags = (opcode << 11) | (rd ? 0x0100 : 0) | 0x0080 | RCODE[res.rcode];
      if (res.aa) flags |= 0x0400;
      if (truncate) flags |= 0x0200;
      const additionals: Answer[] = truncate ? [] : [...res.additionals];
      if (opt) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: OUR_UDP, flags: 0 } as unknown as Answer);
      return encodeMessage({
        id: req.id ?? 0, flags: flags | 0x8000,
        questions: [q],
        answers: truncate ? [] : res.answers,
        authorities: truncate ? [] : res.authority,
        additionals,
      });
    };
    let out: Buffer;
    try {
      out = build(false);
    } catch (e) {
      // A record we cannot encode (e.g. an odd type from upstream): answer SERVFAIL, never crash.
      this.opts.log?.warn({ name: q.name, type: q.type, err: (e as Error).message }, 'encoding failed');
      res = { rcode: 'SERVFAIL', answers: [], authority: [], additionals: [], aa: false };
      out = build(false);
    }
    if (out.length > limit) {
      // Drop additionals first; if the answers alone still don't fit, truncate (TC) so the client retries over TCP.
      res = { ...res, additionals: [] };
      out = build(false);
      if (out.length > limit) out = build(true);
    }
    if (res.aa && this.packed.size < 50_000) this.packed.set(packKey, out);
    return this.finish(out, res.rcode, q.type, proto, started);
  }

  private finish(out: Buffer, rcode: Rcode, qtype: string, proto: Proto, started: bigint): Buffer {
    const m = this.opts.metrics;
    if (m) {
      m.requests.inc({ proto, type: qtype });
      m.responses.inc({ rcode });
      m.duration.observe({ proto }, Number(process.hrtime.bigint() - started) / 1e9);
    }
    return out;
  }

  private async resolve(q: Question): Promise<{ rcode: Rcode; answers: Answer[]; authority: Answer[]; additionals: Answer[]; aa: boolean }> {
    const local = answerQuestion(q.name, q.type, this.opts.view, this.opts.zone);
    if (local) {
      if (local.chaseTarget) {
        const chased = await this.forward({ name: local.chaseTarget, type: q.type, class: q.class ?? 'IN' }).catch(() => undefined);
        if (chased) local.answers.push(...chased.answers);
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
