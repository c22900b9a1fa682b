/**
 * A real `podnet apiserver` child process for e2e tests: fresh data dir, a free loopback port,
 * an optional unix socket, and the real kubectl pointed at it. Everything is removed by stop().
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
export const PODNET_MAIN = join(here, '..', '..', 'src', 'cli', 'main.js');

export interface KubectlResult { stdout: string; stderr: string; code: number }
export interface StartOptions {
  /** sqlite (default) or etcd:http://… */
  storage?: string;
  serviceCidr?: string;
  nodePortRange?: string;
  clusterCidr?: string;
  /** Embedded controllers ('' = none). Default all. */
  controllers?: string;
  unixSocket?: boolean;
  /** Extra apiserver flags (e.g. ['--etcd-compaction-interval', '1s', '--compaction-retain', '5']). */
  extraArgs?: string[];
  /** Extra env for the server (e.g. PODNET_LOG_LEVEL). */
  env?: Record<string, string>;
  /** Another server's data dir whose PKI (CA, serving and admin certificates, service account keys) this one shares (HA pairs). */
  pkiFrom?: string;
}

export interface ApiServerHandle {
  url: string;
  port: number;
  dataDir: string;
  kubeconfigPath: string;
  socketPath?: string;
  pid(): number | undefined;
  /** Runs the real kubectl against this server; rejects (with stdout/stderr/code) on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<KubectlResult>;
  /** Like kubectl() but resolves whatever the exit code. */
  kubectlRaw(args: string[], input?: string): Promise<KubectlResult>;
  /** SIGKILL the server (no cleanup), for durability tests. */
  kill9(): Promise<void>;
  /** Start it again on the same port and data dir. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); });
  });
}

export function runKubectl(kubeconfig: string, args: string[], input?: string, timeoutMs = 60_000): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const c = execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
    c.stdin?.on('error', () => { /* the child may exit before reading stdin */ });
    if (input !== undefined) c.stdin?.end(input); else c.stdin?.end();
  });
}

export async function startApiServer(o: StartOptions = {}): Promise<ApiServerHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pn-api-'));
  if (o.pkiFrom) cpSync(join(o.pkiFrom, 'pki'), join(dataDir, 'pki'), { recursive: true });
  const port = await freePort();
  const socketPath = o.unixSocket ? join(dataDir, 'api.sock') : undefined;
  const kubeconfigPath = join(dataDir, 'admin.kubeconfig');
  let child: ChildProcess | undefined;
  let log = '';
  const args = [PODNET_MAIN, 'apiserver', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`,
    '--storage', o.storage ?? 'sqlite', '--service-cluster-ip-range', o.serviceCidr ?? '10.96.0.0/12',
    '--service-node-port-range', o.nodePortRange ?? '30000-32767', '--cluster-cidr', o.clusterCidr ?? '10.244.0.0/16',
    '--controllers', o.controllers ?? '*', ...(socketPath ? ['--unix-socket', socketPath] : []), ...(o.extraArgs ?? [])];

  const launch = async (): Promise<void> => {
    rmSync(kubeconfigPath, { force: true });
    const c = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
    child = c;
    c.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-20_000); });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`apiserver did not start in 30 s:\n${log}`)), 30_000);
      c.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('admin kubeconfig:')) { clearTimeout(timer); resolve(); }
      });
      c.once('exit', (code) => { clearTimeout(timer); reject(new Error(`apiserver exited with ${code}:\n${log}`)); });
    });
  };
  const waitExit = (c: ChildProcess | undefined): Promise<void> => new Promise((r) => {
    if (!c || c.exitCode !== null || c.signalCode !== null) return r();
    c.once('exit', () => r());
  });

  await launch().catch((e: unknown) => { rmSync(dataDir, { recursive: true, force: true }); throw e; });
  const kubectlRaw = (a: string[], input?: string): Promise<KubectlResult> => runKubectl(kubeconfigPath, a, input);
  return {
    url: `https://127.0.0.1:${port}`, port, dataDir, kubeconfigPath, socketPath,
    pid: () => child?.pid,
    kubectlRaw,
    async kubectl(a, input) {
      const r = await kubectlRaw(a, input);
      if (r.code !== 0) throw Object.assign(new Error(`kubectl ${a.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`), r);
      return r;
    },
    async kill9() { const c = child; c?.kill('SIGKILL'); await waitExit(c); },
    async restart() { await launch(); },
    async stop() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 5000);
        await waitExit(c);
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}


/** A raw response: status, Content-Type and the bytes as sent. */
export interface RawResponse { status: number; type: string; body: Buffer }

/** GET `path` with the admin kubeconfig's client certificate and the given Accept, the body as bytes. */
export function rawGet(api: ApiServerHandle, path: string, accept: string): Promise<RawResponse> {
  const kc = parse(readFileSync(api.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };
  const b = (s: string): Buffer => Buffer.from(s, 'base64');
  return new Promise((resolve, reject) => {
    request(`${api.url}${path}`, { headers: { accept }, ca: b(kc.clusters[0]!.cluster['certificate-authority-data']!), cert: b(kc.users[0]!.user['client-certificate-data']!), key: b(kc.users[0]!.user['client-key-data']!) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
    }).on('error', reject).setTimeout(20_000, function (this: { destroy(e: Error): void }) { this.destroy(new Error(`GET ${path} timed out`)); }).end();
  });
}
