/**
 * A query's header and question section read straight from the wire, for the fast path: only
 * the common shape is accepted (one question of class IN with a plain letters/digits/-/_ name,
 * no answer or authority records, at most one additional which is an EDNS OPT with well-formed
 * options, nothing after it). Anything else returns undefined and takes the full decoder.
 */
export interface SimpleQuery {
  id: number;
  rd: boolean;
  /** Offset just past the question's name (its type and class follow). */
  nameEnd: number;
  /** Offset just past the question (name, type, class). */
  questionEnd: number;
  /** Table key: the wire name lowercased, the qtype and class bytes, and whether EDNS is on. */
  key: string;
  edns: boolean;
  /** The UDP payload size the client advertised (EDNS only). */
  udpSize: number;
}

const MAX_NAME_TEXT = 253;

/** True for the bytes a fast-path label may hold: A-Z a-z 0-9 - _ */
function plainByte(b: number): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f;
}

/** The table key of a question whose name spans [12, nameEnd) of `buf` (lowercased). */
export function questionKey(buf: Buffer, nameEnd: number, edns: boolean, lower = false): string {
  const name = buf.toString('latin1', 12, nameEnd);
  return (lower ? name : name.toLowerCase()) + buf.toString('latin1', nameEnd, nameEnd + 4) + (edns ? '1' : '0');
}

/** Parses the first `len` bytes of `msg` (all of it by default); undefined when not the common shape. */
export function parseSimpleQuery(msg: Buffer, len = msg.length): SimpleQuery | undefined {
  if (len > msg.length) return undefined;
  if (len < 17) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0xf800) return undefined;                       // a response, or an opcode other than QUERY
  if (msg.readUInt16BE(4) !== 1 || msg.readUInt16BE(6) !== 0 || msg.readUInt16BE(8) !== 0) return undefined;
  const arcount = msg.readUInt16BE(10);
  if (arcount > 1) return undefined;
  let off = 12;
  let text = -1;                                               // textual length: labels plus dots between
  let upper = false;
  for (;;) {
    if (off >= len) return undefined;
    const l = msg[off]!;
    if (l === 0) break;
    if (l > 63) return undefined;                              // compression pointers and extended label types
    if (off + 1 + l > len) return undefined;
    for (let i = off + 1; i <= off + l; i++) {
      const b = msg[i]!;
      if (b >= 0x61 && b <= 0x7a) continue;
      if (!plainByte(b)) return undefined;
      if (b <= 0x5a && b >= 0x41) upper = true;
    }
    text += l + 1;
    off += 1 + l;
  }
  if (text < 1 || text > MAX_NAME_TEXT) return undefined;      // the root name, or too long
  const nameEnd = off + 1;
  const questionEnd = nameEnd + 4;
  if (questionEnd > len) return undefined;
  if (msg.readUInt16BE(nameEnd + 2) !== 1) return undefined;   // class IN only
  let edns = false;
  let udpSize = 0;
  if (arcount === 1) {
    // root owner, type OPT, class = payload size, ttl (ext rcode/version/flags), rdlength, options
    if (questionEnd + 11 > len || msg[questionEnd] !== 0 || msg.readUInt16BE(questionEnd + 1) !== 41) return undefined;
    udpSize = msg.readUInt16BE(questionEnd + 3);
    const rdlen = msg.readUInt16BE(questionEnd + 9);
    let o = questionEnd + 11;
    if (o + rdlen !== len) return undefined;
    while (o < len) {
      if (o + 4 > len) return undefined;
      const code = msg.readUInt16BE(o);
      const olen = msg.readUInt16BE(o + 2);
      if (code === 8) return undefined;                        // client subnet: the decoder parses its contents
      o += 4 + olen;
    }
    if (o !== len) return undefined;
    edns = true;
  } else if (questionEnd !== len) return undefined;
  return { id: msg.readUInt16BE(0), rd: (flags & 0x0100) !== 0, nameEnd, questionEnd, key: questionKey(msg, nameEnd, edns, !upper), edns, udpSize };
}

/** The UDP size limit of a response, as the full path computes it. */
export function udpLimit(q: SimpleQuery): number {
  return q.edns ? Math.max(512, Math.min(q.udpSize, 4096)) : 512;
}
