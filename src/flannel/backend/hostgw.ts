/**
 * host-gw: no encapsulation; every remote subnet is routed via the remote node's underlay address
 * (all nodes must share one L2 segment, as in the lab's underlay bridge).
 */
import { delRoute, listRoutes, replaceRoute } from '../../net/route.js';
import { isLeaseRoute } from '../config.js';
import type { Lease } from '../subnet/types.js';
import type { FlannelNetConf } from '../config.js';
import { registerBackend, type BackendContext, type OverlayNetwork } from './types.js';

/** Gateway routes on the underlay device to subnets of our network that no lease (nor our own) backs (pure). */
export function hostGwStale(conf: Pick<FlannelNetConf, 'Network' | 'SubnetLen'>, leaseSubnets: Iterable<string>, ownSubnet: string | undefined, routes: readonly { dst: string; gateway?: string }[]): string[] {
  const backed = new Set(leaseSubnets);
    return routes.filter((r) => r.gateway && isLeaseRoute(conf, r.dst) && !backed.has(r.dst) && r.dst !== ownSubnet).map((r) => r.dst);
}

function hostGwNetwork(ctx: BackendContext): OverlayNetwork {
  let own: Lease | undefined;
  const leases = new Map<string, Lease>();
  return {
    attrs: { PublicIP: ctx.publicIP, BackendType: 'host-gw', BackendData: null },
    mtu: ctx.ifaceMtu,
    async start(l) { own = l; },
    async handle(events, initial) {
      for (const e of events) {
        if (e.lease.subnet === own?.subnet) continue;
        if (e.type === 'added') {
          if (e.lease.attrs.BackendType !== 'host-gw') { ctx.log.warn({ subnet: e.lease.subnet, type: e.lease.attrs.BackendType }, 'lease of another backend type ignored'); continue; }
          leases.set(e.lease.subnet, e.lease);
          await replaceRoute(ctx.netns, { dst: e.lease.subnet, via: e.lease.attrs.PublicIP, dev: ctx.iface });
          ctx.log.info({ subnet: e.lease.subnet, via: e.lease.attrs.PublicIP }, 'route added');
        } else {
          leases.delete(e.lease.subnet);
          await delRoute(ctx.netns, { dst: e.lease.subnet, dev: ctx.iface });
          ctx.log.info({ subnet: e.lease.subnet }, 'route removed');
        }
      }
      if (initial) {
        // Converge: drop routes to subnets of our network that no lease backs any more.
        for (const dst of hostGwStale(ctx.conf, leases.keys(), own?.subnet, await listRoutes(ctx.netns, { dev: ctx.iface }))) {
          await delRoute(ctx.netns, { dst, dev: ctx.iface });
          ctx.log.info({ subnet: dst }, 'stale route removed');
        }
      }
    },
  };
}

registerBackend('host-gw', async (ctx) => hostGwNetwork(ctx));
