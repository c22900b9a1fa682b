/**
 * udp: flannel's first backend, seed 000's data path. A TUN device flannel0 (MTU = underlay − 28:
 * IPv4 + UDP headers) holds our subnet's .0 with the whole network's prefix, so the kernel routes
 * the cluster network into it (`10.244.0.0/16 dev flannel0 proto kernel scope link src 10.244.1.0`)
 * while our own subnet stays on cni0 (the longer prefix). The agent reads each packet from
 * flannel0 and sends it in a UDP datagram to port 8285 of the node whose lease holds the
 * destination; datagrams from other nodes are written back into flannel0 — in userspace, as
 * flanneld does, on two threads of this process (src/net/tun/pump.ts).
 *
 * The device lives with the process: kill the agent and flannel0 and its route disappear (the
 * path stops); a restarted agent makes them again and converges.
 */
import { addAddr, delAddr, listAddrs } from '../../net/addr.js';
import { SELF } from '../../net/exec.js';
import { listRoutes } from '../../net/route.js';
import { closeTun, configureTun, openTun, type TunDevice } from '../../net/tun/device.js';
import { startUdpTunnel, type TunnelPeerRoute, type UdpTunnel } from '../../net/tun/pump.js';
import { formatIP, nthAddress, parseCidr } from '../../util/addr.js';
import { PodnetError } from '../../util/errors.js';
import type { FlannelNetConf, UdpBackendConf } from '../config.js';
import type { Lease } from '../subnet/types.js';
import { registerBackend, type BackendContext, type OverlayNetwork } from './types.js';

export const UDP_DEVICE = 'flannel0';
/** IPv4 (20) + UDP (8) headers around every packet. */
export const UDP_OVERHEAD = 28;

/** flannel0's address: our subnet's .0 with the network's prefix length (pure). */
export function udpDeviceAddress(conf: Pick<FlannelNetConf, 'Network'>, own: Lease): string {
  return `${formatIP(nthAddress(parseCidr(own.subnet), 0))}/${parseCidr(conf.Network).prefix}`;
}

/** The pump's table from the leases (pure): every other node's subnet → its public IP and the port. */
export function udpPeerRoutes(leases: Iterable<Lease>, ownSubnet: string | undefined, port: number): TunnelPeerRoute[] {
  const out: TunnelPeerRoute[] = [];
  for (const l of leases) if (l.subnet !== ownSubnet && l.attrs.PublicIP) out.push({ subnet: l.subnet, peerIP: l.attrs.PublicIP, peerPort: port });
  return out.sort((a, b) => (a.subnet < b.subnet ? -1 : a.subnet > b.subnet ? 1 : 0));
}

async function udpNetwork(ctx: BackendContext): Promise<OverlayNetwork> {
  if (ctx.netns !== SELF) throw new PodnetError('EBACKEND', 'the udp backend carries packets in this process: run flanneld (or the agent) inside the node\'s network namespace');
  const b = ctx.conf.Backend as UdpBackendConf;
  const mtu = ctx.ifaceMtu - UDP_OVERHEAD;
  const tun: TunDevice = openTun(UDP_DEVICE);
  let tunnel: UdpTunnel;
  try {
    await configureTun(tun, mtu);
    tunnel = await startUdpTunnel({ tunFd: tun.fd, port: b.Port, mtu, onWarn: (m) => ctx.log.warn(m) });
  } catch (e) {
    closeTun(tun);
    throw e;
  }
  ctx.log.info({ dev: tun.name, mtu, port: b.Port }, 'TUN device open, UDP tunnel listening');
  void tunnel.failed.then((m) => ctx.log.error({ err: m }, 'UDP tunnel thread failed'));
  let own: Lease | undefined;
  let leases = new Map<string, Lease>();
  const publish = (): void => tunnel.setRoutes(udpPeerRoutes(leases.values(), own?.subnet, b.Port));
  return {
    attrs: { PublicIP: ctx.publicIP, BackendType: 'udp', BackendData: null },
    mtu,
    async start(l) {
      own = l;
      const want = udpDeviceAddress(ctx.conf, l);
      // Converge the device (a re-attached persistent one may carry an old lease's address).
      for (const a of await listAddrs(SELF, { dev: tun.name, family: 4 })) if (a.cidr !== want) await delAddr(SELF, tun.name, a.cidr);
      if (!(await listAddrs(SELF, { dev: tun.name, family: 4 })).some((a) => a.cidr === want)) await addAddr(SELF, tun.name, want);
      // The address's prefix route is the network route; check it is there (another route may shadow it).
      const routes = await listRoutes(SELF, { dev: tun.name });
      if (!routes.some((r) => r.dst === ctx.conf.Network)) ctx.log.warn({ network: ctx.conf.Network }, `no route to the network via ${tun.name}`);
      tunnel.setLocalIP(want.split('/')[0]!);
      publish();
    },
    async handle(events, initial) {
      // The first batch is the whole current set: start from it (nothing stale survives a re-list).
      if (initial) leases = new Map();
      for (const e of events) {
        if (e.lease.subnet === own?.subnet) continue;
        if (e.type === 'added') {
          if (e.lease.attrs.BackendType !== 'udp') { ctx.log.warn({ subnet: e.lease.subnet, type: e.lease.attrs.BackendType }, 'lease of another backend type ignored'); continue; }
          leases.set(e.lease.subnet, e.lease);
          ctx.log.info({ subnet: e.lease.subnet, peer: `${e.lease.attrs.PublicIP}:${b.Port}` }, 'remote subnet added');
        } else if (leases.delete(e.lease.subnet)) {
          ctx.log.info({ subnet: e.lease.subnet }, 'remote subnet removed');
        }
      }
      publish();
    },
    async stop() {
      const s = tunnel.stats();
      await tunnel.close();
      closeTun(tun);
      ctx.log.info({ dev: tun.name, ...s }, 'UDP tunnel closed, TUN device released');
    },
  };
}

registerBackend('udp', udpNetwork);
