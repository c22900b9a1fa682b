/**
 * `podnet lab up`: namespaces and wiring (nodes routed through a master netns), the lab's upstream
 * DNS (and etcd), the API server in the root namespace on 127.0.0.1 + a unix socket, reached from
 * the cluster at the master's address through a forwarder, one agent per node inside its netns,
 * the DNS add-on, and optionally the seed's example cluster. Each step prints its progress.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createClient, loadKubeconfig, R, isAlreadyExists, type KubeClient, type ResourceRef } from '../client/index.js';
import type { KObject } from '../meta/types.js';
import { ensurePki, issueClientCert, renderKubeconfig } from '../api/pki.js';
import { dnsAddonManifests } from '../dns/addon.js';
import { PodnetError } from '../util/errors.js';
import { labDir, logDir, netnsName, nodeDir, pidFile, PODNET_BIN, PODNET_MAIN, REPO_ROOT, stateFile, NETNS_DIR_MARKER } from './paths.js';
import { killNow, readPidFile, recordAlive, spawnDetached, terminate } from './procs.js';
import { labSpec, type LabFlags, type LabSpec } from './spec.js';
import { buildTopology, nodeRoutes, SYSCTLS, type Host, type TopologyPlan } from './topology.js';
import { netnsPath, NETNS_DIR } from '../net/netns.js';
import { nsExec } from '../net/exec.js';
import { argvInNetns } from '../net/spawn.js';
import { calicoRbacObjects } from '../calico/rbac.js';
import { installCalicoCrds } from '../calico/crds.js';
import { torBirdConf } from '../calico/bgp/torconf.js';
import { BIRD } from '../net/bird.js';
import { restartSharedAgentProcess, sharedModeRefusal, startSharedAgentProcess } from './agentmode.js';

export class LabError extends PodnetError {}

export interface LabState {
  spec: LabSpec;
  createdAt: string;
  apiPort?: number;
  /** Every netns the lab made (removed by down). */
  netns: string[];
  phase: 'building' | 'up';
}

export function readState(name: string): LabState | undefined {
  try { return JSON.parse(readFileSync(stateFile(name), 'utf8')) as LabState; } catch { return undefined; }
}
function writeState(s: LabState): void {
  writeFileSync(stateFile(s.spec.name), JSON.stringify(s, null, 2) + '\n');
}

export function adminKubeconfig(name: string): string { return join(labDir(name), 'api', 'admin.kubeconfig'); }

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms: number, logHint?: string): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    try { const v = await f(); if (v) return v; } catch (e) { last = (e as Error).message; }
    if (Date.now() > end) throw new LabError('ETIMEOUT', `timed out waiting for ${what}${last ? ` (${last})` : ''}${logHint ? `; see ${logHint}` : ''}`);
    await sleep(50);
  }
}

export interface Progress { step(title: string): void; done(detail?: string): void; info(line: string): void }

export function consoleProgress(total: number, out: NodeJS.WritableStream = process.stdout): Progress {
  let i = 0, t0 = 0;
  return {
    step(title) { i++; t0 = Date.now(); out.write(`[${i}/${total}] ${title} ... `); },
    done(detail) { out.write(`ok${detail ? ` (${detail})` : ''} ${((Date.now() - t0) / 1000).toFixed(1)}s\n`); },
    info(line) { out.write(`${line}\n`); },
  };
}

async function createAll(client: KubeClient, objs: KObject[]): Promise<void> {
  for (const o of objs) {
    const ns = o.metadata.namespace;
    const ref = refFor(o, ns);
    try { await client.create(ref, o); } catch (e) { if (!isAlreadyExists(e)) throw e; }
  }
}

function refFor(o: KObject, ns?: string): ReturnType<typeof R.pods> {
  switch (`${o.apiVersion}/${o.kind}`) {
    case 'v1/Namespace': return R.namespaces;
    case 'v1/Pod': return R.pods(ns);
    case 'v1/Service': return R.services(ns);
    case 'v1/ConfigMap': return R.configmaps(ns);
    case 'apps/v1/Deployment': return R.deployments(ns);
    default: throw new LabError('EKIND', `the lab cannot create ${o.apiVersion} ${o.kind}`);
  }
}

function exampleObjects(example: 'seed'): KObject[] {
  const text = readFileSync(join(REPO_ROOT, 'examples', example, 'cluster.yaml'), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJSON() as KObject).filter((o) => o && o.kind);
}

