import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ipBatch } from '../../../net/exec.js';
import { pluginHostNs } from '../../hostns.js';
import { addBridgeVlan, createBridge, deleteLink, getLink, getLinkWithAddrs, listLinks, setPromisc, setUp, type LinkInfo } from '../../../net/link.js';
import { addAddr, delAddr, listAddrs, type AddrInfo } from '../../../net/addr.js';
import { listRoutes } from '../../../net/route.js';
import { setSysctl } from '../../../net/sysctl.js';
import { ipMasqPresent, setupIpMasq, teardownIpMasq } from '../../iptables.js';
import { CniError, ErrCode, confCidr, type CmdArgs, type CniPlugin, type Result } from '../../types.js';
import { contains, familyOfText, formatCidr, formatIP, network } from '../../../util/addr.js';
import { delegate } from '../../invoke.js';
import { parseResult } from '../../version.js';
import { loadBridgeConf, type BridgeConf } from './config.js';
import { attachmentAlias, bridgeResult, containerIpLines, parseAttachmentAlias, planGateways } from './plan.js';

const H = pluginHostNs;

/** Undo actions run in reverse order when ADD fails half way. */
class Undo {
  private steps: (() => Promise<unknown>)[] = [];
  push(f: () => Promise<unknown>): void { this.steps.push(f); }
  async run(): Promise<void> { for (const f of this.steps.reverse()) { try { await f(); } catch { /* keep undoing */ } } }
}

function fail(msg: string, e?: unknown): CniError {
  if (e instanceof CniError) return e;
  return new CniError(ErrCode.Internal, msg, e instanceof Error ? e.message : e === undefined ? '' : String(e));
}

function requireNetns(path: string): void {
  if (!existsSync(path)) throw new CniError(ErrCode.InvalidEnv, `failed to open netns "${path}"`, 'no such file or directory');
}

/** Ensures the bridge exists, is up and has the right promiscuity. */
async function ensureBridge(c: BridgeConf): Promise<LinkInfo> {
  let br = await getLink(H(), c.bridge);
  if (br && br.linkinfo?.info_kind !== 'bridge') throw new CniError(ErrCode.Internal, `${c.bridge} already exists but is not a bridge`);
  if (!br) {
    try { await createBridge(H(), c.bridge, { mtu: c.mtu, vlanFiltering: c.vlan !== 0 }); } catch (e) {
      if (!(await getLink(H(), c.bridge))) throw fail(`could not add bridge ${c.bridge}`, e); // lost a race: fine
    }
  }
  if (c.promiscMode) await setPromisc(H(), c.bridge, true);
  br = await getLink(H(), c.bridge);
  if (!br) throw new CniError(ErrCode.Internal, `bridge ${c.bridge} vanished`);
  if (!br.flags.includes('UP')) await setUp(H(), c.bridge);
  return br;
}

/**
 * The bridge and its addresses in one read; only when it is missing, not up, not a bridge or lacks
 * the promiscuity asked for does ensureBridge create or fix it (then the addresses are read again).
 */
async function readyBridge(c: BridgeConf): Promise<{ br: LinkInfo; addrs: AddrInfo[] }> {
  const st = await getLinkWithAddrs(H(), c.bridge);
  if (st && st.link.linkinfo?.info_kind === 'bridge' && st.link.flags.includes('UP') && (!c.promiscMode || (st.link.promiscuity ?? 0) > 0)) {
    return { br: st.link, addrs: st.addrs };
  }
  const br = await ensureBridge(c);
  return { br, addrs: await listAddrs(H(), { dev: c.bridge }) };
}

/** Puts gateway addresses on the bridge (forceAddress replaces a different one of the same family); `have`: its addresses now. */
async function ensureGatewayAddrs(c: BridgeConf, gws: { gw: string; prefix: number }[], have: AddrInfo[]): Promise<void> {
  for (const { gw, prefix } of gws) {
    const want = `${gw}/${prefix}`;
    const fam = familyOfText(gw) === 6 ? 'inet6' : 'inet';
    if (have.some((a) => a.cidr === want)) continue;
    const wantNet = confCidr(want);
    for (const a of have.filter((x) => x.family === fam && x.scope === 'global')) {
      if (!contains(network(confCidr(a.cidr)), wantNet.ip) && !contains(network(wantNet), confCidr(a.cidr).ip)) continue;
      if (!c.forceAddress) throw new CniError(ErrCode.Internal, `${JSON.stringify(c.bridge)} already has an IP address different from ${want}`);
      await delAddr(H(), c.bridge, a.cidr);
    }
    try { await addAddr(H(), c.bridge, want); } catch (e) {
      if (!(await listAddrs(H(), { dev: c.bridge })).some((a) => a.cidr === want)) throw fail(`failed to set bridge address ${want}`, e);
    }
  }
}

