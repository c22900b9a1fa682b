/**
 * `podnet kubeconfig`: a kubeconfig for the API server of a data dir, with the admin credentials
 * or a new client certificate, and when that certificate expires.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PodnetError } from '../util/errors.js';
import { certExpiry, ensurePki, issueClientCert, renderKubeconfig } from './pki.js';

export interface KubeconfigRequest { dataDir: string; user?: string; groups?: string[]; server?: string }
export interface IssuedKubeconfig { text: string; user: string; expires: Date }

/** The server URL of the data dir's admin kubeconfig, if the API server has written it. */
function serverOf(dataDir: string): string | undefined {
  try {
    const kc = parse(readFileSync(join(dataDir, 'admin.kubeconfig'), 'utf8')) as { clusters?: { cluster?: { server?: string } }[] };
    return kc.clusters?.[0]?.cluster?.server;
  } catch { return undefined; }
}

export function kubeconfigFor(r: KubeconfigRequest): IssuedKubeconfig {
  const server = r.server ?? serverOf(r.dataDir);
  if (!server) throw new PodnetError('ENOSERVER', `no server URL: start the apiserver with --data-dir ${r.dataDir} first, or pass --server`);
  const pki = ensurePki(r.dataDir);
  const pair = r.user ? issueClientCert(r.dataDir, r.user, r.groups ?? []) : pki.admin;
  const user = r.user ?? 'admin';
  return { text: renderKubeconfig({ server, ca: pki.ca.cert, cert: pair.cert, key: pair.key, user }), user, expires: certExpiry(pair.cert) };
}

/** `the admin client certificate expires 2027-11-27T10:48:22Z (in 365 days)`. */
export function expiryNote(k: IssuedKubeconfig, now = new Date()): string {
  const days = Math.floor((k.expires.getTime() - now.getTime()) / (24 * 3600 * 1000));
  const when = k.expires.toISOString().replace(/\.\d+Z$/, 'Z');
  const who = k.user === 'admin' ? 'the admin client certificate' : `the client certificate of ${k.user}`;
  return days < 0 ? `${who} expired ${when}` : `${who} expires ${when} (in ${days} days)`;
}
