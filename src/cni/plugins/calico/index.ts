/**
 * `calico`: Calico's routed pod interface. A veth whose host end `cali<11 hex>` has no address and
 * the MAC ee:ee:ee:ee:ee:ee, answers ARP for anything it can route (proxy_arp), and carries a /32
 * route to the pod; the pod gets its address as /32 and `default via 169.254.1.1 dev eth0`, a next
 * hop nobody owns that the host end answers for. The address comes from the IPAM delegate
 * (calico-ipam). Every step is undone when a later one fails; DEL is idempotent.
 */
import { existsSync } from 'node:fs';
import { ipBatch } from '../../../net/exec.js';
import { createVeth, deleteLink, getLink, setUp } from '../../../net/link.js';
import { delRoute, listRoutes, replaceRoute } from '../../../net/route.js';
import { setSysctls } from '../../../net/sysctl.js';
import { listAddrs } from '../../../net/addr.js';
import { pluginHostNs } from '../../hostns.js';
import { delegate } from '../../invoke.js';
import { parseResult } from '../../version.js';
import { CniError, ErrCode, type CmdArgs, type CniPlugin, type Result } from '../../types.js';
import { loadCalicoConf } from './config.js';
import { CALICO_GATEWAY, HOST_VETH_MAC, calicoResult, containerLines, hostVethName, hostVethSysctls } from './plan.js';

const H = pluginHostNs;

class Undo {
  private steps: (() => Promise<unknown>)[] = [];
  push(f: () => Promise<unknown>): void { this.steps.push(f); }
  async run(): Promise<void> { for (const f of this.steps.reverse()) { try { await f(); } catch { /* keep undoing */ } } }
}

function fail(msg: string, e?: unknown): CniError {
  if (e instanceof CniError) return e;
  return new CniError(ErrCode.Internal, msg, e instanceof Error ? e.message : e === undefined ? '' : String(e));
}

async function add(a: CmdArgs): Promise<Result> {
  const c = loadCalicoConf(a);
  if (!existsSync(a.netns)) throw new CniError(ErrCode.InvalidEnv, `failed to open netns "${a.netns}"`, 'no such file or directory');
  const host = hostVethName(c.k8s, a.containerId);
  const undo = new Undo();
  try {
    const ipam = parseResult(await delegate(c.ipamType, 'ADD', a.stdin, a.env));
    undo.push(() => delegate(c.ipamType, 'DEL', a.stdin, a.env));
    const v4 = ipam.ips?.find((i) => !i.address.includes(':'));
    if (!v4) throw new CniError(ErrCode.Internal, 'calico: IPAM returned no IPv4 address');
    const ip = v4.address.split('/')[0]!;

    // a host end left by an earlier sandbox of the same pod goes first (Calico does the same)
    if (await getLink(H(), host)) await deleteLink(H(), host);
    try { await createVeth(H(), host, a.ifName, a.netns, { mtu: c.mtu, mac: HOST_VETH_MAC }); } catch (e) {
      if (await getLink(a.netns, a.ifName)) throw new CniError(ErrCode.Internal, `container veth name provided (${a.ifName}) already exists`);
      throw fail('calico: failed to create veth pair', e);
    }
    undo.push(() => deleteLink(H(), host));
    await setSysctls(H(), hostVethSysctls(host));
    await setUp(H(), host);
    try { await ipBatch(a.netns, containerLines(a.ifName, ip)); } catch (e) { throw fail(`calico: failed to configure ${a.ifName} in ${a.netns}`, e); }
    // the /32 to the pod through its cali interface (the route Felix programs)
    await replaceRoute(H(), { dst: `${ip}/32`, dev: host, scope: 'link' });
    const [h, cont] = await Promise.all([getLink(H(), host), getLink(a.netns, a.ifName)]);
    return calicoResult(c.cniVersion, { name: host, mac: h?.address ?? HOST_VETH_MAC }, { name: a.ifName, mac: cont?.address ?? '', sandbox: a.netns }, ip, (a.conf.dns as Result['dns']) ?? ipam.dns);
  } catch (e) {
    await undo.run();
    throw fail('calico ADD failed', e);
  }
}

async function del(a: CmdArgs): Promise<void> {
  const c = loadCalicoConf(a);
  await delegate(c.ipamType, 'DEL', a.stdin, a.env);
  const host = hostVethName(c.k8s, a.containerId);
  const l = await getLink(H(), host);
  // only the pair of this sandbox: when the netns still exists its eth0 must be our peer
  if (l) {
    let ours = true;
    if (a.netns && existsSync(a.netns)) {
      const cont = await getLink(a.netns, a.ifName);
      ours = !cont || cont.link_index === l.ifindex;
    }
    if (ours) await deleteLink(H(), host);
  } else if (a.netns && existsSync(a.netns)) {
    await deleteLink(a.netns, a.ifName);
  }
  const prev = a.conf.prevResult as Result | undefined;
  for (const ip of prev?.ips ?? []) await delRoute(H(), { dst: ip.address.replace(/\/\d+$/, '/32'), dev: host });
}

async function check(a: CmdArgs): Promise<void> {
  const c = loadCalicoConf(a);
  const prev = a.conf.prevResult as Result | undefined;
  if (!prev) throw new CniError(ErrCode.InvalidNetworkConfig, 'calico CHECK: required prevResult missing');
  await delegate(c.ipamType, 'CHECK', a.stdin, a.env);
  const host = hostVethName(c.k8s, a.containerId);
  if (!(await getLink(H(), host))) throw new CniError(ErrCode.Internal, `calico: host veth ${host} missing`);
  const addrs = await listAddrs(a.netns, { dev: a.ifName });
  const routes = await listRoutes(H(), { dev: host });
  for (const ip of prev.ips ?? []) {
    if (!addrs.some((x) => x.cidr === ip.address)) throw new CniError(ErrCode.Internal, `calico: ${a.ifName} lacks ${ip.address}`);
    if (!routes.some((r) => `${r.dst}/32` === ip.address || r.dst === ip.address)) throw new CniError(ErrCode.Internal, `calico: no route to ${ip.address} via ${host}`);
  }
  const podRoutes = await listRoutes(a.netns);
  if (!podRoutes.some((r) => r.dst === 'default' && r.gateway === CALICO_GATEWAY)) throw new CniError(ErrCode.Internal, `calico: default route via ${CALICO_GATEWAY} missing in ${a.netns}`);
}

async function status(a: CmdArgs): Promise<void> {
  const c = loadCalicoConf(a);
  await delegate(c.ipamType, 'STATUS', a.stdin, a.env);
}

const calico: CniPlugin = { add, del, check, status, gc: async () => {} };
export default calico;
