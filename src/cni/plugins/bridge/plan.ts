/**
 * The pure part of the bridge plugin's ADD: which gateways the bridge gets, which routes the pod
 * gets, and the `ip -batch` lines that configure the pod's interface. No kernel access here.
 */
import { confCidr, type DNS, type IPConfig, type Result, type Route } from '../../types.js';
import { addIP, familyOfText, formatIP, network } from '../../../util/addr.js';
import type { BridgeConf } from './config.js';

export interface GatewayPlan {
  /** The IPAM addresses, each with a gateway filled in when the bridge is the gateway and IPAM gave none. */
  ips: IPConfig[];
  /** Addresses the bridge itself carries (gateway + the pod subnet's prefix). */
  gws: { gw: string; prefix: number }[];
  /** IPAM's routes, plus a default route per gateway family when isDefaultGateway. */
  routes: Route[];
}

/** As upstream: a missing gateway is the subnet's first address; a default route per family unless IPAM has one. */
export function planGateways(c: Pick<BridgeConf, 'isGateway' | 'isDefaultGateway'>, ipamIps: readonly IPConfig[], ipamRoutes: readonly Route[] | undefined): GatewayPlan {
  const ips = ipamIps.map((ip) => ({ ...ip }));
  const gws: { gw: string; prefix: number }[] = [];
  for (const ip of ips) {
    const cidr = confCidr(ip.address, 'ipam result address');
    if (!ip.gateway && c.isGateway) ip.gateway = formatIP(addIP(network(cidr).ip, 1n));
    if (c.isGateway && ip.gateway) gws.push({ gw: ip.gateway, prefix: cidr.prefix });
  }
  const routes: Route[] = [...(ipamRoutes ?? [])];
  if (c.isDefaultGateway) {
    for (const g of gws) {
      const dst = familyOfText(g.gw) === 6 ? '::/0' : '0.0.0.0/0';
      if (!routes.some((r) => r.dst === dst)) routes.push({ dst, gw: g.gw });
    }
  }
  return { ips, gws, routes };
}

/** The `ip -batch` lines run inside the pod's netns: addresses, link up, routes (gateway of the route's family when it names none). */
export function containerIpLines(ifName: string, ips: readonly IPConfig[], routes: readonly Route[]): string[] {
  const lines: string[] = [];
  for (const ip of ips) lines.push(`addr add ${ip.address} dev ${ifName}${familyOfText(ip.address) === 6 ? '' : ' brd +'}`);
  lines.push(`link set dev ${ifName} up`);
  for (const r of routes) {
    const v6 = familyOfText(r.dst) === 6;
    const gw = r.gw ?? ips.find((i) => (familyOfText(i.address) === 6) === v6)?.gateway;
    lines.push(`${v6 ? '-6 ' : ''}route add ${r.dst === '0.0.0.0/0' || r.dst === '::/0' ? 'default' : r.dst}${gw ? ` via ${gw}` : ''} dev ${ifName}${r.mtu ? ` mtu ${r.mtu}` : ''}`);
  }
  return lines;
}

export interface AttachedLinks {
  bridge: { name: string; mac: string };
  host: { name: string; mac: string };
  container: { name: string; mac: string; sandbox: string };
}

/** The ADD result: bridge, host veth, container veth (in that order); every address on the container's interface (index 2). */
export function bridgeResult(cniVersion: string, links: AttachedLinks, ips: readonly IPConfig[], routes: readonly Route[], dns: DNS): Result {
  return {
    cniVersion,
    interfaces: [
      { name: links.bridge.name, mac: links.bridge.mac },
      { name: links.host.name, mac: links.host.mac },
      { name: links.container.name, mac: links.container.mac, sandbox: links.container.sandbox },
    ],
    ips: ips.map((ip) => ({ ...ip, interface: 2 })),
    routes: [...routes],
    dns,
  };
}

const ALIAS_PREFIX = 'podnet-cni';

/**
 * The label (`ifalias`) ADD puts on a host-side veth: network, container ID and interface name,
 * each percent-encoded (so it is one `ip -batch` word), at most 255 bytes as the kernel allows.
 */
export function attachmentAlias(network: string, containerId: string, ifName: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${ALIAS_PREFIX}/${enc(network)}/${enc(containerId)}/${enc(ifName)}`.slice(0, 255);
}

/** The attachment a label names, when it is one of `network`'s; undefined for anything else. */
export function parseAttachmentAlias(network: string, alias: string): { containerId: string; ifName: string } | undefined {
  const parts = alias.split('/');
  if (parts.length !== 4 || parts[0] !== ALIAS_PREFIX) return undefined;
  try {
    const [n, containerId, ifName] = parts.slice(1).map((p) => decodeURIComponent(p)) as [string, string, string];
    return n === network ? { containerId, ifName } : undefined;
  } catch { return undefined; }
}
