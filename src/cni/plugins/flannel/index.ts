import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CniError, ErrCode, type CmdArgs, type CniPlugin, type NetConf, type Result, confCidr } from '../../types.js';
import { formatCidr, network } from '../../../util/addr.js';
import { delegate } from '../../invoke.js';
import { parseResult } from '../../version.js';

const DEFAULT_SUBNET_FILE = '/run/flannel/subnet.env';
export const DEFAULT_DATA_DIR = '/var/lib/cni/flannel';

export interface SubnetEnv { network: string; subnet: string; mtu?: number; ipmasq?: boolean; ipv6Network?: string; ipv6Subnet?: string }

/** Reads flanneld's subnet.env (FLANNEL_NETWORK, FLANNEL_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ). */
export function readSubnetEnv(path: string): SubnetEnv {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new CniError(ErrCode.TryAgainLater, `failed to load flannel 'subnet.env' file: ${path}`, `${(e as Error).message}. Check the flannel pod log for this node.`);
  }
  return parseSubnetEnv(text, path);
}

/** Parses subnet.env text (pure); `path` only names the file in errors. */
export function parseSubnetEnv(text: string, path = DEFAULT_SUBNET_FILE): SubnetEnv {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const network = kv.get('FLANNEL_NETWORK'), subnet = kv.get('FLANNEL_SUBNET');
  if (!network && !kv.get('FLANNEL_IPV6_NETWORK')) throw new CniError(ErrCode.InvalidNetworkConfig, `${path} is missing FLANNEL_NETWORK`);
  if (!subnet && !kv.get('FLANNEL_IPV6_SUBNET')) throw new CniError(ErrCode.InvalidNetworkConfig, `${path} is missing FLANNEL_SUBNET`);
  if (network) confCidr(network, 'FLANNEL_NETWORK');
  if (subnet) confCidr(subnet, 'FLANNEL_SUBNET');
  const mtu = kv.has('FLANNEL_MTU') ? Number(kv.get('FLANNEL_MTU')) : undefined;
  if (mtu !== undefined && !(Number.isInteger(mtu) && mtu >= 68)) throw new CniError(ErrCode.InvalidNetworkConfig, `${path}: invalid FLANNEL_MTU`);
  return {
    network: network ?? '', subnet: subnet ?? '',
    ...(mtu !== undefined ? { mtu } : {}),
    ...(kv.has('FLANNEL_IPMASQ') ? { ipmasq: kv.get('FLANNEL_IPMASQ') === 'true' } : {}),
    ...(kv.get('FLANNEL_IPV6_NETWORK') ? { ipv6Network: kv.get('FLANNEL_IPV6_NETWORK')! } : {}),
    ...(kv.get('FLANNEL_IPV6_SUBNET') ? { ipv6Subnet: kv.get('FLANNEL_IPV6_SUBNET')! } : {}),
  };
}

/**
 * The delegate config flannel hands to bridge (seed 003): bridge `cni0`-style defaults, hairpin,
 * ipMasq off when flanneld masquerades, isGateway/isDefaultGateway, mtu from FLANNEL_MTU, and
 * host-local with this node's subnet and a route to the whole flannel network.
 */
