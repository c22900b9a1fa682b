import { ipJson, nsExec, type NetnsPath } from './exec.js';
import { flattenAddrs, type AddrInfo, type RawAddrInfo } from './addr.js';

/** One link as `ip -json -details link show` reports it (the fields podnet reads). */
export interface LinkInfo {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate?: string;
  master?: string;
  address?: string;
  link?: string;
  link_index?: number;
  link_netnsid?: number;
  promiscuity?: number;
  /** The link's alias (`ip link set … alias`), when one is set. */
  ifalias?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown>; info_slave_kind?: string; info_slave_data?: Record<string, unknown> };
}

/** Every link in ns, with details (`ip -d`). */
export function listLinks(ns: NetnsPath): Promise<LinkInfo[]> {
  return ipJson<LinkInfo[]>(ns, ['-details', 'link', 'show']);
}

/** The link named `name` in ns, or undefined when it does not exist. */
export async function getLink(ns: NetnsPath, name: string): Promise<LinkInfo | undefined> {
  const r = await nsExec(ns, ['ip', '-json', '-details', 'link', 'show', 'dev', name], { allowFail: true });
  if (r.code !== 0 || !r.stdout.trim()) return undefined;
  return (JSON.parse(r.stdout) as LinkInfo[])[0];
}

/** The link named `name` in ns with its addresses (one `ip -json -details addr show dev`), or undefined when it does not exist. */
export async function getLinkWithAddrs(ns: NetnsPath, name: string): Promise<{ link: LinkInfo; addrs: AddrInfo[] } | undefined> {
  const r = await nsExec(ns, ['ip', '-json', '-details', 'addr', 'show', 'dev', name], { allowFail: true });
  if (r.code !== 0 || !r.stdout.trim()) return undefined;
  const l = (JSON.parse(r.stdout) as (LinkInfo & { addr_info?: RawAddrInfo[] })[])[0];
  if (!l) return undefined;
  return { link: l, addrs: flattenAddrs(l.ifname, l.ifindex, l.addr_info ?? []) };
}

export interface LinkOpts { mtu?: number; mac?: string; txqueuelen?: number; up?: boolean }

function commonArgs(o: LinkOpts): string[] {
  const a: string[] = [];
  if (o.mtu) a.push('mtu', String(o.mtu));
  if (o.mac) a.push('address', o.mac);
  if (o.txqueuelen !== undefined) a.push('txqueuelen', String(o.txqueuelen));
  return a;
}

/** Generic `ip link add NAME [opts] type KIND ARGS…` in ns (for kinds not covered below). */
async function addLink(ns: NetnsPath, name: string, kind: string, kindArgs: readonly string[] = [], o: LinkOpts = {}): Promise<void> {
  await nsExec(ns, ['ip', 'link', 'add', name, ...commonArgs(o), 'type', kind, ...kindArgs]);
  if (o.up) await setUp(ns, name);
}

/**
 * Creates a veth pair in ns: `name` stays in ns, `peerName` is created directly in `peerNs`
 * when given (a netns path), so the peer never appears in ns.
 */
export async function createVeth(ns: NetnsPath, name: string, peerName: string, peerNs?: NetnsPath,
  o: { mtu?: number; mac?: string; peerMac?: string } = {}): Promise<void> {
  const peer = ['name', peerName];
  if (o.mtu) peer.push('mtu', String(o.mtu));
  if (o.peerMac) peer.push('address', o.peerMac);
  if (peerNs) peer.push('netns', peerNs);
  await nsExec(ns, ['ip', 'link', 'add', name, ...commonArgs({ mtu: o.mtu, mac: o.mac }), 'type', 'veth', 'peer', ...peer]);
}

/** Creates a bridge (Linux `bridge` kind), optionally with a fixed MTU/MAC and vlan filtering. */
export async function createBridge(ns: NetnsPath, name: string, o: LinkOpts & { vlanFiltering?: boolean } = {}): Promise<void> {
  const args = o.vlanFiltering ? ['vlan_filtering', '1'] : [];
  await addLink(ns, name, 'bridge', args, o);
}

/** Creates a VXLAN device (flannel style: `nolearning` unless learning is asked for). */
export async function createVxlan(ns: NetnsPath, name: string, o: { vni: number; port?: number; local?: string; dev?: string; learning?: boolean; gbp?: boolean } & LinkOpts): Promise<void> {
  const args = ['id', String(o.vni), 'dstport', String(o.port ?? 8472)];
  if (o.local) args.push('local', o.local);
  if (o.dev) args.push('dev', o.dev);
  args.push(o.learning ? 'learning' : 'nolearning');
  if (o.gbp) args.push('gbp');
  await addLink(ns, name, 'vxlan', args, o);
}

export async function setUp(ns: NetnsPath, name: string): Promise<void> {
  await nsExec(ns, ['ip', 'link', 'set', 'dev', name, 'up']);
}
export async function setDown(ns: NetnsPath, name: string): Promise<void> {
  await nsExec(ns, ['ip', 'link', 'set', 'dev', name, 'down']);
}
export async function setMaster(ns: NetnsPath, name: string, master: string): Promise<void> {
  await nsExec(ns, ['ip', 'link', 'set', 'dev', name, 'master', master]);
}
export async function setPromisc(ns: NetnsPath, name: string, on: boolean): Promise<void> {
  await nsExec(ns, ['ip', 'link', 'set', 'dev', name, 'promisc', on ? 'on' : 'off']);
}

/** Deletes a link; missing is fine unless `mustExist`. Returns true when something was deleted. */
export async function deleteLink(ns: NetnsPath, name: string, o: { mustExist?: boolean } = {}): Promise<boolean> {
  const r = await nsExec(ns, ['ip', 'link', 'del', 'dev', name], { allowFail: !o.mustExist });
  return r.code === 0;
}

/** Adds a VLAN id to a bridge port (bridge vlan filtering). */
export async function addBridgeVlan(ns: NetnsPath, dev: string, vid: number, o: { pvid?: boolean; untagged?: boolean; self?: boolean } = {}): Promise<void> {
  const a = ['bridge', 'vlan', 'add', 'dev', dev, 'vid', String(vid)];
  if (o.pvid) a.push('pvid');
  if (o.untagged) a.push('untagged');
  if (o.self) a.push('self');
  await nsExec(ns, a);
}

