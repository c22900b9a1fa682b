import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNamedNetns, deleteNamedNetns, netnsPath } from '../../src/net/netns.js';
import { nsExec } from '../../src/net/exec.js';

/** Repository root (dist/test/support → ../../..). */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const OUR_BIN = join(REPO, 'bin', 'cni');
export const REF_BIN = '/usr/lib/cni';

/**
 * Per-test fixture: uniquely named namespaces and a temp dir, all removed by `cleanup()` (call it
 * in finally). Only what this fixture created is removed.
 */
export class CniFixture {
  readonly id = randomBytes(2).toString('hex');
  readonly dir: string;
  private names: string[] = [];
  constructor() { this.dir = mkdtempSync(join(tmpdir(), `pn-tcni-${this.id}-`)); }

  /** Creates netns `pn-tcni-<id>-<tag>` (lo up) and returns its path. */
  async netns(tag: string): Promise<string> {
    const name = `pn-tcni-${this.id}-${tag}`;
    this.names.push(name);
    return createNamedNetns(name);
  }

  async cleanup(): Promise<void> {
    for (const n of this.names.reverse()) await deleteNamedNetns(n);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface PluginRun { code: number; out: unknown; raw: string }

/** Runs a plugin the way any CNI runtime does: env + stdin, inside `hostNs` (the node). */
export function runPlugin(bin: string, env: Record<string, string>, conf: unknown, hostNs?: string): Promise<PluginRun> {
  const argv = hostNs ? ['nsenter', `--net=${hostNs}`, '--', bin] : [bin];
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    c.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    c.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    c.on('error', reject);
    c.on('close', (code) => {
      let parsed: unknown;
      try { parsed = out.trim() ? JSON.parse(out) : undefined; } catch { parsed = undefined; }
      resolve({ code: code ?? -1, out: parsed, raw: out + err });
    });
    c.stdin.on('error', () => { /* early exit */ });
    c.stdin.end(typeof conf === 'string' ? conf : JSON.stringify(conf));
  });
}

/** Names of veth links in ns. */
export async function vethsIn(ns: string): Promise<string[]> {
  const { stdout } = await nsExec(ns, ['ip', '-json', 'link', 'show', 'type', 'veth']);
  return (JSON.parse(stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

/** Allocation files (IPs) in a host-local data dir for a network. */
export function ipFiles(dataDir: string, network: string): string[] {
  const d = join(dataDir, network);
  if (!existsSync(d)) return [];
  return readdirSync(d).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip'));
}

/** `iptables-save -t nat` lines mentioning `needle` inside ns. */
export async function natRules(ns: string, needle = 'CNI-'): Promise<string[]> {
  const { stdout } = await nsExec(ns, ['iptables-save', '-t', 'nat']);
  return stdout.split('\n').filter((l) => l.includes(needle));
}

export { netnsPath };

/**
 * A one-shot TCP server inside ns (python3): answers every connection with `reply` and closes.
 * Returns a stop function (kills only this process).
 */
export async function tcpServe(ns: string, port: number, reply: string): Promise<() => void> {
  const code = `import socket\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('0.0.0.0',${port}));s.listen(8);print('ready',flush=True)\nwhile True:\n  c,_=s.accept();c.sendall(${JSON.stringify(reply)}.encode());c.close()`;
  const child = spawn('nsenter', [`--net=${ns}`, '--', 'python3', '-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`tcp server exited (${c})`)));
  });
  return () => { child.kill('SIGKILL'); };
}

/** Connects from inside ns to ip:port and returns what the server sent. */
export async function tcpProbe(ns: string, ip: string, port: number): Promise<string> {
  const code = `import socket\ns=socket.create_connection((${JSON.stringify(ip)},${port}),timeout=3);print(s.recv(100).decode(),end='')`;
  const { stdout } = await nsExec(ns, ['python3', '-c', code]);
  return stdout;
}

/** Starts `podnet cni serve` inside a node netns (a path); resolves once it listens, to a stop function. */
export async function serveCni(node: string, sock: string): Promise<() => Promise<void>> {
  const child = spawn('nsenter', [`--net=${node}`, '--', process.execPath, join(REPO, 'dist', 'src', 'cli', 'main.js'), 'cni', 'serve', '--socket', sock], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => { if (b.toString().includes('listening')) resolve(); });
    child.once('exit', (c) => reject(new Error(`cni server exited (${c})`)));
  });
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await done;
  };
}
