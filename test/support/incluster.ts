/**
 * Runs a program as an in-cluster client of a pod: in the pod's network namespace and a private
 * mount namespace where the service account files (token, ca.crt, namespace) sit at
 * /var/run/secrets/kubernetes.io/serviceaccount, with the pod's KUBERNETES_SERVICE_HOST/PORT and
 * no kubeconfig, which is how client-go (kubectl) finds its in-cluster configuration. The mounts
 * die with the process (private propagation); the host's /run is never touched.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run } from './lab.js';

export const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterFiles { token: string; 'ca.crt': string; namespace: string }

/** The environment variables of a running process (a pod's container). */
export function processEnv(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

// /var/run is /run: a tmpfs over /run in the private mount namespace, then the files bound at SA_DIR.
const SCRIPT = `set -e
mount -t tmpfs -o size=1m,mode=0755 podnet-incluster /run
mkdir -p ${SA_DIR}
mount --bind "$PN_SA_FILES" ${SA_DIR}
mount -o remount,bind,ro ${SA_DIR}
unset PN_SA_FILES
exec "$@"`;

export async function runInCluster(netnsPath: string, env: { KUBERNETES_SERVICE_HOST: string; KUBERNETES_SERVICE_PORT: string }, files: InClusterFiles, argv: string[]): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'pn-incluster-'));
  try {
    const sa = join(dir, 'sa');
    const home = join(dir, 'home');
    mkdirSync(sa, { mode: 0o755 });
    mkdirSync(home, { mode: 0o700 });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(sa, name), content, { mode: 0o644 });
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'KUBECONFIG' && !k.startsWith('KUBERNETES_')) clean[k] = v;
    return await new Promise<Run>((resolve) => {
      execFile('nsenter', [`--net=${netnsPath}`, '--', 'unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', SCRIPT, 'sh', ...argv], {
        env: { ...clean, HOME: home, PN_SA_FILES: sa, ...env }, timeout: 60_000,
      }, (err, stdout, stderr) => {
        resolve({ stdout: String(stdout), stderr: String(stderr), code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0 });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
