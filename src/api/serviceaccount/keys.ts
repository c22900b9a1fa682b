/**
 * The service account signing key, as kube-apiserver's flag pair: the private key that signs
 * tokens (--service-account-signing-key-file; RSA → RS256, ECDSA P-256 → ES256) and the public
 * keys tokens are verified with (the signing key's own plus every --service-account-key-file, each
 * a PEM file of public or private keys, RSA or EC). Without a signing key file, a key is generated
 * once into the API server's data dir (`sa.key`, mode 0600, and `sa.pub`), RSA by default or
 * ECDSA P-256 when asked. It does not depend on the storage engine.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PodnetError } from '../../util/errors.js';
import { algorithmOf, JwtError, keyId, type JwtAlgorithm } from './jwt.js';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
  /** RS256 or ES256, from the key. */
  algorithm: JwtAlgorithm;
  /** Every key a token may be verified with: the signing key's public half first. */
  verificationKeys: KeyObject[];
}

/** A key file that cannot be used (unreadable, not PEM, not RSA / ECDSA P-256, or another type than asked). */
export class ServiceAccountKeyError extends PodnetError {
  constructor(message: string) { super('ESAKEY', message); }
}

export const SA_KEY_FILE = 'sa.key';
export const SA_PUB_FILE = 'sa.pub';

export type GeneratedKeyType = 'rsa' | 'ec';
export interface SigningKeyOptions {
  /** --service-account-signing-key-file: a PEM private key (RSA or ECDSA P-256) used instead of the data dir's. */
  signingKeyFile?: string;
  /** --service-account-key-file (repeatable): PEM files of further verification keys. */
  keyFiles?: string[];
  /** The type of the key generated into the data dir the first time (default rsa). */
  generate?: GeneratedKeyType;
}

function checked(key: KeyObject, where: string): JwtAlgorithm {
  try { return algorithmOf(key); } catch (e) {
    if (e instanceof JwtError) throw new ServiceAccountKeyError(`${where}: ${e.message}`);
    throw e;
  }
}

/** Every PEM block of a file as a public key (private blocks give their public half). */
export function readVerificationKeys(file: string): KeyObject[] {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new ServiceAccountKeyError(`${file}: ${(e as Error).message}`); }
  const blocks = text.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g) ?? [];
  if (!blocks.length) throw new ServiceAccountKeyError(`${file}: no PEM-encoded key found`);
  return blocks.map((b, i) => {
    let k: KeyObject;
    try { k = createPublicKey(b); } catch (e) { throw new ServiceAccountKeyError(`${file}: block ${i + 1}: ${(e as Error).message}`); }
    checked(k, `${file}: block ${i + 1}`);
    return k;
  });
}

function loadPrivate(file: string): KeyObject {
  let k: KeyObject;
  try { k = createPrivateKey(readFileSync(file)); } catch (e) { throw new ServiceAccountKeyError(`${file}: ${(e as Error).message}`); }
  checked(k, file);
  return k;
}

/** Loads the signing key (file, or `<dataDir>/sa.key`, generating it and sa.pub the first time) and the verification keys. */
export function ensureSigningKey(dataDir: string, opts: SigningKeyOptions = {}): SigningKey {
  let privateKey: KeyObject;
  if (opts.signingKeyFile) {
    privateKey = loadPrivate(opts.signingKeyFile);
  } else {
    const keyPath = join(dataDir, SA_KEY_FILE);
    if (!existsSync(keyPath)) {
      const { privateKey: fresh } = opts.generate === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
      const tmp = `${keyPath}.tmp`;
      writeFileSync(tmp, fresh.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      renameSync(tmp, keyPath); // never a half-written key
    }
    privateKey = loadPrivate(keyPath);
    const have = privateKey.asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
    if (opts.generate && opts.generate !== have) {
      throw new ServiceAccountKeyError(`${keyPath} holds an ${have.toUpperCase()} key, not ${opts.generate.toUpperCase()}: tokens it signed would stop verifying; remove it to generate a new one`);
    }
    const publicKey = createPublicKey(privateKey);
    const pubPath = join(dataDir, SA_PUB_FILE);
    const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    if (!existsSync(pubPath) || readFileSync(pubPath, 'utf8') !== pubPem) writeFileSync(pubPath, pubPem, { mode: 0o644 });
  }
  const publicKey = createPublicKey(privateKey);
  const extra = (opts.keyFiles ?? []).flatMap(readVerificationKeys);
  return { privateKey, publicKey, kid: keyId(publicKey), algorithm: algorithmOf(privateKey), verificationKeys: [publicKey, ...extra] };
}
