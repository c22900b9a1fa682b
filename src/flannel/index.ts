/**
 * podnet's flanneld: acquires this node's subnet lease (kube or etcd subnet manager), sets up the
 * backend (vxlan, host-gw or udp) in the node's netns, writes subnet.env for the flannel CNI plugin,
 * installs the masquerade rules and follows every other node's lease.
 */
import type { Logger } from 'pino';
import { InformerFactory, type KubeClient } from '../client/index.js';
import type { NetnsPath } from '../net/exec.js';
import { getLink } from '../net/link.js';
import { listAddrs } from '../net/addr.js';
import { setSysctl } from '../net/sysctl.js';
import { createLogger } from '../util/log.js';
import { PodnetError } from '../util/errors.js';
import type { FlannelNetConf } from './config.js';
import { contains, parseCidr } from '../util/addr.js';
import { ensureMasq } from './masq.js';
import { writeSubnetEnv } from './subnetenv.js';
import { backendFactory, backendTypes } from './backend/types.js';
import './backend/vxlan.js';
import './backend/hostgw.js';
import './backend/udp.js';
import { KubeSubnetManager } from './subnet/kube.js';
import { EtcdSubnetManager, DEFAULT_LEASE_TTL_S } from './subnet/etcd.js';
import type { Lease, SubnetManager } from './subnet/types.js';

export { parseNetConf, type FlannelNetConf } from './config.js';
export type { Lease, LeaseAttrs, LeaseEvent, SubnetManager } from './subnet/types.js';

export interface FlannelOptions {
  netns: NetnsPath;
  nodeName: string;
  publicIP: string;
  iface?: string;
  subnetManager: 'kube' | 'etcd';
  client?: KubeClient;
  /** kube mode: the process's shared informer factory (default: a new one on `client`). */
  informers?: InformerFactory;
  /** kube mode: the net-conf (JSON text or object). */
  netConf?: FlannelNetConf | string;
  etcdEndpoints?: string[];
  etcdPrefix?: string;
  subnetFile: string;
  ipMasq?: boolean;
  leaseTtlSeconds?: number;
  log?: Logger;
}

export interface FlannelHandle {
  lease: Lease;
  network: string;
  mtu: number;
  subnetEnvPath: string;
  stopped: Promise<void>;
}

export class FlannelError extends PodnetError {}

function subnetManagerFor(o: FlannelOptions, log: Logger): SubnetManager {
  if (o.subnetManager === 'kube') {
    const informers = o.informers ?? (o.client ? new InformerFactory(o.client, log) : undefined);
    if (!informers) throw new FlannelError('EFLAG', 'the kube subnet manager needs an API client (--kubeconfig)');
    if (!o.netConf) throw new FlannelError('EFLAG', 'the kube subnet manager needs a net-conf (--net-config-path)');
    return new KubeSubnetManager(informers, o.nodeName, o.netConf, log, o.client);
  }
  if (!o.etcdEndpoints?.length) throw new FlannelError('EFLAG', 'the etcd subnet manager needs --etcd-endpoints');
  return new EtcdSubnetManager(o.etcdEndpoints, o.etcdPrefix ?? '/coreos.com/network', o.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_S, log);
}

export async function startFlannel(o: FlannelOptions, signal: AbortSignal): Promise<FlannelHandle> {
  const log = o.log ?? createLogger('flanneld');
  const iface = o.iface ?? 'eth0';
  const link = await getLink(o.netns, iface);
  if (!link) throw new FlannelError('ENOIFACE', `interface ${iface} not found in the node's network namespace`);
  const addrs = await listAddrs(o.netns, { dev: iface, family: 4 });
  if (!addrs.some((a) => a.local === o.publicIP)) throw new FlannelError('ENOIFACE', `public IP ${o.publicIP} is not an address of ${iface}`);
  const sm = subnetManagerFor(o, log);
  const conf = await sm.networkConfig();
  const factory = backendFactory(conf.Backend.Type);
  if (!factory) throw new FlannelError('EBACKEND', `backend ${conf.Backend.Type} unknown (have ${backendTypes().join(', ')})`);
  await setSysctl(o.netns, 'net.ipv4.ip_forward', 1);
  const net = await factory({ netns: o.netns, conf, publicIP: o.publicIP, iface, ifaceMtu: link.mtu ?? 1500, log });
  let lease: Lease;
  const ipMasq = o.ipMasq ?? true;
  try {
    lease = await sm.acquireLease(net.attrs, signal);
    if (!contains(parseCidr(conf.Network), parseCidr(lease.subnet).ip)) throw new FlannelError('ELEASE', `lease ${lease.subnet} is outside the network ${conf.Network}`);
    log.info({ subnet: lease.subnet, network: conf.Network, backend: conf.Backend.Type, manager: sm.name }, 'lease acquired');
    await net.start(lease);
    if (ipMasq) await ensureMasq(o.netns, conf.Network, lease.subnet);
    writeSubnetEnv(o.subnetFile, { network: conf.Network, subnet: lease.subnet, mtu: net.mtu, ipMasq });
  } catch (e) {
    await net.stop?.().catch(() => undefined);
    throw e;
  }

  const stopped = (async () => {
    let initial = true;
    while (!signal.aborted) {
      try {
        for await (const batch of sm.watchLeases(signal)) {
          await net.handle(batch, initial).catch((e: unknown) => log.error({ err: (e as Error).message }, 'applying lease events failed'));
          initial = false;
        }
      } catch (e) {
        if (signal.aborted) break;
        log.warn({ err: (e as Error).message }, 'lease watch failed; restarting');
        initial = true;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    await sm.close().catch(() => undefined);
    await net.stop?.().catch((e: unknown) => log.warn({ err: (e as Error).message }, 'stopping the backend failed'));
  })();
  return { lease, network: conf.Network, mtu: net.mtu, subnetEnvPath: o.subnetFile, stopped };
}

