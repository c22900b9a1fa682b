/**
 * Compact JWS (RFC 7515) for service account tokens, with the two algorithms kube-apiserver's
 * signing keys allow: RS256 (RSA key) and ES256 (ECDSA P-256, signature as the 64-byte r‖s of
 * RFC 7518 §3.4). The algorithm follows from the key; a token verifies only against a key of the
 * algorithm its header names. Pure apart from node:crypto.
 */
import { createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
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

export type JwtAlgorithm = 'RS256' | 'ES256';

/** The JWS algorithm of a key: RS256 for RSA, ES256 for ECDSA on P-256; anything else is refused. */
export function algorithmOf(key: KeyObject): JwtAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'ES256';
    throw new JwtError(`ECDSA keys must use the P-256 curve (ES256), not ${curve ?? 'an unknown curve'}`);
  }
  throw new JwtError(`service account keys must be RSA or ECDSA P-256, not ${key.asymmetricKeyType ?? key.type}`);
}

/** header.payload.signature with {"alg":"RS256"|"ES256","kid":…}, the algorithm following the key. */
export function signJwt(claims: JwtClaims, key: KeyObject, kid: string): string {
  const alg = algorithmOf(key);
  const head = b64url(JSON.stringify({ alg, kid }));
  const body = b64url(JSON.stringify(claims));
  const sig = alg === 'ES256'
    ? cryptoSign('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' })
    : cryptoSign('sha256', Buffer.from(`${head}.${body}`), key);
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

function verifiesWith(alg: JwtAlgorithm, signed: Buffer, sig: Buffer, pub: KeyObject): boolean {
  let keyAlg: JwtAlgorithm;
  try { keyAlg = algorithmOf(pub); } catch { return false; }
  if (keyAlg !== alg) return false;
  if (alg === 'ES256') return sig.length === 64 && cryptoVerify('sha256', signed, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
  return cryptoVerify('sha256', signed, pub, sig);
}

/**
 * Checks the signature (RS256 or ES256, as the header says) with `pub`, or with any of several
 * verification keys (as kube-apiserver's repeated --service-account-key-file); returns the claims
 * (not yet checked for time or audience).
 */
export function verifyJwt(token: string, pub: KeyObject | readonly KeyObject[]): { header: Record<string, unknown>; claims: JwtClaims } {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  const header = decodePart(h, 'header');
  if (header.alg !== 'RS256' && header.alg !== 'ES256') throw new JwtError(`unsupported signing algorithm ${JSON.stringify(header.alg)}`);
  if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new JwtError('signature is not base64url');
  const keys = Array.isArray(pub) ? pub : [pub as KeyObject];
  const signed = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  if (!keys.some((k) => verifiesWith(header.alg as JwtAlgorithm, signed, sig, k))) throw new JwtError('invalid signature');
  return { header, claims: decodePart(p, 'payload') };
}
