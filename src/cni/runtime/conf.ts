import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { CniError, ErrCode, type NetConf } from '../types.js';
import { requireSupported } from '../version.js';

/** A network configuration list as libcni holds it: the parsed list plus the bytes it came from. */
export interface NetworkConfigList {
  name: string;
  cniVersion: string;
  disableCheck: boolean;
  disableGC: boolean;
  plugins: NetConf[];
  /** The exact bytes (of the .conflist, or of the wrapping list for a .conf) — cached as `config`. */
  bytes: Buffer;
  file?: string;
}

const EXTENSIONS = ['.conf', '.conflist', '.json'];

/** Parses conflist bytes (validating name, version and each plugin's type). */
export function parseConfList(bytes: Buffer, file = '<bytes>'): NetworkConfigList {
  let raw: Record<string, unknown>;
  try { raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>; } catch (e) {
    throw new CniError(ErrCode.Decode, `error parsing configuration list ${file}`, (e as Error).message);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CniError(ErrCode.Decode, `${file}: not a JSON object`);
  if (typeof raw.name !== 'string' || !raw.name) throw new CniError(ErrCode.InvalidNetworkConfig, `${file}: no name`);
  const cniVersion = requireSupported(raw.cniVersion);
  if (!Array.isArray(raw.plugins) || raw.plugins.length === 0) throw new CniError(ErrCode.InvalidNetworkConfig, `${file}: no plugins in list`);
  const plugins = (raw.plugins as NetConf[]).map((p, i) => {
    if (!p || typeof p !== 'object' || typeof p.type !== 'string' || !p.type) throw new CniError(ErrCode.InvalidNetworkConfig, `${file}: plugins[${i}] has no type`);
    return p;
  });
  return { name: raw.name, cniVersion, disableCheck: raw.disableCheck === true, disableGC: raw.disableGC === true, plugins, bytes, file };
}

/** Wraps a single-plugin .conf into a list, as libcni's ConfListFromConf does. */
export function wrapConf(bytes: Buffer, file = '<bytes>'): NetworkConfigList {
  let raw: NetConf;
  try { raw = JSON.parse(bytes.toString('utf8')) as NetConf; } catch (e) {
    throw new CniError(ErrCode.Decode, `error parsing configuration ${file}`, (e as Error).message);
  }
  if (!raw || typeof raw !== 'object') throw new CniError(ErrCode.Decode, `${file}: not a JSON object`);
  const list = { cniVersion: raw.cniVersion, name: raw.name, plugins: [raw] };
  return parseConfList(Buffer.from(JSON.stringify(list)), file);
}

export function loadConfFile(path: string): NetworkConfigList {
  const bytes = readFileSync(path);
  return path.endsWith('.conflist') ? parseConfList(bytes, path) : wrapConf(bytes, path);
}

/**
 * The node's network: the config file with the lowest name in `dir` (.conf, .conflist, .json —
 * containerd's rule); files that fail to parse are skipped, as the CRI plugins do.
 */
export function loadDefaultNetwork(dir: string): NetworkConfigList {
  let files: string[];
  try { files = readdirSync(dir).filter((f) => EXTENSIONS.includes(extname(f))).sort(); } catch (e) {
    throw new CniError(ErrCode.PluginNotAvailable, `cni config dir ${dir} unreadable`, (e as Error).message);
  }
  const errors: string[] = [];
  for (const f of files) {
    try { return loadConfFile(join(dir, f)); } catch (e) { errors.push((e as Error).message); }
  }
  throw new CniError(ErrCode.PluginNotAvailable, `no valid network config found in ${dir}`, errors.join('; '));
}

/** The config list named `name` in `dir` (lowest file name first), as cnitool finds a network. */
export function loadNetworkByName(dir: string, name: string): NetworkConfigList {
  let files: string[];
  try { files = readdirSync(dir).filter((f) => EXTENSIONS.includes(extname(f))).sort(); } catch (e) {
    throw new CniError(ErrCode.PluginNotAvailable, `cni config dir ${dir} unreadable`, (e as Error).message);
  }
  for (const f of files) {
    try { const l = loadConfFile(join(dir, f)); if (l.name === name) return l; } catch { /* skip */ }
  }
  throw new CniError(ErrCode.InvalidNetworkConfig, `no net configuration with name "${name}" in ${dir}`);
}
