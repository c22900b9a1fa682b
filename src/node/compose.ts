import { join } from 'node:path';
import type { Logger } from 'pino';
import { createClient, loadKubeconfig, R, isAlreadyExists, InformerFactory, ConnectionError } from '../client/index.js';
import type { KubeClient } from '../client/index.js';
import { SELF, assertNotHost, type NetnsPath } from '../net/exec.js';
import { CniRuntime } from '../cni/runtime/index.js';
import { PodnetError } from '../util/errors.js';
import { startFlannel, type FlannelHandle } from '../flannel/index.js';
import { startKubelet, type Kubelet } from '../kubelet/index.js';
import { startProxy, type ProxyHandle, type ProxyMode } from '../proxy/index.js';
import { PODNET_CNI_BIN_DIR } from '../cni/runtime/index.js';
import { startCniServer, type CniServer } from '../cni/server.js';
import { createLogger } from '../util/log.js';
import { PolicyEnforcer, registerPolicyMetrics } from '../netpol/index.js';
import { agentPaths, ensureStateDirs } from './paths.js';
import { flannelNetConf, writeAtomic, writeNodeConflist, writeCalicoConflist } from './conflist.js';
import { startCalicoNode, type CalicoNodeHandle } from '../calico/node.js';
import { calicoPaths } from '../calico/paths.js';

export interface AgentOptions {
  nodeName: string;
  nodeIP: string;
  kubeconfig: string;
  /** Root of this node's state: net.d, CNI cache, flannel files, kubelet state (see paths.ts). */
  stateDir: string;
  iface?: string;
  subnetManager: 'kube' | 'etcd';
  etcdEndpoints?: string[];
  etcdPrefix?: string;
  leaseTtlSeconds?: number;
  /** kube subnet manager: the backend of the net-conf. */
  backend?: 'vxlan' | 'host-gw' | 'udp';
  clusterCidr: string;
  /** Register the Node with this podCIDR (kubelet --pod-cidr); else the controller assigns one. */
  podCidr?: string;
  proxyMode: ProxyMode;
  /** kube-proxy --nodeport-addresses (default: all local addresses) */
  nodePortAddresses?: string[];
  /** kube-proxy --iptables-localhost-nodeports (default true) */
  localhostNodePorts?: boolean;
  clusterDNS: string[];
  clusterDomain?: string;
  resolvConf?: string;
  cniBinDirs?: string[];
  /**
   * Run podnet's CNI plugins inside the agent (a unix-socket server in the state dir) and point the
   * runtime at the thin clients (bin/cni/fast), which fall back to the full plugins when the agent is
   * down. Default true; ignored when cniBinDirs is given.
   */
  cniServer?: boolean;
  /** Enforce NetworkPolicies in this node's kernel (nftables table inet podnet-policy). Default true. */
  networkPolicy?: boolean;
  /** Log denied packets (nflog, rate-limited). */
  netpolLogDrops?: boolean;
  /** The pod network: flannel (default; overlay or host-gw) or calico (routed, BGP via BIRD). */
  network?: 'flannel' | 'calico';
  /** calico: this node's AS number (projectcalico.org/ASNumber); default the cluster's. */
  bgpAsNumber?: number;
  /** calico: blockSize of the default IPPool created when none exists. */
  calicoBlockSize?: number;
  /** calico: MTU of the pods' interfaces. */
  mtu?: number;
  /**
   * The node's network namespace, when this process is not inside it (one process serving many
   * lab nodes: multinode.ts). Every kernel change goes there (nsenter / `ip -n`), podnet's CNI
   * plugins treat it as the host; the proxy's healthz/metrics listeners are off (they would bind
   * in this process's namespace). flannel vxlan/host-gw only; calico and udp need SELF. Default SELF.
   */
  netns?: NetnsPath;
  /** kube-proxy --iptables-min-sync-period (ms): at most one rule sync per period. Default 100 (upstream: 1 s). */
  proxyMinSyncPeriodMs?: number;
  /** NetworkPolicy enforcer: wait this long after a change before rebuilding the model (ms). Default 30. */
  netpolDebounceMs?: number;
  /** An informer factory shared with other nodes of this process (cluster-wide Services, EndpointSlices, Nodes, policies). */
  informers?: InformerFactory;
  log?: Logger;
}

