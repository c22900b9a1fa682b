/**
 * Calico's VXLAN (Felix's vxlan manager): device `vxlan.calico` (VNI 4096, UDP 4789, no learning),
 * this node's tunnel address (from IPAM, handle vxlan-tunnel-addr-<node>) and MAC published as
 * Node annotations; for every remote node whose blocks are VXLAN-routed — pools with vxlanMode
 * Always, or CrossSubnet when the remote node is in another subnet — a permanent neighbour (tunnel
 * address → MAC), an FDB entry (MAC → node address) and a route per block via the tunnel address
 * onlink. The plan is pure; syncVxlan applies it and removes what is no longer wanted.
 */
import { createHash } from 'node:crypto';
import type { KObject } from '../meta/types.js';
import { SELF } from '../net/exec.js';
import { addAddr, listAddrs } from '../net/addr.js';
import { createVxlan, getLink, setUp } from '../net/link.js';
import { listFdb, replaceFdb, delFdb } from '../net/fdb.js';
import { listNeigh, replacePermanentNeigh, delNeigh } from '../net/neigh.js';
import { delRoute, listRoutes, replaceRoute } from '../net/route.js';
import { contains, parseCidr, parseIP } from '../util/addr.js';
import { ANN_IPV4 } from './bgp/model.js';
import type { IPAMBlock, IPPool } from './ipam/allocator.js';

export const VXLAN_DEVICE = 'vxlan.calico';
export const VXLAN_VNI = 4096;
export const VXLAN_PORT = 4789;
export const ANN_VXLAN_ADDR = 'projectcalico.org/IPv4VXLANTunnelAddr';
export const ANN_VXLAN_MAC = 'projectcalico.org/VXLANTunnelMACAddr';
/** Routes Felix programs carry protocol 80 (RTPROT "felix" in Calico). */
export const FELIX_PROTO = '80';

/** A stable, locally administered MAC for a node's VTEP. */
export function vtepMac(node: string): string {
  const h = createHash('sha1').update(`vxlan.calico/${node}`).digest();
  h[0] = (h[0]! & 0xfe) | 0x02;
  return [...h.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface VxlanPlan {
  routes: { dst: string; via: string }[];
  neighs: { ip: string; mac: string }[];
  fdb: { mac: string; dst: string }[];
}

interface Vtep { node: string; nodeIP: string; nodeCidr: string; tunnelIP: string; mac: string }

function vtepOf(n: KObject): Vtep | undefined {
  const a = n.metadata.annotations ?? {};
  const cidr = a[ANN_IPV4], tip = a[ANN_VXLAN_ADDR], mac = a[ANN_VXLAN_MAC];
  if (!cidr || !tip || !mac) return undefined;
  return { node: n.metadata.name!, nodeIP: cidr.split('/')[0]!, nodeCidr: cidr, tunnelIP: tip, mac };
}

function sameSubnet(a: Vtep, b: Vtep): boolean {
  try { return contains(parseCidr(a.nodeCidr), parseIP(b.nodeIP)); } catch { return false; }
}

/** Whether traffic from `me` to blocks of `peer` in `pool` goes through VXLAN. */
function encapsulated(pool: IPPool, me: Vtep, peer: Vtep): boolean {
  const mode = pool.spec.vxlanMode ?? 'Never';
  return mode === 'Always' || (mode === 'CrossSubnet' && !sameSubnet(me, peer));
}

/** What this node programs (pure). Blocks listed here must not be programmed by BIRD. */
export function vxlanPlan(node: string, nodes: readonly KObject[], blocks: readonly IPAMBlock[], pools: readonly IPPool[]): VxlanPlan {
  const vteps = nodes.map(vtepOf).filter((v): v is Vtep => !!v);
  const me = vteps.find((v) => v.node === node);
  const plan: VxlanPlan = { routes: [], neighs: [], fdb: [] };
  if (!me) return plan;
  for (const peer of vteps) {
    if (peer.node === node) continue;
    let used = false;
    for (const b of blocks) {
      if (b.spec.affinity !== `host:${peer.node}` || b.spec.deleted) continue;
      const pool = pools.find((p) => contains(parseCidr(p.spec.cidr), parseCidr(b.spec.cidr).ip));
      if (!pool || !encapsulated(pool, me, peer)) continue;
      plan.routes.push({ dst: b.spec.cidr, via: peer.tunnelIP });
      used = true;
    }
    if (used) {
      plan.neighs.push({ ip: peer.tunnelIP, mac: peer.mac });
      plan.fdb.push({ mac: peer.mac, dst: peer.nodeIP });
    }
  }
  plan.routes.sort((a, b) => a.dst.localeCompare(b.dst));
  return plan;
}

/** Creates vxlan.calico with the tunnel address and MAC (idempotent). */
export async function ensureVxlanDevice(o: { nodeIP: string; tunnelIP: string; mac: string; mtu: number; dev?: string }): Promise<void> {
  if (!(await getLink(SELF, VXLAN_DEVICE))) {
    await createVxlan(SELF, VXLAN_DEVICE, { vni: VXLAN_VNI, port: VXLAN_PORT, local: o.nodeIP, dev: o.dev ?? 'eth0', learning: false, mtu: o.mtu, mac: o.mac });
  }
  const want = `${o.tunnelIP}/32`;
  if (!(await listAddrs(SELF, { dev: VXLAN_DEVICE, family: 4 })).some((a) => a.cidr === want)) await addAddr(SELF, VXLAN_DEVICE, want);
  await setUp(SELF, VXLAN_DEVICE);
}

/** Applies the plan to vxlan.calico: replace what is wanted, delete what is not. */
export async function syncVxlan(plan: VxlanPlan): Promise<void> {
  for (const n of plan.neighs) await replacePermanentNeigh(SELF, VXLAN_DEVICE, n.ip, n.mac);
  for (const f of plan.fdb) await replaceFdb(SELF, VXLAN_DEVICE, f.mac, f.dst);
  for (const r of plan.routes) await replaceRoute(SELF, { dst: r.dst, via: r.via, dev: VXLAN_DEVICE, onlink: true, proto: FELIX_PROTO });
  const wantRoutes = new Set(plan.routes.map((r) => r.dst));
  for (const r of await listRoutes(SELF, { dev: VXLAN_DEVICE })) {
    if (r.dst.includes('/') && !wantRoutes.has(r.dst)) await delRoute(SELF, { dst: r.dst, dev: VXLAN_DEVICE });
  }
  const wantNeigh = new Set(plan.neighs.map((n) => n.ip));
  for (const n of await listNeigh(SELF, VXLAN_DEVICE)) if (!wantNeigh.has(n.dst)) await delNeigh(SELF, VXLAN_DEVICE, n.dst);
  const wantFdb = new Set(plan.fdb.map((f) => `${f.mac}|${f.dst}`));
  for (const f of await listFdb(SELF, VXLAN_DEVICE)) if (f.dst && !wantFdb.has(`${f.mac}|${f.dst}`)) await delFdb(SELF, VXLAN_DEVICE, f.mac, f.dst);
}