export function delegateConfig(conf: NetConf, env: SubnetEnv): Record<string, unknown> {
  const user = (conf.delegate && typeof conf.delegate === 'object' ? conf.delegate : {}) as Record<string, unknown>;
  const d: Record<string, unknown> = { ...user };
  d.name = conf.name;
  d.cniVersion = conf.cniVersion;
  if (d.type === undefined) d.type = 'bridge';
  if (d.type === 'bridge') {
    if (d.hairpinMode === undefined) d.hairpinMode = true;
    if (d.isGateway === undefined) d.isGateway = true;
    if (d.ipMasq === undefined) d.ipMasq = !(env.ipmasq ?? false);
    if (d.isDefaultGateway === undefined) d.isDefaultGateway = true;
  }
  if (d.mtu === undefined && env.mtu !== undefined) d.mtu = env.mtu;
  const ranges: unknown[] = [];
  const routes: unknown[] = [];
  // flanneld writes the gateway form (10.244.3.1/24); the delegate gets the network (10.244.3.0/24)
  const net = (c: string) => formatCidr(network(confCidr(c)));
  if (env.subnet) { ranges.push([{ subnet: net(env.subnet) }]); routes.push({ dst: net(env.network) }); }
  if (env.ipv6Subnet) { ranges.push([{ subnet: net(env.ipv6Subnet) }]); routes.push({ dst: net(env.ipv6Network ?? env.ipv6Subnet) }); }
  const ipam = (conf.ipam && typeof conf.ipam === 'object' ? { ...conf.ipam } : {}) as Record<string, unknown>;
  if (ipam.type === undefined) ipam.type = 'host-local';
  ipam.ranges = ranges;
  if (ipam.routes === undefined) ipam.routes = routes;
  d.ipam = ipam;
  if (conf.runtimeConfig !== undefined) d.runtimeConfig = conf.runtimeConfig;
  if (conf.args !== undefined) d.args = conf.args;
  if (conf.dns !== undefined && d.dns === undefined) d.dns = conf.dns;
  return d;
}

function opts(conf: NetConf): { subnetFile: string; dataDir: string } {
  const subnetFile = typeof conf.subnetFile === 'string' && conf.subnetFile ? conf.subnetFile : DEFAULT_SUBNET_FILE;
  const dataDir = typeof conf.dataDir === 'string' && conf.dataDir ? conf.dataDir : DEFAULT_DATA_DIR;
  return { subnetFile, dataDir };
}

function savePath(dataDir: string, containerId: string): string { return join(dataDir, containerId); }

async function add(a: CmdArgs): Promise<Result> {
  const o = opts(a.conf);
  const env = readSubnetEnv(o.subnetFile);
  const d = delegateConfig(a.conf, env);
  const bytes = JSON.stringify(d);
  try {
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    const p = savePath(o.dataDir, a.containerId);
    writeFileSync(p + '.tmp', bytes, { mode: 0o600 });
    renameSync(p + '.tmp', p);
  } catch (e) { throw new CniError(ErrCode.IO, `flannel: cannot save delegate config under ${o.dataDir}`, (e as Error).message); }
  try {
    return parseResult(await delegate(String(d.type), 'ADD', bytes, a.env));
  } catch (e) {
    try { unlinkSync(savePath(o.dataDir, a.containerId)); } catch { /* gone */ }
    throw e;
  }
}

function loadSaved(a: CmdArgs): { bytes: string; type: string } | undefined {
  const o = opts(a.conf);
  let bytes: string;
  try { bytes = readFileSync(savePath(o.dataDir, a.containerId), 'utf8'); } catch { return undefined; }
  const d = JSON.parse(bytes) as { type?: string };
  // CHECK/DEL see the runtime's prevResult too
  if (a.conf.prevResult) bytes = JSON.stringify({ ...d, prevResult: a.conf.prevResult, cniVersion: a.conf.cniVersion });
  return { bytes, type: d.type ?? 'bridge' };
}

async function del(a: CmdArgs): Promise<void> {
  const saved = loadSaved(a);
  if (!saved) return; // nothing was added (or DEL already ran): idempotent
  await delegate(saved.type, 'DEL', saved.bytes, a.env);
  try { unlinkSync(savePath(opts(a.conf).dataDir, a.containerId)); } catch { /* gone */ }
}

async function check(a: CmdArgs): Promise<void> {
  const saved = loadSaved(a);
  if (!saved) throw new CniError(ErrCode.Internal, `flannel: no saved delegate config for ${a.containerId}`);
  await delegate(saved.type, 'CHECK', saved.bytes, a.env);
}

async function status(a: CmdArgs): Promise<void> {
  const o = opts(a.conf);
  try { readSubnetEnv(o.subnetFile); } catch (e) {
    throw new CniError(ErrCode.PluginNotAvailable, `flannel: ${o.subnetFile} not ready`, (e as Error).message);
  }
}

const flannel: CniPlugin = { add, del, check, status, gc: async () => {} };
export default flannel;
