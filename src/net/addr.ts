import { familyOfText } from '../util/addr.js';
import { ipJson, nsExec, type NetnsPath } from './exec.js';

/** One address of a link, flattened from `ip -json addr show`. */
export interface AddrInfo {
  dev: string;
  ifindex: number;
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  /** `local/prefixlen` */
  cidr: string;
  scope: string;
  broadcast?: string;
}

/** One entry of `addr_info` in `ip -json addr show`. */
export interface RawAddrInfo { family: string; local: string; prefixlen: number; scope: string; broadcast?: string }
interface RawAddr { ifindex: number; ifname: string; addr_info?: RawAddrInfo[] }

/** A link's `addr_info` as AddrInfo entries (IPv4/IPv6 only). */
export function flattenAddrs(dev: string, ifindex: number, info: readonly RawAddrInfo[]): AddrInfo[] {
  const out: AddrInfo[] = [];
  for (const a of info) {
    if (a.family !== 'inet' && a.family !== 'inet6') continue;
    out.push({ dev, ifindex, family: a.family, local: a.local, prefixlen: a.prefixlen, cidr: `${a.local}/${a.prefixlen}`, scope: a.scope, ...(a.broadcast ? { broadcast: a.broadcast } : {}) });
  }
  return out;
}

/** Addresses in ns, optionally of one device and one family. */
export async function listAddrs(ns: NetnsPath, o: { dev?: string; family?: 4 | 6 } = {}): Promise<AddrInfo[]> {
  const args = [...(o.family ? [`-${o.family}`] : []), 'addr', 'show', ...(o.dev ? ['dev', o.dev] : [])];
  let raw: RawAddr[];
  try { raw = await ipJson<RawAddr[]>(ns, args); } catch (e) { if (o.dev) return []; throw e; }
  return raw.flatMap((l) => flattenAddrs(l.ifname, l.ifindex, l.addr_info ?? []));
}

/** Adds `cidr` (a.b.c.d/len or v6) to dev. IPv4 gets its broadcast computed (`brd +`). */
export async function addAddr(ns: NetnsPath, dev: string, cidr: string, o: { noPrefixRoute?: boolean; scope?: string; replace?: boolean } = {}): Promise<void> {
  const a = ['ip', 'addr', o.replace ? 'replace' : 'add', cidr, 'dev', dev];
  if (familyOfText(cidr) === 4) a.push('brd', '+');
  if (o.scope) a.push('scope', o.scope);
  if (o.noPrefixRoute) a.push('noprefixroute');
  await nsExec(ns, a);
}

/** Removes an address; a missing one is fine. Returns true when removed. */
export async function delAddr(ns: NetnsPath, dev: string, cidr: string): Promise<boolean> {
  const r = await nsExec(ns, ['ip', 'addr', 'del', cidr, 'dev', dev], { allowFail: true });
  return r.code === 0;
}