export interface Agent {
  kubelet: Kubelet;
  /** Set in flannel mode. */
  flannel?: FlannelHandle;
  /** Set in calico mode. */
  calico?: CalicoNodeHandle;
  proxy: ProxyHandle;
  /** The NetworkPolicy enforcer (undefined with networkPolicy: false). */
  netpol?: PolicyEnforcer;
  stopped: Promise<void>;
}

async function ensureNodePodCidr(client: KubeClient, name: string, cidr: string, log: Logger): Promise<void> {
  try {
    await client.create(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
    log.info({ node: name, podCIDR: cidr }, 'node registered with its podCIDR');
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    const n = await client.get<{ apiVersion: string; kind: string; metadata: { name: string }; spec?: { podCIDR?: string } }>(R.nodes, name);
    if (n.spec?.podCIDR && n.spec.podCIDR !== cidr) log.warn({ node: name, want: cidr, have: n.spec.podCIDR }, 'node already has another podCIDR (immutable); keeping it');
  }
}

/** Registers the Node with its podCIDR, retrying while the API server is not reachable yet. */
async function registerPodCidr(client: KubeClient, name: string, cidr: string, log: Logger, signal: AbortSignal): Promise<void> {
  for (let i = 0; ; i++) {
    try { await ensureNodePodCidr(client, name, cidr, log); return; } catch (e) {
      if (signal.aborted || i > 60) throw e;
      log.warn({ err: (e as Error).message }, 'API not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Waits (polling every 50 ms, at most `maxMs`) while the API server cannot be reached at all — its
 * socket not there yet, the connection refused — so an agent started beside a booting API server
 * (`lab up` starts both at once) registers as soon as it answers instead of after the back-off of a
 * failed registration. Any answer, an error status included, ends the wait; so does the deadline
 * (the parts' own retries take over).
 */
export async function waitForApiServer(client: KubeClient, nodeName: string, signal: AbortSignal, maxMs = 60_000): Promise<void> {
  const end = Date.now() + maxMs;
  while (!signal.aborted && Date.now() < end) {
    try { await client.get(R.nodes, nodeName); return; } catch (e) {
      if (!(e instanceof ConnectionError)) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the node's parts in this process (which must run inside the node's netns); see index.ts. */
export async function startAgent(o: AgentOptions, signal: AbortSignal): Promise<Agent> {
  const ns = o.netns ?? SELF;
  assertNotHost(ns, 'podnet agent');
  const log = o.log ?? createLogger('agent');
  if (ns !== SELF && (o.network === 'calico' || o.backend === 'udp')) throw new PodnetError('EAGENTNS', `${o.network === 'calico' ? 'calico' : 'the udp backend'} runs only in an agent inside its node's netns (not with a netns given)`);
  const p = agentPaths(o.stateDir);
  ensureStateDirs(p);
  const calico = o.network === 'calico';
  if (calico) writeCalicoConflist(p, { nodeName: o.nodeName, kubeconfig: o.kubeconfig, mtu: o.mtu ?? 1500, ipamLock: calicoPaths(o.stateDir).ipamLock });
  else writeNodeConflist(p);
  const client = createClient({ ...loadKubeconfig(o.kubeconfig), userAgent: `podnet-agent/${o.nodeName}` });
  // One informer factory for the node's watchers (flannel's Nodes, the proxy's Services and EndpointSlices).
  const informers = o.informers ?? new InformerFactory(client, log.child({ part: 'informers' }));
  await waitForApiServer(client, o.nodeName, signal);
  if (o.podCidr) await registerPodCidr(client, o.nodeName, o.podCidr, log, signal);
  const netConf = flannelNetConf(o.clusterCidr, o.backend);
  if (!calico) writeAtomic(p.netConf, JSON.stringify(netConf) + '\n');
  // flannel (kube mode) waits for the Node the kubelet registers: start both, then wait for both.
  const flannelP = calico ? undefined : startFlannel({
    netns: ns, nodeName: o.nodeName, publicIP: o.nodeIP, iface: o.iface ?? 'eth0', subnetManager: o.subnetManager, client,
    netConf: JSON.stringify(netConf), etcdEndpoints: o.etcdEndpoints, etcdPrefix: o.etcdPrefix, leaseTtlSeconds: o.leaseTtlSeconds,
    subnetFile: p.subnetFile, ipMasq: true, informers, log: log.child({ part: 'flannel' }),
  }, signal);
  // awaited below; until then a failure must not be an unhandled rejection (it would end the process)
  flannelP?.catch(() => undefined);
  let cniServer: CniServer | undefined;
  if (!o.cniBinDirs && o.cniServer !== false) {
    cniServer = await startCniServer({ socketPath: p.cniSocket, ...(ns !== SELF ? { hostNetns: ns } : {}) });
    log.info({ socket: cniServer.socketPath }, 'CNI plugins served in-process to the thin clients');
  }
  const cniBinDirs = o.cniBinDirs ?? [cniServer ? join(PODNET_CNI_BIN_DIR, 'fast') : PODNET_CNI_BIN_DIR];
  const cniEnv = cniServer ? { PODNET_CNI_SOCKET: cniServer.socketPath } : undefined;
  const kubelet = await startKubelet({
    nodeName: o.nodeName, client, stateDir: p.kubeletDir, nodeIP: o.nodeIP,
    cniConfDir: p.confDir, cniBinDirs, cniCacheDir: p.cacheDir, cniEnv,
    // not inside the node's netns: the runtime scopes plugin calls to it
    ...(ns !== SELF ? { network: new CniRuntime({ confDir: p.confDir, binDirs: cniBinDirs, cacheDir: p.cacheDir, env: cniEnv, hostNetns: ns }) } : {}),
    clusterDNS: o.clusterDNS, clusterDomain: o.clusterDomain ?? 'cluster.local', resolvConf: o.resolvConf,
    statusIntervalMs: 5000, log: log.child({ part: 'kubelet' }),
  }, signal);
  const flannel = flannelP ? await flannelP : undefined;
  const calicoNode = calico ? await startCalicoNode({
    nodeName: o.nodeName, nodeIP: o.nodeIP, defaultPoolCidr: o.clusterCidr, defaultBlockSize: o.calicoBlockSize, asNumber: o.bgpAsNumber,
    stateDir: o.stateDir, client, informers, log: log.child({ part: 'calico' }),
  }, signal) : undefined;
  const proxy = await startProxy({
    proxyMode: o.proxyMode, clusterCidr: o.clusterCidr, nodeName: o.nodeName, hostname: o.nodeName, nodeIPs: [o.nodeIP],
    nodePortAddresses: o.nodePortAddresses, localhostNodePorts: o.localhostNodePorts, ...(ns !== SELF ? { netns: ns } : {}),
    healthzBindAddress: ns === SELF ? `${o.nodeIP}:10256` : '', metricsBindAddress: ns === SELF ? `${o.nodeIP}:10249` : '', minSyncPeriodMs: o.proxyMinSyncPeriodMs ?? 100, syncPeriodMs: 30_000,
  }, client, signal, informers);
  let netpol: PolicyEnforcer | undefined;
  if (o.networkPolicy !== false) {
    // after the proxy: its /metrics registry is the agent's, and Service DNAT rules exist before policy
    netpol = new PolicyEnforcer({ netns: ns, nodeName: o.nodeName, informers, statusFile: p.netpolStatus, logDrops: o.netpolLogDrops, ...(o.netpolDebounceMs !== undefined ? { debounceMs: o.netpolDebounceMs } : {}), log: log.child({ part: 'netpol' }) });
    registerPolicyMetrics(proxy.runner.metrics.registry, netpol);
    await netpol.start(signal);
  }
  log.info({ node: o.nodeName, network: calico ? 'calico' : 'flannel', subnet: flannel?.lease.subnet, proxyMode: o.proxyMode, networkPolicy: !!netpol }, 'agent running');
  const stopped = (async () => {
    await kubelet.stopped;
    await cniServer?.close();
    await flannel?.stopped;
    await calicoNode?.stopped;
    await proxy.stop().catch(() => undefined);
  })();

  return { kubelet, flannel, calico: calicoNode, proxy, netpol, stopped };
}

/**
 * `podnet agent`: starts the agent and runs it until SIGINT/SIGTERM (pods keep running; a later
 * agent adopts them); exits the process 3 s after the signal if the parts have not stopped by then.
 */
export async function runAgent(o: Omit<AgentOptions, 'log'>): Promise<void> {
  const log = createLogger('agent');
  const ac = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { ac.abort(); setTimeout(() => process.exit(0), 3000).unref(); });
  const a = await startAgent({ ...o, log }, ac.signal);
  await a.stopped;
}
