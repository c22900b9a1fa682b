import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { PodnetError } from '../util/errors.js';
import type { ClientConfig } from './types.js';

export class KubeconfigError extends PodnetError {
  constructor(message: string) { super('EKUBECONFIG', message); }
}

interface Named<T> { name: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }
interface Kubeconfig {
  'current-context'?: string;
  clusters?: Named<Record<string, string | boolean | undefined>>[];
  users?: Named<Record<string, string | undefined>>[];
  contexts?: Named<{ cluster?: string; user?: string; namespace?: string }>[];
}

/** Parses kubeconfig YAML text; `baseDir` resolves relative file paths. */
export function parseKubeconfig(text: string, baseDir = process.cwd(), context?: string): ClientConfig & { namespace?: string } {
  let kc: Kubeconfig;
  try { kc = parse(text) as Kubeconfig; } catch (e) { throw new KubeconfigError(`kubeconfig is not valid YAML: ${(e as Error).message}`); }
  if (!kc || typeof kc !== 'object') throw new KubeconfigError('kubeconfig is empty');
  const ctxName = context ?? kc['current-context'];
  const ctx = (kc.contexts ?? []).find((c) => c.name === ctxName)?.context;
  if (!ctx && (kc.contexts ?? []).length > 0) throw new KubeconfigError(`context "${ctxName}" not found in kubeconfig`);
  const cluster = (kc.clusters ?? []).find((c) => c.name === ctx?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  if (!cluster?.server) throw new KubeconfigError(`cluster "${ctx?.cluster}" (with a server) not found in kubeconfig`);
  const user = (kc.users ?? []).find((u) => u.name === ctx?.user)?.user ?? {};
  const file = (p: string | undefined | boolean): Buffer | undefined => {
    if (typeof p !== 'string' || !p) return undefined;
    const abs = isAbsolute(p) ? p : resolve(baseDir, p);
    try { return readFileSync(abs); } catch (e) { throw new KubeconfigError(`cannot read ${abs}: ${(e as Error).message}`); }
  };
  const data = (d: string | undefined | boolean): Buffer | undefined => (typeof d === 'string' && d ? Buffer.from(d, 'base64') : undefined);
  const cfg: ClientConfig & { namespace?: string } = {
    server: String(cluster.server).replace(/\/+$/, ''),
    ca: data(cluster['certificate-authority-data']) ?? file(cluster['certificate-authority']),
    cert: data(user['client-certificate-data']) ?? file(user['client-certificate']),
    key: data(user['client-key-data']) ?? file(user['client-key']),
    token: user.token ?? (user.tokenFile ? file(user.tokenFile)?.toString().trim() : undefined),
  };
  if (ctx?.namespace) cfg.namespace = ctx.namespace;
  if (cluster['insecure-skip-tls-verify'] === true) cfg.insecureSkipTlsVerify = true;
  return cfg;
}

/** Reads a kubeconfig file (current-context unless `context` is given). */
export function loadKubeconfig(path: string, context?: string): ClientConfig & { namespace?: string } {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new KubeconfigError(`cannot read kubeconfig ${path}: ${(e as Error).message}`); }
  return parseKubeconfig(text, dirname(resolve(path)), context);
}
