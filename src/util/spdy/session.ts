/**
 * The server end of a SPDY/3.1 connection over an upgraded socket: the peer opens streams
 * (SYN_STREAM), we answer SYN_REPLY, data flows as DATA frames with FIN closing a direction,
 * RST_STREAM aborts a stream, PING is echoed, GOAWAY ends the session.
 *
 * Flow control (Draft 3.1 sections 2.6.8, 2.6.9): every stream and the session start with a
 * 64 KiB window in each direction. We send WINDOW_UPDATE (per stream and for stream 0) as we
 * hand data to the consumer. For what we send, the peer's windows are tracked from SETTINGS
 * INITIAL_WINDOW_SIZE and WINDOW_UPDATE and honoured once the peer shows it does flow control
 * (sends either frame): Go's spdystream (kubectl 1.27–1.33) never does and would otherwise
 * stall after 64 KiB.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { encodeFrame, FLAG_FIN, FrameParser, GOAWAY, RST, SETTINGS, SpdyProtocolError, type Frame } from './frames.js';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCodec, type SpdyHeaders } from './headers.js';

export const DEFAULT_WINDOW = 64 * 1024;
/** Largest DATA payload we send in one frame. */
const MAX_DATA_FRAME = 32 * 1024;

export interface SpdySessionOptions {
  /** Our receive window per stream and for the session (what we advertise), default 64 KiB. */
  initialWindow?: number;
  /** Largest frame we accept. */
  maxFrameLength?: number;
}

/**
 * One stream of a session. What the peer sends is buffered until consume() names its reader (a
 * stream's data may arrive before its handler is ready). Events: 'reset' (status), 'close'.
 */
export class SpdyStream extends EventEmitter {
  remoteEnded = false;
  localEnded = false;
  isReset = false;
  replied = false;
  /** How much we may still send before the peer opens its window (when it does flow control). */
  sendWindow: number;
  /** Bytes received but not yet acknowledged by WINDOW_UPDATE. */
  unacked = 0;
  queue: Buffer[] = [];
  endQueued = false;
  private inbox: Buffer[] = [];
  private reader?: { data: (b: Buffer) => void; end: () => void };

  /** Delivers received data (first what was buffered) and the peer's FIN to the reader. */
  consume(data: (b: Buffer) => void, end: () => void = () => undefined): void {
    this.reader = { data, end };
    for (const b of this.inbox.splice(0)) data(b);
    if (this.remoteEnded) end();
  }

  received(b: Buffer): void { if (this.reader) this.reader.data(b); else this.inbox.push(b); }
  remoteFin(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    this.reader?.end();
    this.maybeClose();
  }

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: SpdyHeaders, sendWindow: number) {
    super();
    this.sendWindow = sendWindow;
  }

  /** Answers the SYN_STREAM (once; write/end do it implicitly). */
  reply(headers: SpdyHeaders = {}, fin = false): void {
    if (this.replied || this.isReset) return;
    this.replied = true;
    if (fin) this.localEnded = true;
    this.session.sendHeaders('syn_reply', this.id, headers, fin ? FLAG_FIN : 0);
    if (fin) this.maybeClose();
  }

  /** Queues data (split into frames, sent as the peer's window allows). */
  write(data: Buffer): boolean {
    if (this.localEnded || this.endQueued || this.isReset) return false;
    this.reply();
    if (data.length) { this.queue.push(data); this.session.pump(this); }
    return true;
  }

  /** Half-closes our direction (DATA with FIN after what is queued). */
  end(): void {
    if (this.localEnded || this.endQueued || this.isReset) return;
    this.reply();
    this.endQueued = true;
    this.session.pump(this);
  }

  /** Aborts the stream with RST_STREAM. */
  reset(status: number = RST.CANCEL): void {
    if (this.isReset) return;
    this.session.send({ type: 'rst_stream', streamId: this.id, status });
    this.onReset(status, false);
  }

  /** Bytes queued but not yet sent. */
  get queued(): number { return this.queue.reduce((n, b) => n + b.length, 0); }

  onReset(status: number, remote: boolean): void {
    if (this.isReset) return;
    this.isReset = true;
    this.queue = [];
    if (remote) this.emit('reset', status);
    this.finish();
  }

  maybeClose(): void { if (this.localEnded && this.remoteEnded) this.finish(); }

  private closed = false;
  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.forget(this.id);
    this.emit('close');
  }
}

