/**
 * vxlan: device flannel.<VNI> (no learning) with our subnet's .0 as a /32; for each remote lease a
 * permanent neighbour (remote .0 → its VTEP MAC), an FDB entry (MAC → remote public IP) and a
 * route to the remote subnet via its .0, onlink — flannel's layout, so `ip neigh`, `bridge fdb` and
 * `ip route` read as upstream's.
 */
import { addAddr, listAddrs, delAddr } from '../../net/addr.js';
import { createVxlan, deleteLink, getLink, setUp } from '../../net/link.js';
import { delFdb, listFdb, replaceFdb } from '../../net/fdb.js';
import { delNeigh, listNeigh, replacePermanentNeigh } from '../../net/neigh.js';
import { delRoute, listRoutes, replaceRoute } from '../../net/route.js';
import { formatIP, nthAddress, parseCidr } from '../../util/addr.js';
import { isLeaseRoute } from '../config.js';
import type { Lease } from '../subnet/types.js';
import type { VxlanBackendConf } from '../config.js';
import { registerBackend, type BackendContext, type OverlayNetwork } from './types.js';

interface VxlanLinkInfo { linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number; local?: string; learning?: boolean } } }

async function ensureDevice(ctx: BackendContext, b: VxlanBackendConf, name: string, mtu: number): Promise<string> {
  const cur = await getLink(ctx.netns, name) as (Awaited<ReturnType<typeof getLink>> & VxlanLinkInfo) | undefined;
  let ok = false;
  if (cur) {
    const info = cur.linkinfo?.info_data;
    ok = info?.id === b.VNI && info?.port === b.Port && info?.local === ctx.publicIP;
    if (!ok) { ctx.log.info({ dev: name }, 'vxlan device has other attributes; recreating'); await deleteLink(ctx.netns, name); }
  }
  if (!ok) await createVxlan(ctx.netns, name, { vni: b.VNI, port: b.Port, local: ctx.publicIP, dev: ctx.iface, learning: false, mtu });
  await setUp(ctx.netns, name);
  const l = await getLink(ctx.netns, name);
  if (!l?.address) throw new Error(`vxlan device ${name} has no MAC address`);
  return l.address;
}

export async function vxlanNetwork(ctx: BackendContext): Promise<OverlayNetwork> {
  const b = ctx.conf.Backend as VxlanBackendConf;
  const dev = `flannel.${b.VNI}`;
  const mtu = ctx.ifaceMtu - 50;
  const mac = await ensureDevice(ctx, b, dev, mtu);
  let own: Lease | undefined;
  const leases = new Map<string, Lease>();
  const vtepOf = (l: Lease): { mac?: string; ip: string; gw: string } => ({
    mac: typeof l.attrs.BackendData?.VtepMAC === 'string' ? l.attrs.BackendData.VtepMAC : undefined,
    ip: l.attrs.PublicIP, gw: formatIP(nthAddress(parseCidr(l.subnet), 0)),
  });
  return {
    attrs: { PublicIP: ctx.publicIP, BackendType: 'vxlan', BackendData: { VNI: b.VNI, VtepMAC: mac } },
    mtu,
    async start(l) {
      own = l;
      const want = `${formatIP(nthAddress(parseCidr(l.subnet), 0))}/32`;
      for (const a of await listAddrs(ctx.netns, { dev, family: 4 })) {
        if (`${a.local}/${a.prefixlen}` !== want) await delAddr(ctx.netns, dev, `${a.local}/${a.prefixlen}`);
      }
      if (!(await listAddrs(ctx.netns, { dev, family: 4 })).some((a) => `${a.local}/${a.prefixlen}` === want)) await addAddr(ctx.netns, dev, want, { noPrefixRoute: true });
    },
    async handle(events, initial) {
      for (const e of events) {
        if (e.lease.subnet === own?.subnet) continue;
        const v = vtepOf(e.lease);
        if (e.type === 'added') {
          if (e.lease.attrs.BackendType !== 'vxlan' || !v.mac) { ctx.log.warn({ subnet: e.lease.subnet, type: e.lease.attrs.BackendType }, 'lease without vxlan data ignored'); continue; }
          const prev = leases.get(e.lease.subnet);
          const pv = prev ? vtepOf(prev) : undefined;
          if (pv?.mac && (pv.mac !== v.mac || pv.ip !== v.ip)) await delFdb(ctx.netns, dev, pv.mac, pv.ip);
          leases.set(e.lease.subnet, e.lease);
          await replacePermanentNeigh(ctx.netns, dev, v.gw, v.mac);
          await replaceFdb(ctx.netns, dev, v.mac, v.ip);
          await replaceRoute(ctx.netns, { dst: e.lease.subnet, via: v.gw, dev, onlink: true });
          ctx.log.info({ subnet: e.lease.subnet, vtep: v.ip, mac: v.mac }, 'remote subnet added');
        } else {
          const prev = leases.get(e.lease.subnet) ?? e.lease;
          const pv = vtepOf(prev);
          leases.delete(e.lease.subnet);
          await delRoute(ctx.netns, { dst: e.lease.subnet, dev });
          await delNeigh(ctx.netns, dev, pv.gw);
          if (pv.mac) await delFdb(ctx.netns, dev, pv.mac, pv.ip || undefined);
          ctx.log.info({ subnet: e.lease.subnet }, 'remote subnet removed');
        }
      }
      if (initial) {
        // Converge with the kernel: remove what no current lease explains.
        const wantRoutes = new Set(leases.keys());
        for (const r of await listRoutes(ctx.netns, { dev })) {
          if (isLeaseRoute(ctx.conf, r.dst) && !wantRoutes.has(r.dst)) {
            await delRoute(ctx.netns, { dst: r.dst, dev });
          }
        }
        const wantNeigh = new Set([...leases.values()].map((l) => vtepOf(l).gw));
        for (const n of await listNeigh(ctx.netns, dev)) if (!wantNeigh.has(n.dst)) await delNeigh(ctx.netns, dev, n.dst);
        const wantFdb = new Set([...leases.values()].map((l) => `${vtepOf(l).mac}|${vtepOf(l).ip}`));
        for (const f of await listFdb(ctx.netns, dev)) {
          if (!f.dst || f.mac === '00:00:00:00:00:00') continue;
          if (!wantFdb.has(`${f.mac}|${f.dst}`)) await delFdb(ctx.netns, dev, f.mac, f.dst);
        }
      }
    },
  };
}

registerBackend('vxlan', vxlanNetwork);
