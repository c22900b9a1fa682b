/**
 * `calico-ipam`: one IPv4 address per attachment from Calico's blocks (src/calico/ipam), under a
 * host-wide file lock so concurrent ADDs on a node do not claim a block each. ADD for a handle that
 * already holds an address returns that address; DEL is idempotent; GC frees leaked allocations.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient, loadKubeconfig, R, type KubeClient } from '../../../client/index.js';
import { CalicoIpam, IpamError, type IPAMBlock } from '../../../calico/ipam/allocator.js';
import { allocationsOf, hostAffinity } from '../../../calico/ipam/block.js';
import { withFileLock } from '../../../net/flock.js';
import { kernelModuleAvailable } from '../../../net/modules.js';
import { CniError, ErrCode, type CmdArgs, type CniPlugin, type Result } from '../../types.js';
import { handleId, loadCalicoConf, type CalicoConf } from '../calico/config.js';

function client(c: CalicoConf): KubeClient & { close(): void } {
  try { return createClient({ ...loadKubeconfig(c.kubeconfig), userAgent: `calico-ipam/${c.nodename}` }); } catch (e) {
    throw new CniError(ErrCode.InvalidNetworkConfig, `calico-ipam: cannot load kubeconfig ${c.kubeconfig}`, (e as Error).message);
  }
}

async function locked<T>(c: CalicoConf, fn: () => Promise<T>): Promise<T> {
  try { mkdirSync(dirname(c.lockFile), { recursive: true }); } catch (e) { throw new CniError(ErrCode.IO, `calico-ipam: cannot create ${dirname(c.lockFile)}`, (e as Error).message); }
  return withFileLock(c.lockFile, fn);
}

function asCniError(e: unknown): CniError {
  if (e instanceof CniError) return e;
  if (e instanceof IpamError) return new CniError(e.code === 'ENOPOOL' || e.code === 'EFULL' ? ErrCode.TryAgainLater : ErrCode.Internal, `calico-ipam: ${e.message}`);
  return new CniError(ErrCode.Internal, 'calico-ipam failed', (e as Error).message);
}

/** The address `handle` already holds on this node, if any (a repeated ADD). */
async function existing(cl: KubeClient, node: string, handle: string): Promise<string | undefined> {
  const blocks = (await cl.list<IPAMBlock>(R.ipamblocks)).items.filter((b) => b.spec.affinity === hostAffinity(node));
  for (const b of blocks) for (const a of allocationsOf(b.spec)) if (a.handle === handle) return a.ip;
  return undefined;
}

async function add(a: CmdArgs): Promise<Result> {
  const c = loadCalicoConf(a);
  const cl = client(c);
  try {
    const handle = handleId(c, a.containerId);
    const ip = await locked(c, async () => {
      const had = await existing(cl, c.nodename, handle);
      if (had) return had;
      const secondary: Record<string, string> = { node: c.nodename, timestamp: new Date().toISOString() };
      if (c.k8s.namespace) secondary.namespace = c.k8s.namespace;
      if (c.k8s.pod) secondary.pod = c.k8s.pod;
      const r = await new CalicoIpam(cl).autoAssign({ handle, node: c.nodename, secondary });
      const mode = r.pool.spec.ipipMode ?? 'Never';
      if (mode !== 'Never' && !(await kernelModuleAvailable('ipip'))) {
        await new CalicoIpam(cl).releaseByHandle(handle, c.nodename);
        throw new CniError(ErrCode.InvalidNetworkConfig, `calico-ipam: IPPool ${r.pool.metadata.name} has ipipMode ${mode}, but this kernel has no "ipip" module (IPIP tunnels are unavailable); set ipipMode: Never and use vxlanMode or BGP routing`);
      }
      return r.ip;
    });
    return { cniVersion: c.cniVersion, ips: [{ address: `${ip}/32` }], dns: {} };
  } catch (e) { throw asCniError(e); } finally { cl.close(); }
}

async function del(a: CmdArgs): Promise<void> {
  const c = loadCalicoConf(a);
  const cl = client(c);
  try {
    await locked(c, () => new CalicoIpam(cl).releaseByHandle(handleId(c, a.containerId), c.nodename));
  } catch (e) { throw asCniError(e); } finally { cl.close(); }
}

async function check(a: CmdArgs): Promise<void> {
  const c = loadCalicoConf(a);
  const cl = client(c);
  try {
    if (!(await existing(cl, c.nodename, handleId(c, a.containerId)))) throw new CniError(ErrCode.Internal, `calico-ipam: no address allocated to ${handleId(c, a.containerId)}`);
  } catch (e) { throw asCniError(e); } finally { cl.close(); }
}

async function status(a: CmdArgs): Promise<void> {
  const c = loadCalicoConf(a);
  const cl = client(c);
  try {
    const pools = await new CalicoIpam(cl).pools(c.nodename);
    if (!pools.length) throw new CniError(ErrCode.PluginNotAvailable, `calico-ipam: no IPPool selects node ${c.nodename}`);
  } catch (e) { throw e instanceof CniError ? e : new CniError(ErrCode.PluginNotAvailable, 'calico-ipam: datastore not reachable', (e as Error).message); } finally { cl.close(); }
}

const calicoIpam: CniPlugin = { add, del, check, status, gc: async () => {} };
export default calicoIpam;
