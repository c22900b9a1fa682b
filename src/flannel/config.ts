/**
 * flannel's network configuration (`net-conf.json` in kube mode, `<prefix>/config` in etcd mode):
 * Network, SubnetLen, SubnetMin/SubnetMax and the Backend. Parsed and defaulted once.
 */
import { PodnetError } from '../util/errors.js';
import { cidrContains, ipToInt, intToIp, parseCidr } from './ipmath.js';

export class FlannelConfigError extends PodnetError {
  constructor(message: string) { super('EFLANNELCONFIG', message); }
}

export interface VxlanBackendConf { Type: 'vxlan'; VNI: number; Port: number; DirectRouting: boolean }
export interface HostGwBackendConf { Type: 'host-gw' }
export type BackendConf = VxlanBackendConf | HostGwBackendConf;

export interface FlannelNetConf {
  Network: string;
  SubnetLen: number;
  SubnetMin: string;
  SubnetMax: string;
  Backend: BackendConf;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and defaults a net-conf (JSON text or object); throws FlannelConfigError naming the field. */
export function parseNetConf(input: string | unknown): FlannelNetConf {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try { raw = JSON.parse(input); } catch (e) { throw new FlannelConfigError(`net-conf is not valid JSON: ${(e as Error).message}`); }
  }
  if (!isObj(raw)) throw new FlannelConfigError('net-conf must be a JSON object');
  if (typeof raw.Network !== 'string') throw new FlannelConfigError('net-conf: "Network" (an IPv4 CIDR) is required');
  let net: { base: number; len: number };
  try { net = parseCidr(raw.Network); } catch (e) { throw new FlannelConfigError(`net-conf: Network: ${(e as Error).message}`); }
  const network = `${intToIp(net.base)}/${net.len}`;
  const subnetLen = raw.SubnetLen === undefined ? (net.len < 24 ? 24 : net.len + 1) : raw.SubnetLen;
  if (typeof subnetLen !== 'number' || !Number.isInteger(subnetLen) || subnetLen <= net.len || subnetLen > 30) {
    throw new FlannelConfigError(`net-conf: SubnetLen ${JSON.stringify(raw.SubnetLen)} must be an integer between ${net.len + 1} and 30`);
  }
  const size = 2 ** (32 - subnetLen);
  const first = net.base + size; // flannel skips the network's first subnet by default
  const last = net.base + 2 ** (32 - net.len) - size;
  const pick = (field: 'SubnetMin' | 'SubnetMax', dflt: number): string => {
    const v = raw[field];
    if (v === undefined) return intToIp(dflt);
    if (typeof v !== 'string') throw new FlannelConfigError(`net-conf: ${field} must be an IPv4 address`);
    let n: number;
    try { n = ipToInt(v); } catch { throw new FlannelConfigError(`net-conf: ${field} "${v}" is not an IPv4 address`); }
    if (!cidrContains(network, v)) throw new FlannelConfigError(`net-conf: ${field} ${v} is outside Network ${network}`);
    if (n % size !== 0) throw new FlannelConfigError(`net-conf: ${field} ${v} is not aligned to SubnetLen ${subnetLen}`);
    return v;
  };
  const subnetMin = pick('SubnetMin', first);
  const subnetMax = pick('SubnetMax', last);
  const b = raw.Backend === undefined ? { Type: 'udp' } : raw.Backend;
  if (!isObj(b) || typeof b.Type !== 'string') throw new FlannelConfigError('net-conf: Backend.Type is required');
  let backend: BackendConf;
  if (b.Type === 'vxlan') {
    const vni = b.VNI ?? 1, port = b.Port ?? 8472;
    if (typeof vni !== 'number' || !Number.isInteger(vni) || vni < 0 || vni > 16777215) throw new FlannelConfigError(`net-conf: Backend.VNI ${JSON.stringify(b.VNI)} must be 0-16777215`);
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new FlannelConfigError(`net-conf: Backend.Port ${JSON.stringify(b.Port)} must be 1-65535`);
    backend = { Type: 'vxlan', VNI: vni, Port: port, DirectRouting: b.DirectRouting === true };
  } else if (b.Type === 'host-gw') {
    backend = { Type: 'host-gw' };
  } else {
    throw new FlannelConfigError(`net-conf: Backend.Type "${b.Type}" is not supported (vxlan, host-gw)`);
  }
  return { Network: network, SubnetLen: subnetLen, SubnetMin: subnetMin, SubnetMax: subnetMax, Backend: backend };
}
