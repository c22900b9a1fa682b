/**
 * calico-node for podnet's calico mode, inside the node's netns: what Calico's startup, Felix and
 * confd do for routed networking.
 *  - startup: the default IPPool when none exists (from --cluster-cidr), this node's BGP facts as
 *    annotations on its Node (projectcalico.org/IPv4Address, ASNumber);
 *  - Felix (the routed data plane): natOutgoing masquerade, forwarding of pool traffic, the
 *    refusal of ipipMode (this kernel has no ipip module), GC of leaked IPAM addresses;
 *  - confd + BIRD: bird.conf rendered from Nodes, IPAMBlocks, IPPools, BGPConfigurations and
 *    BGPPeers (informers), BIRD started once and reloaded with `birdc configure` on every change.
 * Restart-safe: a running BIRD is found by its control socket and reconfigured, not restarted.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { setMaxListeners } from 'node:events';
import { R, isAlreadyExists, isNotFound, type InformerFactory, type KubeClient } from '../client/index.js';
import type { KObject } from '../meta/types.js';
import { SELF } from '../net/exec.js';
import { listAddrs } from '../net/addr.js';
import { birdCheckConfig, birdPid, birdRunning, reconfigureBird, startBird } from '../net/bird.js';
import { kernelModuleAvailable } from '../net/modules.js';
import { formatCidr, network, parseCidr } from '../util/addr.js';
import { bgpModel, ANN_AS, ANN_IPV4 } from './bgp/model.js';
import { birdConf } from './bgp/birdconf.js';
import { CalicoIpam, nodeBlocks, type IPAMBlock, type IPPool } from './ipam/allocator.js';
import { calicoCrdsServed, installCalicoCrds } from './crds.js';
import { syncNatOutgoing } from './natoutgoing.js';
import { calicoPaths, type CalicoPaths } from './paths.js';
import { ANN_VXLAN_ADDR, ANN_VXLAN_MAC, ensureVxlanDevice, syncVxlan, vtepMac, vxlanPlan } from './vxlan.js';

export interface CalicoNodeOptions {
  nodeName: string;
  nodeIP: string;
  /** The default pool's CIDR, created when no IPPool exists (CALICO_IPV4POOL_CIDR). */
  defaultPoolCidr: string;
  /** CALICO_IPV4POOL_BLOCK_SIZE for that pool. */
  defaultBlockSize?: number;
  /** This node's AS (annotation projectcalico.org/ASNumber); default: BGPConfiguration's. */
  asNumber?: number;
  stateDir: string;
  client: KubeClient;
  informers: InformerFactory;
  log: Logger;
  /** MTU of vxlan.calico (underlay MTU - 50; default 1450). */
  vxlanMtu?: number;
  /** Seconds between leak GC passes (default 60). */
  gcIntervalSeconds?: number;
}

export interface CalicoNodeHandle { paths: CalicoPaths; stopped: Promise<void>; sync(): Promise<void> }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Calico's CustomResourceDefinitions: installed if missing (needs an admin's credential; otherwise a clear error saying the admin applies the manifest). */
async function ensureCrds(o: CalicoNodeOptions): Promise<void> {
  if (await calicoCrdsServed(o.client)) return;
  const created = await installCalicoCrds(o.client);
  o.log.info({ created }, 'installed Calico\'s CustomResourceDefinitions');
}

async function ensureDefaultPool(o: CalicoNodeOptions): Promise<void> {
  const pools = await o.client.list(R.ippools);
  if (pools.items.length) return;
  try {
    await o.client.create(R.ippools, {
      apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' },
      spec: { cidr: o.defaultPoolCidr, blockSize: o.defaultBlockSize ?? 26, natOutgoing: true, ipipMode: 'Never', vxlanMode: 'Never', nodeSelector: 'all()' },
    });
    o.log.info({ cidr: o.defaultPoolCidr }, 'created the default IPPool');
  } catch (e) { if (!isAlreadyExists(e)) throw e; }
}

