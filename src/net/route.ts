import { familyOfText } from '../util/addr.js';
import { ipJson, nsExec, type NetnsPath } from './exec.js';

/** A route to install or delete. `dst` is a CIDR or 'default'. */
export interface RouteSpec {
  dst: string;
  via?: string;
  dev?: string;
  onlink?: boolean;
  table?: number | string;
  scope?: 'global' | 'link' | 'host' | string;
  src?: string;
  metric?: number;
  proto?: string;
  mtu?: number;
  type?: 'unicast' | 'blackhole' | 'unreachable' | 'local';
}

/** A route as `ip -json route show` reports it. */
export interface RouteInfo {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags: string[];
  table?: string;
  type?: string;
}

function specArgs(r: RouteSpec): string[] {
  const a: string[] = [];
  if (r.type && r.type !== 'unicast') a.push(r.type);
  a.push(r.dst);
  if (r.via) a.push('via', r.via);
  if (r.dev) a.push('dev', r.dev);
  if (r.onlink) a.push('onlink');
  if (r.table !== undefined) a.push('table', String(r.table));
  if (r.scope) a.push('scope', r.scope);
  if (r.src) a.push('src', r.src);
  if (r.metric !== undefined) a.push('metric', String(r.metric));
  if (r.proto) a.push('proto', r.proto);
  if (r.mtu) a.push('mtu', String(r.mtu));
  return a;
}

function fam(r: { dst: string; via?: string }): string[] {
  return familyOfText(r.dst) === 6 || (r.via !== undefined && familyOfText(r.via) === 6) ? ['-6'] : ['-4'];
}

/** Routes in ns (IPv4 by default), optionally of one table / device. */
export async function listRoutes(ns: NetnsPath, o: { family?: 4 | 6; table?: number | string; dev?: string } = {}): Promise<RouteInfo[]> {
  const args = [`-${o.family ?? 4}`, 'route', 'show'];
  if (o.table !== undefined) args.push('table', String(o.table));
  if (o.dev) args.push('dev', o.dev);
  const raw = await ipJson<(Omit<RouteInfo, 'flags'> & { flags?: string[] })[]>(ns, args);
  return raw.map((r) => ({ ...r, flags: r.flags ?? [] }));
}

export async function replaceRoute(ns: NetnsPath, r: RouteSpec): Promise<void> {
  await nsExec(ns, ['ip', ...fam(r), 'route', 'replace', ...specArgs(r)]);
}
/** Deletes a route; a missing one is fine. Returns true when removed. */
export async function delRoute(ns: NetnsPath, r: RouteSpec): Promise<boolean> {
  const res = await nsExec(ns, ['ip', ...fam(r), 'route', 'del', ...specArgs(r)], { allowFail: true });
  return res.code === 0;
}

/** An ECMP route: `dst` spread over several next hops (e.g. a load-balancer pool routed to every node). */
export async function replaceMultipathRoute(ns: NetnsPath, dst: string, gateways: readonly string[], dev?: string): Promise<void> {
  const hops = gateways.flatMap((g) => ['nexthop', 'via', g, ...(dev ? ['dev', dev] : [])]);
  await nsExec(ns, ['ip', 'route', 'replace', dst, ...hops]);
}