export async function labUp(flags: LabFlags, progress: Progress = consoleProgress(10)): Promise<LabState> {
  const spec = labSpec(flags);
  const refusal = spec.agentMode === 'shared' ? sharedModeRefusal(spec) : undefined;
  if (refusal) throw new LabError('EFLAG', refusal);
  const dir = labDir(spec.name);
  const prev = readState(spec.name);
  if (prev || existsSync(dir)) {
    const api = readPidFile(pidFile(spec.name, 'apiserver'));
    if (recordAlive(api)) throw new LabError('EEXIST', `lab "${spec.name}" is already up (podnet lab status --name ${spec.name}); run podnet lab down --name ${spec.name} first`);
    throw new LabError('EEXIST', `lab "${spec.name}" has leftovers of an earlier run; run podnet lab down --name ${spec.name} first`);
  }
  const hadNetnsDir = existsSync(NETNS_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (!hadNetnsDir) writeFileSync(NETNS_DIR_MARKER, '');
  mkdirSync(logDir(spec.name), { recursive: true });
  const underlay = netnsName(spec.name, 'underlay');
  const extNs = netnsName(spec.name, 'ext');
  const masterNs = netnsName(spec.name, 'master');
  const torNs = (spec.racks ?? []).map((r) => netnsName(spec.name, r.tor));
  const state: LabState = {
    spec, createdAt: new Date().toISOString(), phase: 'building',
    netns: [underlay, masterNs, extNs, ...torNs, ...spec.nodes.map((n) => netnsName(spec.name, n.name))],
  };
  writeState(state);

  // The API server needs none of the namespaces: it boots (a second or more) while they are built.
  const apiDir = join(dir, 'api');
  const sock = join(dir, 'api.sock');
  const port = await freePort();
  state.apiPort = port;
  writeState(state);
  spawnDetached('apiserver', [process.execPath, PODNET_MAIN, 'apiserver', '--data-dir', apiDir, '--listen', `127.0.0.1:${port}`, '--unix-socket', sock,
    '--service-cluster-ip-range', spec.serviceCidr, '--service-node-port-range', spec.nodePortRange, '--cluster-cidr', spec.clusterCidr, '--node-cidr-mask-size', '24',
    '--load-balancer-ip-range', spec.lbPool, '--advertise-address', spec.master.ip, '--advertise-port', String(spec.master.apiPort), '--kubelet-socket-root', dir,
  ], { log: join(logDir(spec.name), 'apiserver.log'), pidFile: pidFile(spec.name, 'apiserver') });

  progress.step(`network namespaces: ${underlay} (bridge), ${masterNs} (router, API endpoint), ${spec.nodes.map((n) => netnsName(spec.name, n.name)).join(', ')}, ${extNs}`);
  await buildTopology(topologyPlan(spec));
  progress.done(`master=${spec.master.ip} ${spec.nodes.map((n) => `${n.name}=${n.ip}`).join(' ')} client=${spec.ext.ip} lb-pool=${spec.lbPool}`);

  progress.step(`upstream DNS (dnsmasq, zone ${spec.upstreamZone}) in ${extNs}`);
  spawnDetached('dnsmasq', argvInNetns(netnsPath(extNs), ['dnsmasq', '--keep-in-foreground', '--no-resolv', '--no-hosts', '--no-daemon',
    `--listen-address=${spec.ext.ip}`, '--bind-interfaces', '--port=53', `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    `--host-record=www.${spec.upstreamZone},${spec.ext.ip}`, `--host-record=client.${spec.upstreamZone},${spec.ext.ip}`,
    `--auth-zone=${spec.upstreamZone}`, `--auth-server=ns.${spec.upstreamZone}`, `--auth-soa=1,hostmaster.${spec.upstreamZone},1200,120,604800,30`,
  ]), { log: join(logDir(spec.name), 'dnsmasq.log'), pidFile: pidFile(spec.name, 'dnsmasq') });
  for (const n of spec.nodes) {
    mkdirSync(nodeDir(spec.name, n.name), { recursive: true });
    writeFileSync(join(nodeDir(spec.name, n.name), 'resolv.conf'), `# the lab's upstream resolver (never the host's)\nnameserver ${spec.ext.ip}\n`);
  }
  progress.done(`${spec.ext.ip}:53`);

  progress.step(spec.subnetManager === 'etcd' ? `etcd for flannel leases in ${extNs}` : 'flannel subnet manager: kube (node.spec.podCIDR + annotations)');
  const etcdURL = `http://${spec.ext.ip}:2379`;
  if (spec.subnetManager === 'etcd') {
    startLabEtcd(spec);
    const netConf = JSON.stringify({ Network: spec.clusterCidr, SubnetLen: 24, Backend: spec.backend === 'vxlan' ? { Type: 'vxlan', VNI: 1, Port: 8472 } : spec.backend === 'udp' ? { Type: 'udp', Port: 8285 } : { Type: 'host-gw' } });
    await until('etcd', async () => (await nsExec(netnsPath(extNs), ['etcdctl', '--endpoints', etcdURL, 'put', '/coreos.com/network/config', netConf], { allowFail: true, timeoutMs: 5000 })).code === 0, 30_000, join(logDir(spec.name), 'etcd.log'));
    progress.done(`${etcdURL}, /coreos.com/network/config written`);
  } else {
    progress.done();
  }

  const apiEndpoint = `${spec.master.ip}:${spec.master.apiPort}`;
  progress.step(`API server (root namespace: 127.0.0.1 and a unix socket; for the cluster ${apiEndpoint} in ${masterNs}) with the controllers`);
  // The master's address is the `kubernetes` Service's endpoint: a forwarder there relays to the unix socket.
  const fwdLog = join(logDir(spec.name), 'api-forwarder.log');
  spawnDetached('api-forwarder', argvInNetns(netnsPath(masterNs), [process.execPath, PODNET_MAIN, 'lab', 'api-forward', '--listen', apiEndpoint, '--socket', sock]),
    { log: fwdLog, pidFile: pidFile(spec.name, 'api-forwarder') });
  const kc = adminKubeconfig(spec.name);
  const issueCredentials = (): { dnsKubeconfig: string } => {
    const pki = ensurePki(apiDir);
    for (const n of spec.nodes) {
      const pair = issueClientCert(apiDir, `system:node:${n.name}`, ['system:nodes']);
      writeFileSync(join(nodeDir(spec.name, n.name), 'kubeconfig'), renderKubeconfig({ server: `unix://${sock}`, ca: pki.ca.cert, cert: pair.cert, key: pair.key, user: `system:node:${n.name}` }), { mode: 0o600 });
    }
    const dnsPair = issueClientCert(apiDir, 'system:serviceaccount:kube-system:podnet-dns', ['system:serviceaccounts']);
    const dnsKubeconfig = join(dir, 'dns.kubeconfig');
    writeFileSync(dnsKubeconfig, renderKubeconfig({ server: `unix://${sock}`, ca: pki.ca.cert, cert: dnsPair.cert, key: dnsPair.key, user: 'podnet-dns' }), { mode: 0o600 });
    return { dnsKubeconfig };
  };
  // The API server writes its PKI (CA, serving, admin: admin.crt last) early in its start: from then
  // on the lab signs the node credentials and, with the flannel network, starts the node agents,
  // which boot while the API server finishes starting (each waits until it answers). Calico's
  // agents need the CRDs and the pool first: they start after those, as before.
  const apiLog = join(logDir(spec.name), 'apiserver.log');
  const adminCrt = join(apiDir, 'pki', 'admin.crt');
  await until('the API server\'s certificates', async () => { try { return readFileSync(adminCrt, 'utf8').includes('-----END CERTIFICATE-----'); } catch { return false; } }, 30_000, apiLog);
  const creds = issueCredentials();
  const agentsEarly = spec.network !== 'calico' && spec.agentMode !== 'shared';
  if (agentsEarly) for (const n of spec.nodes) startNodeAgent(spec, n.name);
  await until('the API server', async () => existsSync(kc) && existsSync(sock), 30_000, apiLog);
  const client = createClient({ ...loadKubeconfig(kc), userAgent: 'podnet-lab' });
  try {
    await until('the API server to answer', async () => { await client.list(R.namespaces); return true; }, 30_000);
    progress.done(`https://127.0.0.1:${port}, unix://${sock}, https://${apiEndpoint}`);

    progress.step('credentials: one client certificate per node, one for the DNS add-on');
    const { dnsKubeconfig } = creds;
    progress.done(`${spec.nodes.length} node credentials`);

    if (spec.network === 'calico') {
      progress.step(`calico: CustomResourceDefinitions (crd.projectcalico.org), RBAC for the nodes, IPPool ${spec.clusterCidr} (blockSize ${spec.blockSize}, natOutgoing, vxlanMode ${spec.vxlanMode ?? 'Never'}), BGPConfiguration (AS 64512, node-to-node mesh, hold time ${spec.bgpHoldTime}s)`);
      await createCalicoObjects(client, spec);
      if (spec.racks) startTorBirds(spec);
      progress.done(spec.racks ? `${spec.racks.length} top-of-rack router(s) running BIRD: ${spec.racks.map((r) => `${r.tor}=${r.coreIp} AS ${r.asNumber}`).join(', ')}` : undefined);
    }
    const shared = spec.agentMode === 'shared';
    progress.step(`node agents (kubelet + ${spec.network === 'calico' ? 'calico (BIRD)' : `flannel ${spec.backend}`} + kube-proxy ${spec.proxyMode}), ${shared ? 'one shared process for all node netns' : 'one per node netns'}`);
    if (shared) startSharedAgentProcess(spec);
    else if (!agentsEarly) for (const n of spec.nodes) startNodeAgent(spec, n.name);
    progress.done(`${spec.nodes.map((n) => n.name).join(', ')}${agentsEarly ? ' (started with the API server)' : ''}`);

    // before the nodes are Ready: its pod starts as soon as one is
    progress.step(`cluster DNS add-on (kube-dns ${spec.dnsIP}, upstream ${spec.ext.ip})`);
    await createAll(client, dnsAddonManifests({ serviceIP: spec.dnsIP, zone: spec.clusterDomain, podnetBin: PODNET_BIN, kubeconfigPath: dnsKubeconfig, upstreams: [spec.ext.ip], replicas: 1 }));
    progress.done();

    progress.step('nodes Ready');
    await until(`the API forwarder on ${apiEndpoint}`, async () => existsSync(fwdLog) && readFileSync(fwdLog, 'utf8').includes('listening on'), 10_000, fwdLog);
    await until('every node Ready', async () => {
      const l = await client.list<KObject & { status?: { conditions?: { type: string; status: string }[] } }>(R.nodes);
      const ready = l.items.filter((x) => x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === spec.nodes.length;
    }, 90_000, join(logDir(spec.name), 'agent-*.log'));
    progress.done();

    progress.step(spec.example ? `example "${spec.example}" (examples/${spec.example}/cluster.yaml)` : 'no example requested');
    if (spec.example) await createAll(client, exampleObjects(spec.example));
    progress.done();

    progress.step('pods Running and Ready');
    await until('every pod Ready', async () => {
      const l = await client.list<KObject & { status?: { phase?: string; conditions?: { type: string; status: string }[] } }>(R.pods());
      return l.items.length > 0 && l.items.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }, 120_000, join(logDir(spec.name), 'agent-*.log'));
    progress.done();
  } finally {
    client.close();
  }
  state.phase = 'up';
  writeState(state);
  return state;
}

/**
 * The lab's wiring (pure): the master, the top-of-rack routers (core and rack side), the nodes (on
 * the core bridge or their rack's) and the client on the underlay; default routes of nodes and
 * routers; the racks' subnets routed through their routers from the master and the client; the
 * LoadBalancer pool spread over the nodes from the client (without racks, as a BGP-fed router would).
 */
export function topologyPlan(spec: LabSpec): TopologyPlan {
  const ns = (part: string): string => netnsName(spec.name, part);
  const rackOf = (n: { rack?: number }) => spec.racks?.find((r) => r.index === n.rack);
  const hosts: Host[] = [{ name: 'master', netns: ns('master'), ip: spec.master.ip, port: 'vmaster' }];
  const routes: TopologyPlan['routes'] = {};
  const sysctls: TopologyPlan['sysctls'] = { [ns('underlay')]: SYSCTLS.underlay, [ns('master')]: SYSCTLS.master };
  for (const r of spec.racks ?? []) {
    hosts.push({ name: r.tor, netns: ns(r.tor), ip: r.coreIp, port: r.corePort }, { name: r.tor, netns: ns(r.tor), ip: r.gateway, port: r.rackPort, bridge: r.bridge, ifname: 'eth1' });
    routes[ns(r.tor)] = nodeRoutes(spec.master.ip);
    sysctls[ns(r.tor)] = SYSCTLS.node;
  }
  for (const n of spec.nodes) {
    const rack = rackOf(n);
    hosts.push({ name: n.name, netns: ns(n.name), ip: n.ip, port: n.port, ...(rack ? { bridge: rack.bridge } : {}) });
    routes[ns(n.name)] = nodeRoutes(rack ? rack.gateway : spec.master.ip);
    sysctls[ns(n.name)] = SYSCTLS.node;
  }
  hosts.push({ name: 'ext', netns: ns('ext'), ip: spec.ext.ip, port: 'vext' });
  for (const r of spec.racks ?? []) for (const x of [ns('master'), ns('ext')]) (routes[x] ??= []).push({ dst: r.subnet, via: r.coreIp });
  return {
    underlay: ns('underlay'), segments: (spec.racks ?? []).map((r) => r.bridge), hosts, routes, sysctls,
    multipath: spec.racks ? {} : { [ns('ext')]: [{ dst: spec.lbPool, gateways: spec.nodes.map((n) => n.ip) }] },
  };
}

/** Calico mode's cluster objects: Calico's CustomResourceDefinitions (first: everything else uses them), RBAC for calico on the nodes, the default IPPool, the default BGPConfiguration. */
async function createCalicoObjects(client: KubeClient, spec: LabSpec): Promise<void> {
  await installCalicoCrds(client);
  const objs: [ResourceRef, KObject][] = [
    ...calicoRbacObjects().map((o) => [o.kind === 'ClusterRole' ? CLUSTER_ROLES : CLUSTER_ROLE_BINDINGS, o] as [ResourceRef, KObject]),
    [R.ippools, { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: spec.clusterCidr, blockSize: spec.blockSize, natOutgoing: true, ipipMode: 'Never', vxlanMode: spec.vxlanMode ?? 'Never', nodeSelector: 'all()' } }],
    [R.bgpconfigurations, { apiVersion: 'crd.projectcalico.org/v1', kind: 'BGPConfiguration', metadata: { name: 'default' }, spec: { asNumber: 64512, nodeToNodeMeshEnabled: !spec.racks, logSeverityScreen: 'Info', holdTime: spec.bgpHoldTime, keepaliveTime: 1 } }],
    // --racks: every node peers with its rack's router (eBGP)
    ...spec.nodes.flatMap((n): [ResourceRef, KObject][] => {
      const r = spec.racks?.find((x) => x.index === n.rack);
      return r ? [[R.bgppeers, { apiVersion: 'crd.projectcalico.org/v1', kind: 'BGPPeer', metadata: { name: `${n.name}-${r.tor}` }, spec: { node: n.name, peerIP: r.gateway, asNumber: r.asNumber } }]] : [];
    }),
  ];
  for (const [ref, o] of objs) {
    try { await client.create(ref, o); } catch (e) { if (!isAlreadyExists(e)) throw e; }
  }
}
const CLUSTER_ROLES: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' };
const CLUSTER_ROLE_BINDINGS: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings' };

/** --racks: one BIRD per top-of-rack router netns (foreground, so lab down finds it by its pid file). */
function startTorBirds(spec: LabSpec): void {
  for (const r of spec.racks ?? []) {
    const dir = join(labDir(spec.name), 'tors', r.tor);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'bird.conf');
    writeFileSync(conf, torBirdConf({
      name: r.tor, routerId: r.coreIp, as: r.asNumber, holdTime: spec.bgpHoldTime, logFile: join(dir, 'bird.log'),
      nodes: spec.nodes.filter((n) => n.rack === r.index).map((n) => ({ ip: n.ip, as: n.asNumber! })),
      tors: (spec.racks ?? []).filter((x) => x !== r).map((x) => ({ ip: x.coreIp, as: x.asNumber })),
    }));
    spawnDetached(`bird-${r.tor}`, argvInNetns(netnsPath(netnsName(spec.name, r.tor)), [BIRD, '-f', '-c', conf, '-s', join(dir, 'bird.ctl'), '-P', join(dir, 'bird.pid')]),
      { log: join(logDir(spec.name), `bird-${r.tor}.log`), pidFile: pidFile(spec.name, `bird-${r.tor}`) });
  }
}

/** The lab's etcd for flannel leases (--subnet-manager etcd), in the client netns; returns its pid. */
function startLabEtcd(spec: LabSpec): number {
  const etcdURL = `http://${spec.ext.ip}:2379`;
  return spawnDetached('etcd', argvInNetns(netnsPath(netnsName(spec.name, 'ext')), ['etcd', '--name', 'lab', '--data-dir', join(labDir(spec.name), 'etcd'),
    '--listen-client-urls', etcdURL, '--advertise-client-urls', etcdURL,
    '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380', '--initial-cluster', 'lab=http://127.0.0.1:2380',
  ]), { log: join(logDir(spec.name), 'etcd.log'), pidFile: pidFile(spec.name, 'etcd') }).pid;
}

/**
 * A fault for tests and demos: SIGKILL the lab's etcd (--subnet-manager etcd) and start it again on
 * the same data dir; resolves once it answers. Returns the new pid.
 */
export async function restartLabEtcd(lab: string, downMs = 0): Promise<number> {
  const st = readState(lab);
  if (!st) throw new LabError('ENOLAB', `lab "${lab}" is not up`);
  if (st.spec.subnetManager !== 'etcd') throw new LabError('ENOETCD', `lab "${lab}" runs no etcd (lab up --subnet-manager etcd)`);
  const rec = readPidFile(pidFile(lab, 'etcd'));
  if (recordAlive(rec)) await killNow([], [rec!.pid]);
  if (downMs > 0) await sleep(downMs);
  const pid = startLabEtcd(st.spec);
  const url = `http://${st.spec.ext.ip}:2379`;
  await until('etcd after restart', async () => (await nsExec(netnsPath(netnsName(lab, 'ext')), ['etcdctl', '--endpoints', url, 'endpoint', 'health'], { allowFail: true, timeoutMs: 5000 })).code === 0, 30_000, join(logDir(lab), 'etcd.log'));
  return pid;
}

/** Stops one node's agent (SIGTERM: pods keep running) and starts it again; returns the new pid. */
export async function restartNodeAgent(lab: string, node: string): Promise<number> {
  const st = readState(lab);
  if (!st) throw new LabError('ENOLAB', `lab "${lab}" is not up`);
  const rec = readPidFile(pidFile(lab, `agent-${node}`));
  if (!st.spec.nodes.some((n) => n.name === node)) throw new LabError('ENONODE', `no node ${node} in lab ${lab}`);
  // one process serves every node: restarting it restarts them all
  if (st.spec.agentMode === 'shared') return restartSharedAgentProcess(st.spec);
  if (recordAlive(rec)) await terminate([rec!.pid], 10_000);
  return startNodeAgent(st.spec, node);
}

/** Starts (or restarts) one node's agent inside its netns; returns its pid. */
export function startNodeAgent(spec: LabSpec, node: string): number {
  const n = spec.nodes.find((x) => x.name === node);
  if (!n) throw new LabError('ENONODE', `no node ${node} in lab ${spec.name}`);
  const nd = nodeDir(spec.name, n.name);
  const ns = netnsName(spec.name, n.name);
  return spawnDetached(`agent-${n.name}`, argvInNetns(netnsPath(ns), [process.execPath, PODNET_MAIN, 'agent',
    '--node-name', n.name, '--node-ip', n.ip, '--kubeconfig', join(nd, 'kubeconfig'), '--state-dir', join(nd, 'state'),
    '--subnet-manager', spec.subnetManager, '--etcd-endpoints', `http://${spec.ext.ip}:2379`, '--subnet-lease-ttl', String(spec.leaseTtlSeconds),
    '--backend', spec.backend, '--cluster-cidr', spec.clusterCidr, '--network', spec.network ?? 'flannel', '--calico-block-size', String(spec.blockSize ?? 26), ...(n.asNumber ? ['--bgp-as', String(n.asNumber)] : []), ...(spec.vxlanMode && spec.vxlanMode !== 'Never' ? ['--mtu', '1450'] : []), ...(n.podCidr ? ['--pod-cidr', n.podCidr] : []),
    '--proxy-mode', spec.proxyMode, '--cluster-dns', spec.dnsIP, '--cluster-domain', spec.clusterDomain, '--resolv-conf', join(nd, 'resolv.conf'),
    ...(spec.netpolLogDrops !== false ? ['--netpol-log-drops'] : []),
  ]), { log: join(logDir(spec.name), `agent-${n.name}.log`), pidFile: pidFile(spec.name, `agent-${n.name}`) }).pid;
}