/** A random locally administered unicast MAC, as the kernel picks one for a veth (eth_random_addr). */
function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * ADD, in few processes: one read of the bridge and its addresses; one `ip -batch` on the host
 * side creating the veth pair (the container end straight in the pod's netns, both MACs chosen
 * here so none has to be read back), enslaving, up and hairpin; IPAM; then the container side's
 * `ip -batch` beside a read of the bridge's MAC (it can change when a port joins).
 */
async function add(a: CmdArgs): Promise<Result> {
  const c = loadBridgeConf(a.conf);
  requireNetns(a.netns);
  const undo = new Undo();
  try {
    const { addrs: brAddrs } = await readyBridge(c);
    const hostName = `veth${randomBytes(4).toString('hex')}`;
    const hostMac = randomMac(), contMac = randomMac();
    const mtu = c.mtu ? ` mtu ${c.mtu}` : '';
    // create the pair (MACs chosen here), put the pod end in its netns, enslave the host end, bring it
    // up and label it with its attachment (for GC) in one `ip -batch`: one process, so a runtime that
    // kills the plugin mid-ADD rarely leaves an unlabelled veth behind (the undo below, or the next GC,
    // removes a labelled one)
    undo.push(() => deleteLink(H(), hostName));
    try {
      await ipBatch(H(), [
        `link add ${hostName}${mtu} address ${hostMac} type veth peer name ${a.ifName}${mtu} address ${contMac} netns ${a.netns}`,
        `link set dev ${hostName} master ${c.bridge} up alias ${attachmentAlias(c.name, a.containerId, a.ifName)}`,
        ...(c.hairpinMode ? [`link set dev ${hostName} type bridge_slave hairpin on`] : []),
      ]);
    } catch (e) {
      if (!(await getLink(H(), hostName))) {
        if (await getLink(a.netns, a.ifName)) throw new CniError(ErrCode.Internal, `container veth name provided (${a.ifName}) already exists`);
        throw fail('failed to create veth pair', e);
      }
      throw fail(`failed to connect ${hostName} to bridge ${c.bridge}`, e);
    }
    if (c.vlan) await addBridgeVlan(H(), hostName, c.vlan, { pvid: true, untagged: true });

    // IPAM: the delegate allocates; undo releases.
    const ipamRaw = await delegate(c.ipamType, 'ADD', a.stdin, a.env);
    undo.push(() => delegate(c.ipamType, 'DEL', a.stdin, a.env));
    const ipam = parseResult(ipamRaw);
    if (!ipam.ips?.length) throw new CniError(ErrCode.Internal, 'IPAM plugin returned missing IP config');

    const { ips, gws, routes } = planGateways(c, ipam.ips, ipam.routes);
    ipam.ips = ips;

    // container side: addresses, link up, routes — one `ip -batch` inside the pod's netns; meanwhile the bridge's MAC
    const lines = containerIpLines(a.ifName, ipam.ips, routes);
    const [, brNow] = await Promise.all([
      ipBatch(a.netns, lines).catch((e: unknown) => { throw fail(`failed to configure ${a.ifName} in ${a.netns}`, e); }),
      getLink(H(), c.bridge),
    ]);

    if (c.isGateway) {
      await ensureGatewayAddrs(c, gws, brAddrs);
      await setSysctl(H(), 'net.ipv4.ip_forward', 1);
    }
    if (c.ipMasq) {
      undo.push(() => teardownIpMasq(H(), c.name, a.containerId));
      await setupIpMasq(H(), c.name, a.containerId, ipam.ips.map((ip) => {
        const cidr = confCidr(ip.address);
        return { ip: formatIP(cidr.ip), subnet: formatCidr(network(cidr)) };
      }));
    }
    return bridgeResult(c.cniVersion, {
      bridge: { name: c.bridge, mac: brNow?.address ?? '' },
      host: { name: hostName, mac: hostMac },
      container: { name: a.ifName, mac: contMac, sandbox: a.netns },
    }, ipam.ips, routes, (a.conf.dns as Result['dns']) ?? ipam.dns ?? {});
  } catch (e) {
    await undo.run();
    throw fail('bridge ADD failed', e);
  }
}

async function del(a: CmdArgs): Promise<void> {
  const c = loadBridgeConf(a.conf);
  // IPAM first, as upstream: the allocation must go even when the netns is already gone
  await delegate(c.ipamType, 'DEL', a.stdin, a.env);
  if (a.netns && existsSync(a.netns)) {
    try { await deleteLink(a.netns, a.ifName); } catch (e) { throw fail(`failed to delete ${a.ifName} in ${a.netns}`, e); }
  } else {
    // no netns (GC of a cached attachment, or the sandbox is gone): the cached prevResult names the
    // host end; deleting it removes the pair if the namespace still exists somewhere
    const prev = a.conf.prevResult as Result | undefined;
    for (const i of prev?.interfaces ?? []) {
      if (i.sandbox || i.name === c.bridge || !/^veth[0-9a-f]{8}$/.test(i.name)) continue;
      const l = await getLink(H(), i.name);
      if (l?.master === c.bridge && (!i.mac || l.address === i.mac)) await deleteLink(H(), i.name);
    }
  }
  if (c.ipMasq) await teardownIpMasq(H(), c.name, a.containerId);
}

