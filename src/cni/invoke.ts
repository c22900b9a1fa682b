import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { argvInNetns } from '../net/spawn.js';
import { CniError, ErrCode } from './types.js';

/** Finds an executable plugin named `type` in the CNI_PATH directories. */
export function findPlugin(type: string, dirs: readonly string[]): string {
  if (!type || /[/\\]/.test(type) || type === '.' || type === '..') throw new CniError(ErrCode.InvalidNetworkConfig, `invalid plugin type "${type}"`);
  for (const d of dirs) {
    const p = join(d, type);
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  throw new CniError(ErrCode.InvalidNetworkConfig, `failed to find plugin "${type}" in path [${dirs.join(' ')}]`);
}

export interface ExecPluginOpts {
  /** Run the plugin inside this network namespace (nsenter), instead of the caller's. */
  netns?: string;
  timeoutMs?: number;
}

/**
 * Runs a plugin executable with CNI env + stdin; returns its parsed stdout (undefined when empty).
 * A non-zero exit becomes a CniError carrying the plugin's own code/msg.
 */
export function execPlugin(path: string, env: Record<string, string>, stdin: string | Buffer, o: ExecPluginOpts = {}): Promise<unknown> {
  const argv = o.netns ? argvInNetns(o.netns, [path]) : [path];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...pickEnv(process.env), ...env }, stdio: ['pipe', 'pipe', 'pipe'], timeout: o.timeoutMs ?? 60_000 });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CniError(ErrCode.IO, `failed to run plugin ${path}`, e.message)));
    child.on('close', (code, signal) => {
      const text = Buffer.concat(out).toString();
      let parsed: unknown;
      try { parsed = text.trim() ? JSON.parse(text) : undefined; } catch {
        return reject(new CniError(ErrCode.Decode, `plugin ${path} printed invalid JSON (exit ${code})`, (text + Buffer.concat(err).toString()).slice(0, 400)));
      }
      if (code === 0) return resolve(parsed);
      const p = parsed as { code?: number; msg?: string; details?: string } | undefined;
      if (p && typeof p.code === 'number') return reject(new CniError(p.code, p.msg ?? 'plugin failed', p.details ?? ''));
      reject(new CniError(ErrCode.Internal, `plugin ${path} failed (exit ${code ?? signal})`, Buffer.concat(err).toString().slice(0, 400)));
    });
    child.stdin.on('error', () => { /* early exit */ });
    child.stdin.end(stdin);
  });
}

/** Keeps PATH and friends, drops any CNI_* the caller itself was started with. */
function pickEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith('CNI_')) o[k] = v;
  return o;
}

/** Delegates to an IPAM/chained plugin found in CNI_PATH with the same env but another command. */
export async function delegate(type: string, command: 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS', stdin: string | Buffer, env: Readonly<Record<string, string | undefined>>): Promise<unknown> {
  const path = findPlugin(type, (env.CNI_PATH ?? '').split(':').filter(Boolean));
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('CNI_') && v !== undefined) e[k] = v;
  e.CNI_COMMAND = command;
  if (env.PODNET_CNI_SOCKET) e.PODNET_CNI_SOCKET = env.PODNET_CNI_SOCKET;
  return execPlugin(path, e, stdin);
}
