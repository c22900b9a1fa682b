import { readFileSync } from 'node:fs';
import { CniError, ErrCode, SUPPORTED_VERSIONS, CURRENT_VERSION, parseCniArgs, type CmdArgs, type CniCommand, type CniPlugin, type NetConf } from './types.js';
import { atLeast, convertResult, parseResult, requireSupported } from './version.js';

const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION', 'GC', 'STATUS'];

/** Env variables each command requires (SPEC.md "Parameters"). */
const REQUIRED: Record<CniCommand, readonly string[]> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'],
  GC: ['CNI_PATH'],
  STATUS: ['CNI_PATH'],
  VERSION: [],
};

const CONTAINER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Checks an interface name as the kernel would accept it. */
function validIfName(n: string): string | undefined {
  if (!n) return 'interface name is empty';
  if (n.length > 15) return `interface name "${n}" is longer than 15 characters`;
  if (n === '.' || n === '..') return `interface name "${n}" is not allowed`;
  if (/[/:\s]/.test(n)) return `interface name "${n}" contains / : or whitespace`;
  return undefined;
}

export interface Io { env: Readonly<Record<string, string | undefined>>; stdin: () => Buffer; }

/** Outcome of one invocation: what to print and the exit code. */
export interface Outcome { stdout: string; exitCode: number }

/** Runs one invocation against `plugin` with the given env/stdin; never throws. */
export async function invoke(plugin: CniPlugin, io: Io): Promise<Outcome> {
  let cniVersion: string | undefined;
  try {
    const cmd = io.env.CNI_COMMAND ?? '';
    if (!COMMANDS.includes(cmd as CniCommand)) throw new CniError(ErrCode.InvalidEnv, `unknown CNI_COMMAND "${cmd}"`);
    const command = cmd as CniCommand;
    if (command === 'VERSION') {
      return ok({ cniVersion: CURRENT_VERSION, supportedVersions: [...SUPPORTED_VERSIONS] });
    }
    const missing = REQUIRED[command].filter((k) => !io.env[k]);
    if (missing.length) throw new CniError(ErrCode.InvalidEnv, `required env variables [${missing.join(',')}] missing`);
    const containerId = io.env.CNI_CONTAINERID ?? '';
    if (containerId && !CONTAINER_ID_RE.test(containerId)) throw new CniError(ErrCode.InvalidEnv, `invalid CNI_CONTAINERID "${containerId}"`);
    const ifName = io.env.CNI_IFNAME ?? '';
    if (REQUIRED[command].includes('CNI_IFNAME')) {
      const bad = validIfName(ifName);
      if (bad) throw new CniError(ErrCode.InvalidEnv, `invalid CNI_IFNAME: ${bad}`);
    }
    const stdin = io.stdin();
    let conf: NetConf;
    try { conf = JSON.parse(stdin.toString('utf8')) as NetConf; } catch (e) {
      throw new CniError(ErrCode.Decode, 'error decoding network config', (e as Error).message);
    }
    if (!conf || typeof conf !== 'object' || Array.isArray(conf)) throw new CniError(ErrCode.Decode, 'network config is not a JSON object');
    cniVersion = requireSupported(conf.cniVersion);
    if (!conf.name || typeof conf.name !== 'string') throw new CniError(ErrCode.InvalidNetworkConfig, 'missing network name ("name")');
    if (command === 'CHECK' && !atLeast(cniVersion, '0.4.0')) throw new CniError(ErrCode.IncompatibleVersion, `config version ${cniVersion} does not allow CHECK`);
    if ((command === 'GC' || command === 'STATUS') && !atLeast(cniVersion, '1.1.0')) throw new CniError(ErrCode.IncompatibleVersion, `config version ${cniVersion} does not allow ${command}`);
    if (conf.prevResult !== undefined && conf.prevResult !== null) conf.prevResult = parseResult(conf.prevResult);
    const a: CmdArgs = {
      command, containerId, netns: io.env.CNI_NETNS ?? '', ifName,
      args: io.env.CNI_ARGS ?? '', path: (io.env.CNI_PATH ?? '').split(':').filter(Boolean), stdin, conf, env: io.env,
    };
    parseCniArgs(a.args);
    switch (command) {
      case 'ADD': {
        const res = await plugin.add(a);
        return ok(convertResult(res, cniVersion));
      }
      case 'DEL': await plugin.del(a); return ok(undefined);
      case 'CHECK': await plugin.check(a); return ok(undefined);
      case 'GC': if (plugin.gc) await plugin.gc(a); return ok(undefined);
      case 'STATUS': if (plugin.status) await plugin.status(a); return ok(undefined);
    }
  } catch (e) {
    const err = e instanceof CniError ? e : new CniError(ErrCode.Internal, (e as Error)?.message ?? String(e));
    return { stdout: JSON.stringify(err.toJSON(cniVersion ?? CURRENT_VERSION), null, 2) + '\n', exitCode: 1 };
  }
}

function ok(v: unknown): Outcome {
  return { stdout: v === undefined ? '' : JSON.stringify(v, null, 2) + '\n', exitCode: 0 };
}

/** The protocol entry of a plugin executable: env + stdin in, JSON on stdout, exit code out. */
export async function pluginMain(plugin: CniPlugin): Promise<void> {
  const out = await invoke(plugin, { env: process.env, stdin: () => { try { return readFileSync(0); } catch { return Buffer.alloc(0); } } });
  process.stdout.write(out.stdout);
  process.exitCode = out.exitCode;
}
