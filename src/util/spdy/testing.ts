/**
 * Test helpers (used by unit tests only): an in-memory socket pair and a SPDY client end that
 * sends frames with compressed headers and collects what the server answers.
 */
import { Duplex, PassThrough } from 'node:stream';
import { encodeFrame, FLAG_FIN, FrameParser, type Frame } from './frames.js';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCodec } from './headers.js';

/** Two connected in-memory sockets: what one writes the other reads. */
export function pair(): [Duplex, Duplex] {
  const ab = new PassThrough();
  const ba = new PassThrough();
  const mk = (rd: PassThrough, wr: PassThrough): Duplex => {
    const d = new Duplex({
      read() { /* pushed below */ },
      write(chunk: Buffer, _e, cb) { wr.write(chunk, cb); },
      final(cb) { wr.end(); cb(); },
    });
    rd.on('data', (c: Buffer) => d.push(c));
    rd.on('end', () => d.push(null));
    return d;
  };
  return [mk(ba, ab), mk(ab, ba)];
}

/** The client end, as a test driver: sends frames, collects decoded replies. */
export class Peer {
  readonly frames: Frame[] = [];
  /** Frame types in wire order. */
  readonly order: string[] = [];
  readonly parser = new FrameParser();
  readonly deflate = HeaderCodec.compressor();
  readonly inflate = HeaderCodec.decompressor();
  readonly replies = new Map<number, Record<string, string[]>>();
  private waiters: (() => void)[] = [];
  ended = false;
  constructor(readonly sock: Duplex) {
    sock.on('data', (c: Buffer) => {
      for (const f of this.parser.push(c)) {
        this.order.push(`${f.type}${'streamId' in f ? ':' + f.streamId : ''}`);
        if (f.type === 'syn_reply') void this.inflate.run(f.block).then((b) => { this.replies.set(f.streamId, decodeHeaderBlock(b)); this.frames.push(f); this.wake(); });
        else { this.frames.push(f); this.wake(); }
      }
    });
    sock.on('end', () => { this.ended = true; this.wake(); });
  }
  private wake(): void { for (const w of this.waiters.splice(0)) w(); }
  async until(pred: () => boolean): Promise<void> {
    const end = Date.now() + 3000;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }
  async syn(id: number, headers: Record<string, string[]>, flags = 0): Promise<Buffer> {
    const block = await this.deflate.run(encodeHeaderBlock(headers));
    return encodeFrame({ type: 'syn_stream', streamId: id, associatedId: 0, priority: 0, flags, block });
  }
  data(id: number, s: string | Buffer, fin = false): Buffer {
    return encodeFrame({ type: 'data', streamId: id, flags: fin ? FLAG_FIN : 0, data: Buffer.from(s) });
  }
  dataOn(id: number): Buffer {
    return Buffer.concat(this.frames.filter((f): f is Extract<Frame, { type: 'data' }> => f.type === 'data' && f.streamId === id).map((f) => f.data));
  }
  finOn(id: number): boolean { return this.frames.some((f) => f.type === 'data' && f.streamId === id && (f.flags & FLAG_FIN) !== 0); }
}