/** Annotates this node with its BGP address (with the underlay prefix) and AS, once the kubelet has registered it. */
async function annotateNode(o: CalicoNodeOptions, signal: AbortSignal): Promise<void> {
  const addrs = await listAddrs(SELF, { family: 4 });
  const mine = addrs.find((a) => a.cidr.startsWith(`${o.nodeIP}/`));
  const ann: Record<string, string> = { [ANN_IPV4]: mine?.cidr ?? `${o.nodeIP}/32` };
  if (o.asNumber !== undefined) ann[ANN_AS] = String(o.asNumber);
  for (let i = 0; !signal.aborted; i++) {
    try {
      await o.client.patch(R.nodes, o.nodeName, { metadata: { annotations: ann } }, 'merge');
      return;
    } catch (e) {
      if (!isNotFound(e) || i > 240) throw e;
      await sleep(250);
    }
  }
}

function writeIfChanged(path: string, text: string): boolean {
  try { if (readFileSync(path, 'utf8') === text) return false; } catch { /* new */ }
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return true;
}

export async function startCalicoNode(o: CalicoNodeOptions, signal: AbortSignal): Promise<CalicoNodeHandle> {
  const paths = calicoPaths(o.stateDir);
  mkdirSync(paths.dir, { recursive: true });
  setMaxListeners(64, signal); // one abort listener per informer and watch of the agent's parts
  const log = o.log;
  await ensureCrds(o);
  await ensureDefaultPool(o);
  await annotateNode(o, signal);
  const ipipAvailable = await kernelModuleAvailable('ipip');

  const nodes = o.informers.get<KObject>(R.nodes);
  const pools = o.informers.get<IPPool>(R.ippools);
  const blocks = o.informers.get<IPAMBlock>(R.ipamblocks);
  const configs = o.informers.get<KObject>(R.bgpconfigurations);
  const peers = o.informers.get<KObject>(R.bgppeers);
  void o.informers.start(signal);
  await Promise.all([nodes, pools, blocks, configs, peers].map((i) => i.synced()));

  let running: Promise<void> = Promise.resolve();
  let again = false;
  let lastNat = '';
  const refused = new Set<string>();

  async function syncOnce(): Promise<void> {
    const poolList = pools.list();
    // Felix refuses IPIP: this kernel has no ipip module
    for (const p of poolList) {
      const mode = p.spec.ipipMode ?? 'Never';
      if (mode !== 'Never' && !ipipAvailable && !refused.has(p.metadata.name!)) {
        refused.add(p.metadata.name!);
        log.error({ pool: p.metadata.name, ipipMode: mode }, 'IPPool asks for IPIP, but this kernel has no "ipip" module: no IPIP tunnel is made and calico-ipam refuses addresses from this pool; use ipipMode: Never (BGP routing) or vxlanMode');
      }
    }
    const natKey = JSON.stringify(poolList.map((p) => [p.spec.cidr, !!p.spec.natOutgoing]).sort());
    if (natKey !== lastNat) {
      await syncNatOutgoing(SELF, poolList.map((p) => ({ cidr: p.spec.cidr, natOutgoing: !!p.spec.natOutgoing })));
      lastNat = natKey;
    }
    // VXLAN (Felix): device, tunnel address and MAC on the Node, neighbours/FDB/routes per remote node
    let felixRouted: string[] = [];
    if (poolList.some((p) => (p.spec.vxlanMode ?? 'Never') !== 'Never')) {
      const meNode = nodes.list().find((n) => n.metadata.name === o.nodeName);
      let tunnelIP = meNode?.metadata.annotations?.[ANN_VXLAN_ADDR];
      const mac = vtepMac(o.nodeName);
      if (!tunnelIP) {
        const r = await new CalicoIpam(o.client).autoAssign({ handle: `vxlan-tunnel-addr-${o.nodeName}`, node: o.nodeName, secondary: { node: o.nodeName, type: 'vxlanTunnelAddress' } });
        tunnelIP = r.ip;
      }
      await ensureVxlanDevice({ nodeIP: o.nodeIP, tunnelIP, mac, mtu: o.vxlanMtu ?? 1450 });
      if (meNode?.metadata.annotations?.[ANN_VXLAN_ADDR] !== tunnelIP || meNode?.metadata.annotations?.[ANN_VXLAN_MAC] !== mac) {
        await o.client.patch(R.nodes, o.nodeName, { metadata: { annotations: { [ANN_VXLAN_ADDR]: tunnelIP, [ANN_VXLAN_MAC]: mac } } }, 'merge');
      }
      const plan = vxlanPlan(o.nodeName, nodes.list(), blocks.list(), poolList);
      await syncVxlan(plan);
      felixRouted = plan.routes.map((r) => r.dst);
    }
    const model = bgpModel({ node: o.nodeName, nodes: nodes.list(), configs: configs.list(), peers: peers.list() });
    if (!model) return;
    const connected = (await listAddrs(SELF, { family: 4 })).filter((a) => a.scope === 'global').map((a) => formatCidr(network(parseCidr(a.cidr))));
    const mine = nodeBlocks(blocks.list(), o.nodeName).map((b) => b.spec.cidr);
    const text = birdConf({ model, blocks: mine, pools: poolList.map((p) => p.spec.cidr), connected, logFile: paths.birdLog, felixRouted });
    const changed = writeIfChanged(paths.birdConf, text);
    // alive by pid: a stopped (SIGSTOP) BIRD is still the one BIRD, never started twice
    if (!birdPid(paths.birdPid) || !(existsSync(paths.birdSocket) || (await birdRunning(SELF, paths.birdSocket)))) {
      await birdCheckConfig(SELF, paths.birdConf);
      await startBird(SELF, { conf: paths.birdConf, socket: paths.birdSocket, pidFile: paths.birdPid });
      log.info({ peers: model.peers.map((p) => p.ip), blocks: mine }, 'BIRD started');
    } else if (changed) {
      await birdCheckConfig(SELF, paths.birdConf);
      await reconfigureBird(SELF, paths.birdSocket);
      log.info({ peers: model.peers.map((p) => p.ip), blocks: mine }, 'BIRD reconfigured');
    }
  }

  /** Coalesces bursts of informer events into one sync at a time. */
  function sync(): Promise<void> {
    again = true;
    running = running.then(async () => {
      while (again && !signal.aborted) {
        again = false;
        try { await syncOnce(); } catch (e) { log.error({ err: (e as Error).message }, 'calico sync failed; retrying'); again = true; await sleep(1000); }
      }
    });
    return running;
  }
  const h = { onAdd: () => void sync(), onUpdate: () => void sync(), onDelete: () => void sync() };
  for (const i of [nodes, pools, blocks, configs, peers]) i.on(h as never);
  await sync();

  // a BIRD that died (killed, crashed) is started again; leaked addresses are collected
  const ipam = new CalicoIpam(o.client);
  const gcEvery = (o.gcIntervalSeconds ?? 60) * 1000;
  const stopped = (async () => {
    let lastGc = Date.now();
    while (!signal.aborted) {
      await sleep(1000);
      if (signal.aborted) break;
      if (existsSync(paths.birdConf) && !birdPid(paths.birdPid)) { log.warn('BIRD is not running; starting it'); void sync(); }
      if (Date.now() - lastGc > gcEvery) {
        lastGc = Date.now();
        try {
          const pods = await o.client.list(R.pods(), { fieldSelector: `spec.nodeName=${o.nodeName}` });
          const have = new Set(pods.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
          const freed = await ipam.gcLeaks(o.nodeName, (ns, name) => have.has(`${ns}/${name}`));
          if (freed.length) log.info({ freed }, 'released leaked IPAM addresses');
        } catch (e) { log.warn({ err: (e as Error).message }, 'IPAM GC failed'); }
      }
    }
    await running.catch(() => undefined);
  })();
  return { paths, stopped, sync };
}
