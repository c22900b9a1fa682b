import dnsPacket, { type Answer, type Question } from 'dns-packet';

/** The parts of a response as wire.ts encodes them. */
export interface WireMessage {
  id: number;
  flags: number;              // full 16-bit flags word incl. QR, opcode, AA, TC, RD, RA, rcode
  questions: Question[];
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

interface Codec<T> { encode(v: T, buf?: Buffer, offset?: number): unknown; encodingLength(v: T): number }
const answerCodec = (dnsPacket as unknown as { answer: Codec<Answer> }).answer;
const questionCodec = (dnsPacket as unknown as { question: Codec<Question> }).question;
const nameCodec = (dnsPacket as unknown as { name: Codec<string> }).name;

/**
 * Encodes a message with RFC 1035 §4.1.4 compression of record owner names (dns-packet writes
 * every name in full, which makes large headless answers several times bigger than needed).
 * A repeated owner name is replaced by a pointer to its first occurrence.
 */
export function encodeMessage(m: WireMessage): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(m.id, 0);
  header.writeUInt16BE(m.flags, 2);
  header.writeUInt16BE(m.questions.length, 4);
  header.writeUInt16BE(m.answers.length, 6);
  header.writeUInt16BE(m.authorities.length, 8);
  header.writeUInt16BE(m.additionals.length, 10);
  parts.push(header);
  let offset = 12;
  const seen = new Map<string, number>();
  const remember = (name: string, at: number): void => {
    const key = name.toLowerCase().replace(/\.$/, '');
    if (!seen.has(key) && at < 0x3fff) seen.set(key, at);
  };
  for (const q of m.questions) {
    // question.encode returns its argument, not the buffer: hand it one.
    const b = Buffer.alloc(questionCodec.encodingLength(q));
    questionCodec.encode(q, b, 0);
    remember(q.name, offset);
    parts.push(b); offset += b.length;
  }
  for (const rr of [...m.answers, ...m.authorities, ...m.additionals]) {
    const full = Buffer.alloc(answerCodec.encodingLength(rr));
    answerCodec.encode(rr, full, 0);
    const owner = (rr as { name: string }).name;
    const key = owner.toLowerCase().replace(/\.$/, '');
    const at = seen.get(key);
    if (at !== undefined && key !== '') {
      const ownerLen = nameCodec.encodingLength(owner);
      const ptr = Buffer.alloc(2); ptr.writeUInt16BE(0xc000 | at);
      const b = Buffer.concat([ptr, full.subarray(ownerLen)]);
      parts.push(b); offset += b.length;
    } else {
      remember(owner, offset);
      parts.push(full); offset += full.length;
    }
  }
  return Buffer.concat(parts);
}
