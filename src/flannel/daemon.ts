/**
 * `podnet flanneld`: flannel on its own, in the netns the process was started in (as upstream's
 * DaemonSet runs it on the host network of a node). Finds the public IP, builds the API client
 * for the kube subnet manager, runs until SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { createClient, loadKubeconfig } from '../client/index.js';
import { listAddrs } from '../net/addr.js';
import { SELF, assertNotHost } from '../net/exec.js';
import { createLogger } from '../util/log.js';
import { serveFlannelHealth } from './health.js';
import { FlannelError, startFlannel } from './index.js';

export interface FlanneldOptions {
  /** kube subnet manager (node.spec.podCIDR + annotations) when set; else etcd. */
  kube?: { kubeconfig: string; nodeName: string; netConfigPath: string };
  etcdEndpoints: string[];
  etcdPrefix: string;
  leaseTtlSeconds: number;
  iface: string;
  /** Default: the first IPv4 address of iface. */
  publicIP?: string;
  /** etcd mode: the node's name (default: the public IP). */
  nodeName?: string;
  ipMasq: boolean;
  subnetFile: string;
  /** /healthz and /metrics on publicIP:<port> (upstream's --healthz-port); 0 = off. */
  healthzPort?: number;
}

export async function runFlanneld(o: FlanneldOptions): Promise<void> {
  assertNotHost(SELF, 'podnet flanneld');
  const log = createLogger('flanneld');
  const publicIP = o.publicIP ?? (await listAddrs(SELF, { dev: o.iface, family: 4 }))[0]?.local;
  if (!publicIP) throw new FlannelError('EFLAG', `no IPv4 address on ${o.iface}; pass --public-ip`);
  let client: ReturnType<typeof createClient> | undefined;
  if (o.kube) client = createClient({ ...loadKubeconfig(o.kube.kubeconfig), userAgent: 'podnet-flanneld' });
  const ac = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
  const h = await startFlannel({
    netns: SELF, nodeName: (o.kube?.nodeName ?? o.nodeName) || publicIP, publicIP, iface: o.iface,
    subnetManager: o.kube ? 'kube' : 'etcd', client,
    netConf: o.kube ? readFileSync(o.kube.netConfigPath, 'utf8') : undefined,
    etcdEndpoints: o.etcdEndpoints, etcdPrefix: o.etcdPrefix,
    leaseTtlSeconds: o.leaseTtlSeconds, subnetFile: o.subnetFile, ipMasq: o.ipMasq, log,
  }, ac.signal);
  const health = o.healthzPort ? await serveFlannelHealth(publicIP, o.healthzPort, h, ac.signal) : undefined;
  if (health) log.info({ addr: `${publicIP}:${health.port}` }, 'healthz and metrics');
  await h.stopped;
  await health?.close();
  client?.close();
}