/** Events: 'stream' (SpdyStream), 'protocolError' (SpdyProtocolError), 'goaway', 'close'. */
export class SpdySession extends EventEmitter {
  private readonly parser: FrameParser;
  private readonly inflate = HeaderCodec.decompressor();
  private readonly deflate = HeaderCodec.compressor();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly recvWindow: number;
  /** The peer's window for new streams, and the session's send window. */
  private peerInitialWindow = DEFAULT_WINDOW;
  private sessionSendWindow = DEFAULT_WINDOW;
  private sessionUnacked = 0;
  /** True once the peer sent SETTINGS INITIAL_WINDOW_SIZE or a WINDOW_UPDATE. */
  peerFlowControl = false;
  private lastStreamId = 0;
  private out: Promise<void> = Promise.resolve();
  private inbound: Promise<void> = Promise.resolve();
  private closed = false;
  private goingAway = false;

  constructor(private readonly socket: Duplex, o: SpdySessionOptions = {}) {
    super();
    this.recvWindow = o.initialWindow ?? DEFAULT_WINDOW;
    this.parser = new FrameParser(o.maxFrameLength);
    socket.on('data', (c: Buffer) => this.feed(c));
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
    socket.on('end', () => this.teardown());
    if (this.recvWindow !== DEFAULT_WINDOW) {
      this.send({ type: 'settings', flags: 0, entries: [{ flags: 0, id: SETTINGS.INITIAL_WINDOW_SIZE, value: this.recvWindow }] });
    }
  }

  /** Takes bytes from the wire (exposed for tests; the socket's 'data' calls it). */
  feed(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try { frames = this.parser.push(chunk); } catch (e) { this.protocolError(e); return; }
    for (const f of frames) {
      // header blocks decompress asynchronously; frames are handled strictly in order
      this.inbound = this.inbound.then(() => this.closed ? undefined : this.handle(f)).catch((e: unknown) => this.protocolError(e));
    }
  }

  private async handle(f: Frame): Promise<void> {
    switch (f.type) {
      case 'syn_stream': {
        const headers = decodeHeaderBlock(await this.inflate.run(f.block));
        if (f.streamId % 2 !== 1 || f.streamId <= this.lastStreamId) throw new SpdyProtocolError(`stream id ${f.streamId} is not a new odd id`);
        this.lastStreamId = f.streamId;
        if (this.goingAway) { this.send({ type: 'rst_stream', streamId: f.streamId, status: RST.REFUSED_STREAM }); return; }
        const s = new SpdyStream(this, f.streamId, headers, this.peerInitialWindow);
        this.streams.set(f.streamId, s);
        this.emit('stream', s);
        if (f.flags & FLAG_FIN) s.remoteFin();
        return;
      }
      case 'data': {
        const s = this.streams.get(f.streamId);
        this.consumed(s, f.data.length);
        if (!s) { this.send({ type: 'rst_stream', streamId: f.streamId, status: RST.INVALID_STREAM }); return; }
        if (s.remoteEnded) { s.reset(RST.STREAM_ALREADY_CLOSED); return; }
        if (f.data.length) s.received(f.data);
        if (f.flags & FLAG_FIN) s.remoteFin();
        return;
      }
      case 'headers': {
        await this.inflate.run(f.block); // keeps the zlib context in step; extra headers are not used
        const s = this.streams.get(f.streamId);
        if (s && f.flags & FLAG_FIN) s.remoteFin();
        return;
      }
      case 'syn_reply':
        await this.inflate.run(f.block);
        return; // we never open streams
      case 'rst_stream':
        this.streams.get(f.streamId)?.onReset(f.status, true);
        return;
      case 'settings':
        for (const e of f.entries) {
          if (e.id !== SETTINGS.INITIAL_WINDOW_SIZE) continue;
          this.peerFlowControl = true;
          const delta = e.value - this.peerInitialWindow;
          this.peerInitialWindow = e.value;
          for (const s of this.streams.values()) s.sendWindow += delta;
        }
        this.pumpAll();
        return;
      case 'window_update': {
        this.peerFlowControl = true;
        if (f.streamId === 0) this.sessionSendWindow += f.delta;
        else {
          const s = this.streams.get(f.streamId);
          if (s) s.sendWindow += f.delta;
        }
        this.pumpAll();
        return;
      }
      case 'ping':
        if (f.id % 2 === 1) this.send({ type: 'ping', id: f.id }); // the peer's (odd) ping: echo it
        return;
      case 'goaway':
        this.goingAway = true;
        this.emit('goaway', f.status);
        return;
      case 'unknown':
        return; // the draft: ignore unknown control frames
    }
  }

