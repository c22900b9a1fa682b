import { CniError, ErrCode, type NetConf, type Route, confCidr } from '../../types.js';
import { addIP, broadcast, contains, formatCidr, formatIP, network, tryParseIP, type Cidr, type IP } from '../../../util/addr.js';

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';

export interface IpRange { subnet: Cidr; start: IP; end: IP; gateway?: IP }
export interface HostLocalConf { name: string; dataDir: string; rangeSets: IpRange[][]; routes: Route[]; resolvConf?: string }

interface RawRange { subnet?: unknown; rangeStart?: unknown; rangeEnd?: unknown; gateway?: unknown }

function ipField(v: unknown, what: string): IP | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const ip = typeof v === 'string' ? tryParseIP(v) : undefined;
  if (!ip) throw new CniError(ErrCode.InvalidNetworkConfig, `${what}: invalid IP address "${String(v)}"`);
  return ip;
}

/** Validates and defaults one range (as upstream's Range.Canonicalize). */
export function canonicalRange(r: RawRange, where: string): IpRange {
  if (r.subnet === undefined) throw new CniError(ErrCode.InvalidNetworkConfig, `${where}: missing "subnet"`);
  const subnet = confCidr(r.subnet, `${where}.subnet`);
  const b = subnet.ip.family === 4 ? 32 : 128;
  if (subnet.prefix > b - 2) throw new CniError(ErrCode.InvalidNetworkConfig, `${where}: network ${formatCidr(subnet)} too small to allocate from`);
  if (network(subnet).ip.value !== subnet.ip.value) throw new CniError(ErrCode.InvalidNetworkConfig, `${where}: network has host bits set: ${String(r.subnet)}`);
  const first = addIP(subnet.ip, 1n);
  const last = subnet.ip.family === 4 ? addIP(broadcast(subnet), -1n) : broadcast(subnet);
  const start = ipField(r.rangeStart, `${where}.rangeStart`) ?? first;
  const end = ipField(r.rangeEnd, `${where}.rangeEnd`) ?? last;
  const gateway = ipField(r.gateway, `${where}.gateway`) ?? first;
  for (const [n, ip] of [['rangeStart', start], ['rangeEnd', end], ['gateway', gateway]] as const) {
    if (!contains(subnet, ip)) throw new CniError(ErrCode.InvalidNetworkConfig, `${where}.${n}: ${formatIP(ip)} not in network ${formatCidr(subnet)}`);
  }
  if (start.value > end.value) throw new CniError(ErrCode.InvalidNetworkConfig, `${where}: rangeStart ${formatIP(start)} is after rangeEnd ${formatIP(end)}`);
  return { subnet, start, end, gateway };
}

/** Parses the `ipam` section for host-local (both `ranges` and the legacy top-level `subnet`). */
export function loadHostLocalConf(conf: NetConf): HostLocalConf {
  const ipam = conf.ipam as Record<string, unknown> | undefined;
  if (!ipam || typeof ipam !== 'object') throw new CniError(ErrCode.InvalidNetworkConfig, 'IPAM config missing "ipam" key');
  let raw: RawRange[][];
  if (ipam.ranges !== undefined) {
    if (!Array.isArray(ipam.ranges) || ipam.ranges.some((s) => !Array.isArray(s) || s.length === 0)) throw new CniError(ErrCode.InvalidNetworkConfig, 'ipam.ranges must be a non-empty list of non-empty range lists');
    raw = ipam.ranges as RawRange[][];
  } else if (ipam.subnet !== undefined) {
    raw = [[{ subnet: ipam.subnet, rangeStart: ipam.rangeStart, rangeEnd: ipam.rangeEnd, gateway: ipam.gateway }]];
  } else {
    throw new CniError(ErrCode.InvalidNetworkConfig, 'no IP ranges specified (ipam.ranges or ipam.subnet)');
  }
  if (raw.length === 0) throw new CniError(ErrCode.InvalidNetworkConfig, 'no IP ranges specified');
  const rangeSets = raw.map((set, i) => set.map((r, j) => canonicalRange(r ?? {}, `ipam.ranges[${i}][${j}]`)));
  const all = rangeSets.flat();
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) {
    const a = all[i]!, b = all[j]!;
    if (a.subnet.ip.family === b.subnet.ip.family && a.start.value <= b.end.value && b.start.value <= a.end.value) {
      throw new CniError(ErrCode.InvalidNetworkConfig, `range ${formatCidr(a.subnet)} overlaps with ${formatCidr(b.subnet)}`);
    }
  }
  const routes: Route[] = [];
  if (ipam.routes !== undefined) {
    if (!Array.isArray(ipam.routes)) throw new CniError(ErrCode.InvalidNetworkConfig, 'ipam.routes must be a list');
    for (const [i, r] of (ipam.routes as { dst?: unknown; gw?: unknown }[]).entries()) {
      confCidr(r?.dst, `ipam.routes[${i}].dst`);
      if (r.gw !== undefined) ipField(r.gw, `ipam.routes[${i}].gw`);
      routes.push({ dst: r.dst as string, ...(r.gw ? { gw: r.gw as string } : {}) });
    }
  }
  const dataDir = typeof ipam.dataDir === 'string' && ipam.dataDir ? ipam.dataDir : DEFAULT_DATA_DIR;
  return { name: conf.name, dataDir, rangeSets, routes, ...(typeof ipam.resolvConf === 'string' ? { resolvConf: ipam.resolvConf } : {}) };
}
