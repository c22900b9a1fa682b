/**
 * SPDY/3.1 frames (SPDY Protocol Draft 3.1, section 2.2): an 8-byte header — control bit, version 3
 * and type for control frames, or a 31-bit stream id for data frames — then flags (1 byte) and a
 * 24-bit length. This module encodes and decodes frames whose header blocks are already
 * (de)compressed bytes; header compression lives in headers.ts, connection state in session.ts.
 */
import { PodnetError } from '../errors.js';

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
/** Largest frame payload we accept (the draft allows 2^24-1; upstream clients send ≤ 32 KiB). */
export const MAX_FRAME_LENGTH = (1 << 24) - 1;

export const enum FrameType {
  SynStream = 1, SynReply = 2, RstStream = 3, Settings = 4, Ping = 6, GoAway = 7, Headers = 8, WindowUpdate = 9,
}

/** RST_STREAM status codes (section 2.6.3). */
export const RST = {
  PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, UNSUPPORTED_VERSION: 4, CANCEL: 5,
  INTERNAL_ERROR: 6, FLOW_CONTROL_ERROR: 7, STREAM_IN_USE: 8, STREAM_ALREADY_CLOSED: 9, FRAME_TOO_LARGE: 11,
} as const;

/** GOAWAY status codes (section 2.6.6). */
export const GOAWAY = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

/** SETTINGS ids (section 2.6.4). */
export const SETTINGS = { MAX_CONCURRENT_STREAMS: 4, INITIAL_WINDOW_SIZE: 7 } as const;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; priority: number; flags: number; block: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; block: Buffer }
  | { type: 'headers'; streamId: number; flags: number; block: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number };

/** A frame that breaks the protocol: the connection answers GOAWAY PROTOCOL_ERROR and closes. */
export class SpdyProtocolError extends PodnetError {
  constructor(message: string) { super('ESPDYPROTO', message); }
}

function control(type: FrameType, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(payload.length, 4);
  h[4] = flags;
  return Buffer.concat([h, payload]);
}

function u32(...vals: number[]): Buffer {
  const b = Buffer.alloc(4 * vals.length);
  vals.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

/** Encodes one frame (header blocks already compressed). */
export function encodeFrame(f: Frame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError('data frame too large');
      const h = Buffer.alloc(8);
      h.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      h.writeUInt32BE(f.data.length, 4);
      h[4] = f.flags;
      return Buffer.concat([h, f.data]);
    }
    case 'syn_stream': {
      const p = Buffer.alloc(10);
      p.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      p.writeUInt32BE(f.associatedId & 0x7fffffff, 4);
      p[8] = (f.priority & 0x7) << 5;
      return control(FrameType.SynStream, f.flags, Buffer.concat([p, f.block]));
    }
    case 'syn_reply': return control(FrameType.SynReply, f.flags, Buffer.concat([u32(f.streamId & 0x7fffffff), f.block]));
    case 'headers': return control(FrameType.Headers, f.flags, Buffer.concat([u32(f.streamId & 0x7fffffff), f.block]));
    case 'rst_stream': return control(FrameType.RstStream, 0, u32(f.streamId & 0x7fffffff, f.status));
    case 'settings': {
      const p = Buffer.alloc(4 + 8 * f.entries.length);
      p.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => { p.writeUInt32BE(e.id & 0xffffff, 4 + 8 * i); p[4 + 8 * i] = e.flags; p.writeUInt32BE(e.value >>> 0, 8 + 8 * i); });
      return control(FrameType.Settings, f.flags, p);
    }
    case 'ping': return control(FrameType.Ping, 0, u32(f.id));
    case 'goaway': return control(FrameType.GoAway, 0, u32(f.lastGoodStreamId & 0x7fffffff, f.status));
    case 'window_update': return control(FrameType.WindowUpdate, 0, u32(f.streamId & 0x7fffffff, f.delta & 0x7fffffff));
    case 'unknown': throw new SpdyProtocolError(`cannot encode unknown frame type ${f.frameType}`);
  }
}

function need(p: Buffer, n: number, what: string): void {
  if (p.length < n) throw new SpdyProtocolError(`${what} frame too short (${p.length} bytes)`);
}

/** Decodes one frame from its 8-byte header word/flags and payload. */
function decode(first: number, flags: number, p: Buffer): Frame {
  if (!(first & 0x80000000)) {
    const streamId = first & 0x7fffffff;
    if (streamId === 0) throw new SpdyProtocolError('data frame on stream 0');
    return { type: 'data', streamId, flags, data: p };
  }
  const version = (first >>> 16) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = first & 0xffff;
  switch (type) {
    case FrameType.SynStream:
      need(p, 10, 'SYN_STREAM');
      return { type: 'syn_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, associatedId: p.readUInt32BE(4) & 0x7fffffff, priority: p[8]! >> 5, flags, block: p.subarray(10) };
    case FrameType.SynReply:
      need(p, 4, 'SYN_REPLY');
      return { type: 'syn_reply', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, block: p.subarray(4) };
    case FrameType.Headers:
      need(p, 4, 'HEADERS');
      return { type: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, block: p.subarray(4) };
    case FrameType.RstStream:
      if (p.length !== 8) throw new SpdyProtocolError(`RST_STREAM length ${p.length}, want 8`);
      return { type: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.Settings: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      if (p.length !== 4 + 8 * n) throw new SpdyProtocolError(`SETTINGS with ${n} entries has length ${p.length}`);
      const entries = [];
      for (let i = 0; i < n; i++) entries.push({ flags: p[4 + 8 * i]!, id: p.readUInt32BE(4 + 8 * i) & 0xffffff, value: p.readUInt32BE(8 + 8 * i) });
      return { type: 'settings', flags, entries };
    }
    case FrameType.Ping:
      if (p.length !== 4) throw new SpdyProtocolError(`PING length ${p.length}, want 4`);
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GoAway:
      if (p.length !== 8) throw new SpdyProtocolError(`GOAWAY length ${p.length}, want 8`);
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.WindowUpdate:
      if (p.length !== 8) throw new SpdyProtocolError(`WINDOW_UPDATE length ${p.length}, want 8`);
      return { type: 'window_update', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'unknown', frameType: type };
  }
}

/**
 * Turns a byte stream into frames: push() takes chunks as TCP delivers them (a frame may be split
 * across any number of chunks, or one chunk may hold many frames) and returns the complete ones.
 * A malformed frame throws SpdyProtocolError.
 */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly maxLength = MAX_FRAME_LENGTH) {}

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    for (;;) {
      if (this.buf.length < 8) break;
      const first = this.buf.readUInt32BE(0);
      const flags = this.buf[4]!;
      const len = this.buf.readUIntBE(5, 3);
      if (len > this.maxLength) throw new SpdyProtocolError(`frame length ${len} exceeds ${this.maxLength}`);
      if (this.buf.length < 8 + len) break;
      const payload = Buffer.from(this.buf.subarray(8, 8 + len));
      this.buf = this.buf.subarray(8 + len);
      out.push(decode(first, flags, payload));
    }
    return out;
  }

  /** Bytes of an incomplete frame waiting for more input. */
  get pending(): number { return this.buf.length; }
}
