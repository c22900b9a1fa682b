/**
 * flannel's network configuration (`net-conf.json` in kube mode, `<prefix>/config` in etcd mode):
 * Network, SubnetLen, SubnetMin/SubnetMax and the Backend. Parsed and defaulted once.
 */
import { PodnetError } from '../util/errors.js';
import { addIP, broadcast, cidrOf, cidrSize, contains, formatCidr, formatIP, network as networkOf, tryParseCidr, tryParseIP } from '../util/addr.js';

export class FlannelConfigError extends PodnetError {
  constructor(message: string) { super('EFLANNELCONFIG', message); }
}

export interface VxlanBackendConf { Type: 'vxlan'; VNI: number; Port: number; DirectRouting: boolean }
export interface HostGwBackendConf { Type: 'host-gw' }
/** flannel's udp backend: a TUN device and a userspace UDP tunnel on Port (default 8285). */
export interface UdpBackendConf { Type: 'udp'; Port: number }
export type BackendConf = VxlanBackendConf | HostGwBackendConf | UdpBackendConf;

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
  const parsed = tryParseCidr(raw.Network.trim());
  if (!parsed || parsed.ip.family !== 4) throw new FlannelConfigError(`net-conf: Network: "${raw.Network}" is not an IPv4 CIDR`);
  const net = networkOf(parsed);
  const network = formatCidr(net);
  const subnetLen = raw.SubnetLen === undefined ? (net.prefix < 24 ? 24 : net.prefix + 1) : raw.SubnetLen;
  if (typeof subnetLen !== 'number' || !Number.isInteger(subnetLen) || subnetLen <= net.prefix || subnetLen > 30) {
    throw new FlannelConfigError(`net-conf: SubnetLen ${JSON.stringify(raw.SubnetLen)} must be an integer between ${net.prefix + 1} and 30`);
  }
  const size = cidrSize(cidrOf(net.ip, subnetLen));
  const first = addIP(net.ip, size); // flannel skips the network's first subnet by default
  const last = addIP(broadcast(net), 1n - size);
  const pick = (field: 'SubnetMin' | 'SubnetMax', dflt: string): string => {
    const v = raw[field];
    if (v === undefined) return dflt;
    if (typeof v !== 'string') throw new FlannelConfigError(`net-conf: ${field} must be an IPv4 address`);
    const ip = tryParseIP(v);
    if (!ip || ip.family !== 4) throw new FlannelConfigError(`net-conf: ${field} "${v}" is not an IPv4 address`);
    if (!contains(net, ip)) throw new FlannelConfigError(`net-conf: ${field} ${v} is outside Network ${network}`);
    if (ip.value % size !== 0n) throw new FlannelConfigError(`net-conf: ${field} ${v} is not aligned to SubnetLen ${subnetLen}`);
    return v;
  };
  const subnetMin = pick('SubnetMin', formatIP(first));
  const subnetMax = pick('SubnetMax', formatIP(last));
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
  } else if (b.Type === 'udp') {
    const port = b.Port ?? 8285;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new FlannelConfigError(`net-conf: Backend.Port ${JSON.stringify(b.Port)} must be 1-65535`);
    backend = { Type: 'udp', Port: port };
  } else {
    throw new FlannelConfigError(`net-conf: Backend.Type "${b.Type}" is not supported (vxlan, host-gw, udp)`);
  }
  return { Network: network, SubnetLen: subnetLen, SubnetMin: subnetMin, SubnetMax: subnetMax, Backend: backend };
}

/**
 * True when a route destination is a lease subnet of this network (a /SubnetLen inside Network):
 * the routes flannel's backends own. `dst` as `ip route` prints it (`default`, `A.B.C.D`, `A.B.C.D/N`).
 */
export function isLeaseRoute(conf: Pick<FlannelNetConf, 'Network' | 'SubnetLen'>, dst: string): boolean {
  const d = tryParseCidr(dst);
  const net = tryParseCidr(conf.Network);
  return !!d && !!net && d.prefix === conf.SubnetLen && contains(net, d.ip);
}