  /** Counts received bytes against our windows and re-opens them once half is used. */
  private consumed(s: SpdyStream | undefined, n: number): void {
    if (!n) return;
    this.sessionUnacked += n;
    if (this.sessionUnacked >= this.recvWindow / 2) {
      this.send({ type: 'window_update', streamId: 0, delta: this.sessionUnacked });
      this.sessionUnacked = 0;
    }
    if (!s || s.remoteEnded) return;
    s.unacked += n;
    if (s.unacked >= this.recvWindow / 2) {
      this.send({ type: 'window_update', streamId: s.id, delta: s.unacked });
      s.unacked = 0;
    }
  }

  /** Sends what a stream has queued, as far as the windows allow. */
  pump(s: SpdyStream): void {
    while (s.queue.length && !s.isReset) {
      const limit = this.peerFlowControl ? Math.min(s.sendWindow, this.sessionSendWindow, MAX_DATA_FRAME) : MAX_DATA_FRAME;
      if (limit <= 0) return;
      const head = s.queue[0]!;
      const n = Math.min(head.length, limit);
      const chunk = head.subarray(0, n);
      if (n === head.length) s.queue.shift(); else s.queue[0] = head.subarray(n);
      s.sendWindow -= n;
      this.sessionSendWindow -= n;
      const fin = s.endQueued && !s.queue.length;
      this.send({ type: 'data', streamId: s.id, flags: fin ? FLAG_FIN : 0, data: Buffer.from(chunk) });
      if (fin) { s.localEnded = true; s.maybeClose(); return; }
    }
    if (s.endQueued && !s.queue.length && !s.localEnded && !s.isReset) {
      this.send({ type: 'data', streamId: s.id, flags: FLAG_FIN, data: Buffer.alloc(0) });
      s.localEnded = true;
      s.maybeClose();
    }
  }

  private pumpAll(): void { for (const s of [...this.streams.values()]) this.pump(s); }

  /** Queues a frame for the wire, in order. */
  send(f: Frame): void {
    if (this.closed) return;
    const bytes = encodeFrame(f);
    this.out = this.out.then(() => { if (!this.socket.destroyed) this.socket.write(bytes); });
  }

  /** Queues a SYN_REPLY / HEADERS frame, compressing its block in wire order. */
  sendHeaders(type: 'syn_reply' | 'headers', streamId: number, headers: SpdyHeaders, flags: number): void {
    if (this.closed) return;
    const block = this.deflate.run(encodeHeaderBlock(headers));
    this.out = this.out.then(async () => {
      const b = await block;
      if (!this.socket.destroyed) this.socket.write(encodeFrame({ type, streamId, flags, block: b }));
    }).catch(() => this.teardown());
  }

  forget(id: number): void { this.streams.delete(id); }

  /** Streams still open. */
  get openStreams(): number { return this.streams.size; }

  /** Sends GOAWAY, lets queued frames drain, then closes the socket. */
  close(status: number = GOAWAY.OK): void {
    if (this.closed) return;
    this.goingAway = true;
    this.send({ type: 'goaway', lastGoodStreamId: this.lastStreamId, status });
    void this.out.then(() => { this.socket.end(); this.teardown(); });
  }

  private protocolError(e: unknown): void {
    if (this.closed) return;
    const err = e instanceof SpdyProtocolError ? e : new SpdyProtocolError((e as Error).message);
    this.emit('protocolError', err);
    this.close(GOAWAY.PROTOCOL_ERROR);
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streams.values()]) s.onReset(RST.CANCEL, true);
    this.inflate.close();
    this.deflate.close();
    this.emit('close');
  }
}
