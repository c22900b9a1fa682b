/**
 * Compact JWS (RFC 7515) with RS256 for service account tokens: sign a claims object with an RSA
 * private key, verify a token's signature with the public key. Pure apart from node:crypto.
 */
import { createHash, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { PodnetError } from '../../util/errors.js';

/** A token that is malformed, badly signed or signed with another algorithm (code: EJWT). */
export class JwtError extends PodnetError {
  constructor(message: string) { super('EJWT', message); }
}

export type JwtClaims = Record<string, unknown>;

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** The key id upstream derives from a public key: base64url(SHA-256(DER of the SubjectPublicKeyInfo)). */
export function keyId(pub: KeyObject): string {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** header.payload.signature with {"alg":"RS256","kid":…}. */
export function signJwt(claims: JwtClaims, key: KeyObject, kid: string): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', kid }));
  const body = b64url(JSON.stringify(claims));
  const sig = rsaSign('sha256', Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64url(sig)}`;
}

function decodePart(part: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new JwtError(`${what} is not base64url`);
  let v: unknown;
  try { v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')); } catch { throw new JwtError(`${what} is not JSON`); }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JwtError(`${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Does this look like a JWT at all (three base64url parts)? */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** Checks the RS256 signature with `pub`; returns the claims (not yet checked for time or audience). */
export function verifyJwt(token: string, pub: KeyObject): { header: Record<string, unknown>; claims: JwtClaims } {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  const header = decodePart(h, 'header');
  if (header.alg !== 'RS256') throw new JwtError(`unsupported signing algorithm ${JSON.stringify(header.alg)}`);
  if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new JwtError('signature is not base64url');
  if (!rsaVerify('sha256', Buffer.from(`${h}.${p}`), pub, Buffer.from(s, 'base64url'))) throw new JwtError('invalid signature');
  return { header, claims: decodePart(p, 'payload') };
}
