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
