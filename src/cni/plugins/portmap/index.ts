import { portmapPresent, setupPortmap, teardownPortmap, type PortMapping } from '../../iptables.js';
import { setSysctl } from '../../../net/sysctl.js';
import { pluginHostNs } from '../../hostns.js';
import { CniError, ErrCode, type CmdArgs, type CniPlugin, type NetConf, type Result } from '../../types.js';
import { familyOfText, isIP } from '../../../util/addr.js';

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

/** runtimeConfig.portMappings, validated (hostPort/containerPort 1–65535, protocol tcp|udp|sctp). */
export function portMappings(conf: NetConf): PortMapping[] {
  const raw = conf.runtimeConfig?.portMappings;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new CniError(ErrCode.InvalidNetworkConfig, 'portmap: runtimeConfig.portMappings must be a list');
  return raw.map((m: Record<string, unknown>, i) => {
    const hp = m.hostPort, cp = m.containerPort;
    if (typeof hp !== 'number' || !Number.isInteger(hp) || hp < 1 || hp > 65535) throw new CniError(ErrCode.InvalidNetworkConfig, `portmap: portMappings[${i}].hostPort invalid: ${JSON.stringify(hp)}`);
    if (typeof cp !== 'number' || !Number.isInteger(cp) || cp < 1 || cp > 65535) throw new CniError(ErrCode.InvalidNetworkConfig, `portmap: portMappings[${i}].containerPort invalid: ${JSON.stringify(cp)}`);
    const protocol = String(m.protocol ?? 'tcp').toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw new CniError(ErrCode.InvalidNetworkConfig, `portmap: portMappings[${i}].protocol invalid: ${JSON.stringify(m.protocol)}`);
    const hostIP = typeof m.hostIP === 'string' && m.hostIP ? m.hostIP : undefined;
    if (hostIP && !isIP(hostIP)) throw new CniError(ErrCode.InvalidNetworkConfig, `portmap: portMappings[${i}].hostIP invalid: ${hostIP}`);
    return { hostPort: hp, containerPort: cp, protocol: protocol as PortMapping['protocol'], ...(hostIP ? { hostIP } : {}) };
  });
}

/** The container's IPv4 address in prevResult: one on a sandbox interface first, else the first IPv4 one. */
export function containerIPv4(prev: Result): string | undefined {
  const ifs = prev.interfaces ?? [];
  const ips = prev.ips ?? [];
  const inSandbox = ips.find((ip) => familyOfText(ip.address) === 4 && ip.interface !== undefined && ifs[ip.interface]?.sandbox);
  return (inSandbox ?? ips.find((ip) => familyOfText(ip.address) === 4))?.address.split('/')[0];
}

async function add(a: CmdArgs): Promise<Result> {
  const prev = a.conf.prevResult as Result | undefined;
  if (!prev) throw new CniError(ErrCode.InvalidNetworkConfig, 'portmap: must be called as a chained plugin (prevResult missing)');
  const maps = portMappings(a.conf);
  if (maps.length === 0) return { ...prev, cniVersion: a.conf.cniVersion };
  const ip = containerIPv4(prev);
  if (!ip) throw new CniError(ErrCode.InvalidNetworkConfig, 'portmap: prevResult has no IPv4 address for the container');
  const snat = a.conf.snat === undefined ? true : a.conf.snat === true;
  const ns = pluginHostNs();
  try {
    await setupPortmap(ns, a.conf.name, a.containerId, ip, maps, { snat });
    if (snat) for (const i of prev.interfaces ?? []) if (!i.sandbox && i.name) await setSysctl(ns, `net/ipv4/conf/${i.name}/route_localnet`, 1).catch(() => undefined);
  } catch (e) {
    await teardownPortmap(ns, a.conf.name, a.containerId).catch(() => undefined);
    throw e instanceof CniError ? e : new CniError(ErrCode.Internal, 'portmap: failed to set up port mappings', (e as Error).message);
  }
  return { ...prev, cniVersion: a.conf.cniVersion };
}

async function del(a: CmdArgs): Promise<void> {
  await teardownPortmap(pluginHostNs(), a.conf.name, a.containerId);
}

async function check(a: CmdArgs): Promise<void> {
  if (!a.conf.prevResult) throw new CniError(ErrCode.InvalidNetworkConfig, 'portmap CHECK: required prevResult missing');
  if (portMappings(a.conf).length && !(await portmapPresent(pluginHostNs(), a.conf.name, a.containerId))) {
    throw new CniError(ErrCode.Internal, `portmap: chain for ${a.containerId} missing`);
  }
}

const portmap: CniPlugin = { add, del, check, gc: async () => {}, status: async () => {} };
export default portmap;