async function check(a: CmdArgs): Promise<void> {
  const c = loadBridgeConf(a.conf);
  requireNetns(a.netns);
  const prev = a.conf.prevResult as Result | undefined;
  if (!prev) throw new CniError(ErrCode.InvalidNetworkConfig, 'bridge CHECK: required prevResult missing');
  await delegate(c.ipamType, 'CHECK', a.stdin, a.env);
  const br = await getLink(H(), c.bridge);
  if (!br || br.linkinfo?.info_kind !== 'bridge') throw new CniError(ErrCode.Internal, `bridge ${c.bridge} not found`);
  const cont = await getLink(a.netns, a.ifName);
  if (!cont) throw new CniError(ErrCode.Internal, `${a.ifName} not found in ${a.netns}`);
  const contIf = prev.interfaces?.find((i) => i.name === a.ifName && i.sandbox);
  if (contIf?.mac && cont.address && contIf.mac.toLowerCase() !== cont.address.toLowerCase()) throw new CniError(ErrCode.Internal, `${a.ifName} MAC ${cont.address} differs from ${contIf.mac} in prevResult`);
  if (cont.linkinfo?.info_kind !== 'veth') throw new CniError(ErrCode.Internal, `${a.ifName} is not a veth`);
  // the host end must be enslaved to the bridge
  const hostIf = prev.interfaces?.find((i) => !i.sandbox && i.name !== c.bridge);
  const hostLinks = await listLinks(H());
  const peer = hostLinks.find((l) => l.ifindex === cont.link_index);
  if (!peer || (hostIf && peer.ifname !== hostIf.name)) throw new CniError(ErrCode.Internal, `host end of ${a.ifName} not found`);
  if (peer.master !== c.bridge) throw new CniError(ErrCode.Internal, `${peer.ifname} is not attached to ${c.bridge}`);
  const addrs = await listAddrs(a.netns, { dev: a.ifName });
  for (const ip of prev.ips ?? []) {
    if (!addrs.some((x) => x.cidr === ip.address)) throw new CniError(ErrCode.Internal, `${a.ifName} lacks address ${ip.address}`);
  }
  const routes = [...await listRoutes(a.netns, { family: 4 }), ...await listRoutes(a.netns, { family: 6 })];
  for (const r of prev.routes ?? []) {
    const dst = r.dst === '0.0.0.0/0' || r.dst === '::/0' ? 'default' : r.dst;
    if (!routes.some((x) => x.dst === dst && (!r.gw || x.gateway === r.gw))) throw new CniError(ErrCode.Internal, `route ${r.dst}${r.gw ? ` via ${r.gw}` : ''} missing in ${a.netns}`);
  }
  if (c.ipMasq && !(await ipMasqPresent(H(), c.name, a.containerId))) throw new CniError(ErrCode.Internal, 'ipMasq chain missing');
}

/**
 * Spec 1.1 GC: IPAM frees the allocations of attachments not in `cni.dev/valid-attachments`; the
 * host ends of veths this network made (labelled by ADD, see attachmentAlias) for such attachments
 * are deleted (which deletes their container end too), and so are their masquerade rules.
 */
async function gc(a: CmdArgs): Promise<void> {
  const c = loadBridgeConf(a.conf);
  await delegate(c.ipamType, 'GC', a.stdin, a.env);
  const valid = a.conf['cni.dev/valid-attachments'];
  if (!Array.isArray(valid)) return;
  const keep = new Set((valid as { containerID?: unknown; ifname?: unknown }[])
    .map((v) => (typeof v?.containerID === 'string' && typeof v.ifname === 'string' ? attachmentAlias(c.name, v.containerID, v.ifname) : '')));
  for (const l of await listLinks(H())) {
    if (l.linkinfo?.info_kind !== 'veth' || !l.ifalias || keep.has(l.ifalias)) continue;
    const owner = parseAttachmentAlias(c.name, l.ifalias);
    if (!owner) continue;
    await deleteLink(H(), l.ifname);
    if (c.ipMasq) await teardownIpMasq(H(), c.name, owner.containerId).catch(() => undefined);
  }
}

async function status(a: CmdArgs): Promise<void> {
  const c = loadBridgeConf(a.conf);
  await delegate(c.ipamType, 'STATUS', a.stdin, a.env);
}

const bridge: CniPlugin = { add, del, check, gc, status };
export default bridge;
