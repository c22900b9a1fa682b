/**
 * Calling a CNI plugin: by the exec protocol (a runtime running a config list, a plugin delegating
 * to its IPAM or to the plugin it wraps), or — inside the agent's CNI server, for podnet's own
 * plugins — as a function call in this process with the same env, stdin and result.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { argvInNetns } from '../net/spawn.js';
import { PODNET_CNI_BIN_DIR, PODNET_CNI_FAST_DIR } from './bindir.js';
import { PLUGINS } from './plugins/registry.js';
import { invoke } from './skel.js';
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

/** A plugin's exit and stdout as the caller sees them: the parsed result, or a CniError with the plugin's own code/msg. */
function pluginOutcome(name: string, code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string): unknown {
  let parsed: unknown;
  try { parsed = stdout.trim() ? JSON.parse(stdout) : undefined; } catch {
    throw new CniError(ErrCode.Decode, `plugin ${name} printed invalid JSON (exit ${code})`, (stdout + stderr).slice(0, 400));
  }
  if (code === 0) return parsed;
  const p = parsed as { code?: number; msg?: string; details?: string } | undefined;
  if (p && typeof p.code === 'number') throw new CniError(p.code, p.msg ?? 'plugin failed', p.details ?? '');
  throw new CniError(ErrCode.Internal, `plugin ${name} failed (exit ${code ?? signal})`, stderr.slice(0, 400));
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
      try { resolve(pluginOutcome(path, code, signal, Buffer.concat(out).toString(), Buffer.concat(err).toString())); } catch (e) { reject(e as Error); }
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

/** How many CNI servers in this process run plugins in-process (see serveDelegatesInProcess). */
let inProcessServers = 0;
let ownDirs: Set<string> | undefined;

/**
 * Called by the CNI server while it serves: a delegation from a plugin it runs then stays in this
 * process when the delegated type resolves (by CNI_PATH, as for exec) to one of podnet's own
 * executables (bin/cni or the thin clients in bin/cni/fast). Returns the undo.
 */
export function serveDelegatesInProcess(): () => void {
  inProcessServers++;
  let done = false;
  return () => { if (!done) { done = true; inProcessServers--; } };
}

function realDir(d: string): string { try { return realpathSync(d); } catch { return d; } }

/** True when `path` (found by findPlugin) is podnet's own executable for `type`, which this process can run itself. */
function isOwnPlugin(type: string, path: string): boolean {
  if (!Object.hasOwn(PLUGINS, type)) return false;
  ownDirs ??= new Set([PODNET_CNI_BIN_DIR, PODNET_CNI_FAST_DIR].map(realDir));
  return ownDirs.has(realDir(dirname(path)));
}

/**
 * A runtime's call of a plugin found at `path` (a config list run by the kubelet in the agent):
 * while a CNI server in this process serves podnet's own plugins, the call is a function call —
 * same env, stdin and result as exec'ing the thin client, minus its `sh`, `curl` and HTTP round
 * trip. Undefined when the plugin is not podnet's own or nothing serves in this process (then exec).
 */
export function runOwnPluginInProcess(type: string, path: string, env: Record<string, string>, stdin: string | Buffer): Promise<unknown> | undefined {
  if (inProcessServers === 0 || !isOwnPlugin(type, path)) return undefined;
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('CNI_') || k.startsWith('PODNET_CNI_')) e[k] = v;
  return (async () => {
    const plugin = await PLUGINS[type]!();
    const input = Buffer.from(stdin);
    const out = await invoke(plugin, { env: e, stdin: () => input });
    return pluginOutcome(`${type} (in-process)`, out.exitCode, null, out.stdout, '');
  })();
}

/**
 * Delegates to an IPAM/chained plugin found in CNI_PATH with the same env but another command.
 * Inside the CNI server, podnet's own plugins run in-process (same env and stdin, same result or
 * CniError); any other plugin, and every call outside the server, is exec'd.
 */
export async function delegate(type: string, command: 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS', stdin: string | Buffer, env: Readonly<Record<string, string | undefined>>): Promise<unknown> {
  const path = findPlugin(type, (env.CNI_PATH ?? '').split(':').filter(Boolean));
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('CNI_') && v !== undefined) e[k] = v;
  e.CNI_COMMAND = command;
  if (env.PODNET_CNI_SOCKET) e.PODNET_CNI_SOCKET = env.PODNET_CNI_SOCKET;
  if (inProcessServers > 0 && isOwnPlugin(type, path)) {
    const plugin = await PLUGINS[type]!();
    const input = Buffer.from(stdin);
    const out = await invoke(plugin, { env: e, stdin: () => input });
    return pluginOutcome(`${type} (in-process)`, out.exitCode, null, out.stdout, '');
  }
  return execPlugin(path, e, stdin);
}
