/**
 * SPDY/3 header blocks (Draft 3, section 2.6.10): a 32-bit pair count, then for each pair a 32-bit
 * length + lowercase name and a 32-bit length + value (several values joined by NUL), the whole
 * block compressed with one zlib stream per direction per connection, primed with the SPDY/3
 * dictionary and flushed (Z_SYNC_FLUSH) after every block. The zlib contexts live as long as the
 * connection, so blocks must be (de)compressed in the order they are sent/received.
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { SpdyProtocolError } from './frames.js';

/** Header names → values (a name may carry several values). */
export type SpdyHeaders = Record<string, string[]>;

/** Most header pairs / bytes a block may decompress to (guards memory). */
const MAX_PAIRS = 1000;
const MAX_BLOCK = 1 << 20;

/** Serialises headers (names lowercased, values NUL-joined) into an uncompressed block. */
export function encodeHeaderBlock(h: SpdyHeaders): Buffer {
  const names = Object.keys(h);
  const parts: Buffer[] = [];
  const n = Buffer.alloc(4);
  n.writeUInt32BE(names.length);
  parts.push(n);
  for (const name of names) {
    for (const s of [Buffer.from(name.toLowerCase(), 'utf8'), Buffer.from((h[name] ?? []).join('\0'), 'utf8')]) {
      const l = Buffer.alloc(4);
      l.writeUInt32BE(s.length);
      parts.push(l, s);
    }
  }
  return Buffer.concat(parts);
}

/** Parses an uncompressed block; a truncated or duplicate-name block is a protocol error. */
export function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  let off = 0;
  const take32 = (): number => {
    if (off + 4 > b.length) throw new SpdyProtocolError('truncated header block');
    const v = b.readUInt32BE(off);
    off += 4;
    return v;
  };
  const take = (len: number): string => {
    if (off + len > b.length) throw new SpdyProtocolError('truncated header block');
    const s = b.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  const count = take32();
  if (count > MAX_PAIRS) throw new SpdyProtocolError(`header block with ${count} pairs`);
  const out: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    const name = take(take32());
    const value = take(take32());
    if (!name) throw new SpdyProtocolError('empty header name');
    if (name !== name.toLowerCase()) throw new SpdyProtocolError(`header name ${name} is not lowercase`);
    if (name in out) throw new SpdyProtocolError(`duplicate header ${name}`);
    out[name] = value.split('\0');
  }
  if (off !== b.length) throw new SpdyProtocolError('trailing bytes after header block');
  return out;
}

/** First value of a header, or ''. */
export function headerValue(h: SpdyHeaders, name: string): string {
  return h[name.toLowerCase()]?.[0] ?? '';
}

type Zlib = Deflate | Inflate;

/** Runs one block through a long-lived zlib stream and collects what the sync flush yields. */
function through(z: Zlib, input: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(new SpdyProtocolError(`header block: ${e.message}`));
    z.once('error', onError);
    z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('error', onError);
      const chunks: Buffer[] = [];
      let size = 0;
      for (let c = z.read() as Buffer | null; c !== null; c = z.read() as Buffer | null) { chunks.push(c); size += c.length; }
      if (size > limit) { reject(new SpdyProtocolError(`header block inflates to more than ${limit} bytes`)); return; }
      resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * One direction's compression context. Calls are serialised internally, so callers may fire
 * several without awaiting; each resolves with its own block's output.
 */
export class HeaderCodec {
  private readonly z: Zlib;
  private chain: Promise<unknown> = Promise.resolve();
  private constructor(z: Zlib, private readonly limit: number) { this.z = z; }

  static compressor(): HeaderCodec {
    return new HeaderCodec(createDeflate({ dictionary: SPDY3_DICTIONARY, level: constants.Z_BEST_COMPRESSION }), Infinity);
  }
  static decompressor(): HeaderCodec {
    return new HeaderCodec(createInflate({ dictionary: SPDY3_DICTIONARY }), MAX_BLOCK);
  }

  /** Compresses (or decompresses) one block, in call order. */
  run(input: Buffer): Promise<Buffer> {
    const p = this.chain.then(() => through(this.z, input, this.limit));
    this.chain = p.catch(() => undefined);
    return p;
  }

  close(): void { this.z.close(); }
}
