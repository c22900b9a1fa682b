/**
 * host-gw: no encapsulation; every remote subnet is routed via the remote node's underlay address
 * (all nodes must share one L2 segment, as in the lab's underlay bridge).
 */
import { delRoute, listRoutes, replaceRoute } from '../../net/route.js';
import { isLeaseRoute } from '../config.js';
import type { Lease } from '../subnet/types.js';
import { registerBackend, type BackendContext, type OverlayNetwork } from './types.js';

export function hostGwNetwork(ctx: BackendContext): OverlayNetwork {
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
        for (const r of await listRoutes(ctx.netns, { dev: ctx.iface })) {
          if (r.gateway && isLeaseRoute(ctx.conf, r.dst) && !leases.has(r.dst) && r.dst !== own?.subnet) {
            await delRoute(ctx.netns, { dst: r.dst, dev: ctx.iface });
            ctx.log.info({ subnet: r.dst }, 'stale route removed');
          }
        }
      }
    },
  };
}

registerBackend('host-gw', async (ctx) => hostGwNetwork(ctx));
