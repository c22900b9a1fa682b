/**
 * The service account signing key: an RSA key generated once into the API server's data dir
 * (`sa.key`, mode 0600, and `sa.pub`), as kube-apiserver's --service-account-signing-key-file /
 * --service-account-key-file pair. It does not depend on the storage engine.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyId } from './jwt.js';

export interface SigningKey { privateKey: KeyObject; publicKey: KeyObject; kid: string }

export const SA_KEY_FILE = 'sa.key';
export const SA_PUB_FILE = 'sa.pub';

/** Loads `<dataDir>/sa.key`, generating it (and sa.pub) the first time. */
export function ensureSigningKey(dataDir: string): SigningKey {
  const keyPath = join(dataDir, SA_KEY_FILE);
  if (!existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const tmp = `${keyPath}.tmp`;
    writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    renameSync(tmp, keyPath); // never a half-written key
  }
  const privateKey = createPrivateKey(readFileSync(keyPath));
  const publicKey = createPublicKey(privateKey);
  const pubPath = join(dataDir, SA_PUB_FILE);
  const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  if (!existsSync(pubPath) || readFileSync(pubPath, 'utf8') !== pubPem) writeFileSync(pubPath, pubPem, { mode: 0o644 });
  return { privateKey, publicKey, kid: keyId(publicKey) };
}
