/**
 * IPVS as the kernel shows it (pure): `/proc/net/ip_vs` — virtual services (protocol, address:port in
 * hex, scheduler, flags) each followed by its real servers (`-> address:port forward weight active
 * inactive`) — parsed, and the virtual services of one Service picked out.
 */
export interface IpvsRealServer { address: string; port: number; forward: string; weight: number; activeConns: number; inactiveConns: number }
export interface IpvsVirtualService { protocol: string; address: string; port: number; scheduler: string; flags: string[]; realServers: IpvsRealServer[] }

function hexIPv4(h: string): string {
  const n = parseInt(h, 16);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `ADDR:PORT` as /proc prints it: 8 hex digits (IPv4) or [v6]:port, the port in hex. */
function hexEndpoint(s: string): { address: string; port: number } {
  const v6 = /^\[([0-9a-fA-F:]+)\]:([0-9A-Fa-f]+)$/.exec(s);
  if (v6) return { address: v6[1]!.toLowerCase(), port: parseInt(v6[2]!, 16) };
  const m = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})$/.exec(s);
  if (!m) throw new Error(`not an ip_vs address: ${s}`);
  return { address: hexIPv4(m[1]!), port: parseInt(m[2]!, 16) };
}

/** Every virtual service of a /proc/net/ip_vs listing, with its real servers. */
export function parseIpvsProc(text: string): IpvsVirtualService[] {
  const out: IpvsVirtualService[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const rs = /^\s+->\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(line);
    if (rs && !/RemoteAddress/.test(line)) {
      const cur = out[out.length - 1];
      if (!cur) continue;
      const ep = hexEndpoint(rs[1]!);
      cur.realServers.push({ ...ep, forward: rs[2]!, weight: Number(rs[3]), activeConns: Number(rs[4]), inactiveConns: Number(rs[5]) });
      continue;
    }
    const vs = /^(TCP|UDP|SCTP)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (vs) out.push({ protocol: vs[1]!, ...hexEndpoint(vs[2]!), scheduler: vs[3]!, flags: (vs[4] ?? '').split(/\s+/).filter(Boolean), realServers: [] });
  }
  return out;
}

/** The virtual services of one Service port: its ClusterIPs (and external addresses) on the port, node addresses on the NodePort. */
export function ipvsServicesFor(all: readonly IpvsVirtualService[], o: { protocol: string; vips: readonly string[]; port: number; nodePort?: number }): IpvsVirtualService[] {
  const proto = o.protocol.toUpperCase();
  return all.filter((v) => v.protocol === proto && ((o.vips.includes(v.address) && v.port === o.port) || (o.nodePort !== undefined && v.port === o.nodePort && !o.vips.includes(v.address))));
}
