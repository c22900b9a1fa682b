import type { Answer, Question } from 'dns-packet';
import type { Rcode } from './records.js';
import { encodeMessage } from './wire.js';

export const RCODE: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
export const RCODE_NAMES: Record<number, Rcode> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };
export const OUR_UDP = 1232;          // the EDNS buffer size we advertise (DNS flag day 2020)

/** What a question resolved to, before encoding. */
export interface Resolution { rcode: Rcode; answers: Answer[]; authority: Answer[]; additionals: Answer[]; aa: boolean }

/** The request fields a response depends on. */
export interface ResponseFor { id: number; opcode: number; rd: boolean; question: Question; edns: boolean; limit: number }

export interface Built {
  out: Buffer;
  rcode: Rcode;
  /** False when additionals were dropped or the answer truncated to fit `limit`. */
  complete: boolean;
}

/**
 * Encodes a response that fits `limit`: additionals are dropped first; if the answers alone still
 * don't fit, the response is truncated (TC) so the client retries over TCP. A record that cannot
 * be encoded (e.g. an odd type from upstream) turns the answer into SERVFAIL.
 */
export function buildResponse(res: Resolution, req: ResponseFor, onEncodeError?: (e: Error) => void): Built {
  const build = (r: Resolution, truncate: boolean): Buffer => {
    let flags = (req.opcode << 11) | (req.rd ? 0x0100 : 0) | 0x0080 | RCODE[r.rcode];
    if (r.aa) flags |= 0x0400;
    if (truncate) flags |= 0x0200;
    const additionals: Answer[] = truncate ? [] : [...r.additionals];
    if (req.edns) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: OUR_UDP, flags: 0 } as unknown as Answer);
    return encodeMessage({
      id: req.id, flags: flags | 0x8000,
      questions: [req.question],
      answers: truncate ? [] : r.answers,
      authorities: truncate ? [] : r.authority,
      additionals,
    });
  };
  let out: Buffer;
  try {
    out = build(res, false);
  } catch (e) {
    onEncodeError?.(e as Error);
    res = { rcode: 'SERVFAIL', answers: [], authority: [], additionals: [], aa: false };
    out = build(res, false);
  }
  if (out.length <= req.limit) return { out, rcode: res.rcode, complete: true };
  res = { ...res, additionals: [] };
  out = build(res, false);
  if (out.length > req.limit) out = build(res, true);
  return { out, rcode: res.rcode, complete: false };
}
