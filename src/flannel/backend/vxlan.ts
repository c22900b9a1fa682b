/**
 * vxlan: device flannel.<VNI> (no learning) with our subnet's .0 as a /32; for each remote lease a
 * permanent neighbour (remote .0 → its VTEP MAC), an FDB entry (MAC → remote public IP) and a
 * route to the remote subnet via its .0, onlink — flannel's layout, so `ip neigh`, `bridge fdb` and
 * `ip route` read as upstream's.
 */
import { addAddr, listAddrs, delAddr } from '../../net/addr.js';
import { createVxlan, deleteLink, getLink, setUp } from '../../net/link.js';
import { bridgeBatch, delFdb, listFdb } from '../../net/fdb.js';
import { ipBatch } from '../../net/exec.js';
import { delNeigh, listNeigh } from '../../net/neigh.js';
import { delRoute, listRoutes } from '../../net/route.js';
import { formatIP, nthAddress, parseCidr } from '../../util/addr.js';
import { isLeaseRoute } from '../config.js';
import type { Lease } from '../subnet/types.js';
import type { FlannelNetConf, VxlanBackendConf } from '../config.js';
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

/** A remote lease's VTEP: its MAC (from BackendData), its public IP, and its subnet's .0 (the route's gateway). */
export function vtepOf(l: Lease): { mac?: string; ip: string; gw: string } {
  return {
    mac: typeof l.attrs.BackendData?.VtepMAC === 'string' ? l.attrs.BackendData.VtepMAC : undefined,
    ip: l.attrs.PublicIP, gw: formatIP(nthAddress(parseCidr(l.subnet), 0)),
  };
}

/**
 * What on flannel.<VNI> no current lease explains (pure): routes to subnets of our network,
 * neighbours and FDB entries (the all-zero MAC and entries without a destination are left alone).
 */
export function vxlanStale(conf: Pick<FlannelNetConf, 'Network' | 'SubnetLen'>, leases: Iterable<Lease>, kernel: { routes: readonly { dst: string }[]; neigh: readonly { dst: string }[]; fdb: readonly { mac: string; dst?: string }[] }): { routes: string[]; neigh: string[]; fdb: { mac: string; dst: string }[] } {
  const all = [...leases];
  const wantRoutes = new Set(all.map((l) => l.subnet));
  const wantNeigh = new Set(all.map((l) => vtepOf(l).gw));
  const wantFdb = new Set(all.map((l) => `${vtepOf(l).mac}|${vtepOf(l).ip}`));
  return {
    routes: kernel.routes.map((r) => r.dst).filter((dst) => isLeaseRoute(conf, dst) && !wantRoutes.has(dst)),
    neigh: kernel.neigh.map((n) => n.dst).filter((dst) => !wantNeigh.has(dst)),
    fdb: kernel.fdb.filter((f): f is { mac: string; dst: string } => !!f.dst && f.mac !== '00:00:00:00:00:00' && !wantFdb.has(`${f.mac}|${f.dst}`)).map((f) => ({ mac: f.mac, dst: f.dst })),
  };
}

async function vxlanNetwork(ctx: BackendContext): Promise<OverlayNetwork> {
  const b = ctx.conf.Backend as VxlanBackendConf;
  const dev = `flannel.${b.VNI}`;
  const mtu = ctx.ifaceMtu - 50;
  const mac = await ensureDevice(ctx, b, dev, mtu);
  let own: Lease | undefined;
  const leases = new Map<string, Lease>();
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
      // Remote subnets added in a row go to the kernel in one `ip -batch` (neighbours, routes) and one
      // `bridge -batch` (FDB) instead of three commands each: a 50-node lab has 49 peers per node.
      const neighLines: string[] = [], fdbLines: string[] = [], routeLines: string[] = [];
      const flush = async (): Promise<void> => {
        if (!neighLines.length) return;
        await ipBatch(ctx.netns, neighLines.splice(0));
        await bridgeBatch(ctx.netns, fdbLines.splice(0));
        await ipBatch(ctx.netns, routeLines.splice(0));
      };
      for (const e of events) {
        if (e.lease.subnet === own?.subnet) continue;
        const v = vtepOf(e.lease);
        if (e.type === 'added') {
          if (e.lease.attrs.BackendType !== 'vxlan' || !v.mac) { ctx.log.warn({ subnet: e.lease.subnet, type: e.lease.attrs.BackendType }, 'lease without vxlan data ignored'); continue; }
          const prev = leases.get(e.lease.subnet);
          const pv = prev ? vtepOf(prev) : undefined;
          if (pv?.mac && (pv.mac !== v.mac || pv.ip !== v.ip)) await delFdb(ctx.netns, dev, pv.mac, pv.ip);
          leases.set(e.lease.subnet, e.lease);
          neighLines.push(`neigh replace ${v.gw} lladdr ${v.mac} dev ${dev} nud permanent`);
          fdbLines.push(`fdb replace ${v.mac} dev ${dev} dst ${v.ip} self permanent`);
          routeLines.push(`route replace ${e.lease.subnet} via ${v.gw} dev ${dev} onlink`);
          ctx.log.info({ subnet: e.lease.subnet, vtep: v.ip, mac: v.mac }, 'remote subnet added');
        } else {
          await flush();
          const prev = leases.get(e.lease.subnet) ?? e.lease;
          const pv = vtepOf(prev);
          leases.delete(e.lease.subnet);
          await delRoute(ctx.netns, { dst: e.lease.subnet, dev });
          await delNeigh(ctx.netns, dev, pv.gw);
          if (pv.mac) await delFdb(ctx.netns, dev, pv.mac, pv.ip || undefined);
          ctx.log.info({ subnet: e.lease.subnet }, 'remote subnet removed');
        }
      }
      await flush();
      if (initial) {
        // Converge with the kernel: remove what no current lease explains.
        const routes = await listRoutes(ctx.netns, { dev });
        const neigh = await listNeigh(ctx.netns, dev);
        const fdb = await listFdb(ctx.netns, dev);
        const stale = vxlanStale(ctx.conf, leases.values(), { routes, neigh, fdb });
        for (const dst of stale.routes) await delRoute(ctx.netns, { dst, dev });
        for (const dst of stale.neigh) await delNeigh(ctx.netns, dev, dst);
        for (const f of stale.fdb) await delFdb(ctx.netns, dev, f.mac, f.dst);
      }
    },
  };
}

registerBackend('vxlan', vxlanNetwork);
