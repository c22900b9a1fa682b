/** `podnet inspect node`'s human output (pure): describe-style fields, then one table per part. */
import type { NodeInspection } from './inspectnode.js';
import { renderFields, renderTable } from './table.js';

const indent = (text: string, n = 2): string => text.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');

export function renderNodeInspection(n: NodeInspection): string {
  let out = renderFields([
    ['Node', n.node],
    ['Network', n.network],
    ['InternalIP', n.internalIP ?? '<none>'],
    ['PodCIDRs', n.podCIDRs.join(', ') || '<none>'],
  ]);
  out += 'Links:\n' + indent(renderTable(['NAME', 'INDEX', 'KIND', 'MTU', 'STATE', 'MASTER', 'ADDRESSES'],
    n.links.map((l) => [l.name, String(l.ifindex), l.kind, String(l.mtu), l.state || '-', l.master ?? '-', l.addresses.join(',') || '-'])));
  if (n.bridges.length) {
    out += 'Bridges (bridge link):\n' + indent(renderTable(['BRIDGE', 'PORT', 'STATE'],
      n.bridges.flatMap((b) => (b.ports.length ? b.ports.map((p) => [b.name, p.name, p.state || '-']) : [[b.name, '<none>', '-']]))));
  }
  if (n.tunnels.length) {
    out += 'Tunnels:\n' + indent(renderTable(['NAME', 'KIND', 'VNI', 'PORT', 'LOCAL', 'DEV'],
      n.tunnels.map((t) => [t.name, t.kind, t.vni !== undefined ? String(t.vni) : '-', t.port !== undefined ? String(t.port) : '-', t.local ?? '-', t.dev ?? '-'])));
    for (const t of n.tunnels.filter((x) => x.kind === 'vxlan')) {
      out += `Remote VTEPs on ${t.name} (bridge fdb / ip neigh):\n`;
      const rows = t.fdb.filter((f) => f.dst).map((f) => {
        const nb = t.neighbours.filter((x) => x.lladdr === f.mac).map((x) => x.dst);
        return [f.mac, f.dst ?? '-', nb.join(',') || '-', (f.state ?? (f.flags ?? []).join(',')) || '-'];
      });
      out += rows.length ? indent(renderTable(['MAC', 'UNDERLAY DST', 'VTEP IP (NEIGH)', 'STATE'], rows)) : '  <none>\n';
    }
  }
  if (n.caliInterfaces.length) out += `Calico interfaces: ${n.caliInterfaces.join(', ')}\n`;
  out += 'Routes:\n' + indent(renderTable(['DESTINATION', 'GATEWAY', 'DEV', 'PROTO', 'SCOPE', 'SRC', 'FLAGS'],
    n.routes.map((r) => [r.type && r.type !== 'unicast' ? `${r.type} ${r.dst}` : r.dst, r.gateway ?? '-', r.dev ?? '-', r.protocol ?? '-', r.scope ?? '-', r.prefsrc ?? '-', r.flags.join(',') || '-'])));
  if (n.lease) {
    const env = n.lease.subnetEnv;
    out += 'Subnet lease (flannel):\n' + indent(renderFields([
      ...(env ? Object.entries(env).map(([k, v]) => [k, v] as const) : [['subnet.env', '<none>'] as const]),
      ...Object.entries(n.lease.annotations).map(([k, v]) => [k.replace(/^flannel\.alpha\.coreos\.com\//, 'annotation '), v] as const),
    ]));
  }
  if (n.ipamBlocks) {
    out += 'IPAM blocks (calico, affine to this node):\n' + (n.ipamBlocks.length
      ? indent(renderTable(['CIDR', 'ALLOCATED', 'SIZE'], n.ipamBlocks.map((b) => [b.cidr, String(b.allocated), String(b.size)]))) : '  <none>\n');
  }
  if (n.bgp) {
    out += `BGP peers (BIRD ${n.bgp.running ? 'running' : 'not running'}):\n` + (n.bgp.peers.length
      ? indent(renderTable(['PEER ADDRESS', 'PEER TYPE', 'STATE', 'SINCE', 'INFO'], n.bgp.peers.map((p) => [p.peerAddress, p.peerType, p.state, p.since, p.info]))) : '  <none>\n');
  }
  out += `Proxy: ${n.proxy.mode}\n`;
  if (n.proxy.families.length) out += indent(renderTable(['CHAINS', 'COUNT', 'RULES'], n.proxy.families.map((f) => [f.family, String(f.chains), String(f.rules)])));
  if (n.proxy.nftMaps?.length) out += indent(renderTable(['MAP/SET', 'ELEMENTS'], n.proxy.nftMaps.map((m) => [m.name, String(m.elements)])));
  const p = n.networkPolicy;
  out += `NetworkPolicy (nft inet podnet-policy): ${p.table ? `${p.chains} chains, ${p.sets} sets, ${p.maps} maps, ${p.counters} counters` : 'no table'}\n`;
  return out;
}
