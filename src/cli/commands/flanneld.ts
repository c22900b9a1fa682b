import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { PodnetError } from '../../util/errors.js';
import { createLogger } from '../../util/log.js';

/** Registers `podnet flanneld`: the flannel-compatible overlay daemon, in the netns it is started in. */
export function register(program: Command): void {
  program.command('flanneld')
    .description('flannel-compatible overlay (vxlan, host-gw) with the kube or etcd subnet manager, in the current network namespace')
    .option('--kube-subnet-mgr', 'use node.spec.podCIDR and node annotations (needs --kubeconfig, --net-config-path)', false)
    .option('--kubeconfig <path>', 'kubeconfig for the API (kube subnet manager)')
    .option('--net-config-path <path>', 'net-conf.json (kube subnet manager)', '/etc/kube-flannel/net-conf.json')
    .option('--etcd-endpoints <urls>', 'etcd endpoints, comma-separated (etcd subnet manager)', 'http://127.0.0.1:2379')
    .option('--etcd-prefix <prefix>', 'etcd prefix', '/coreos.com/network')
    .option('--subnet-lease-ttl <seconds>', 'etcd lease TTL', '86400')
    .option('--iface <name>', 'underlay interface', 'eth0')
    .option('--public-ip <ip>', 'this node\'s underlay address (default: the first IPv4 address of --iface)')
    .option('--node-name <name>', 'this node\'s name (kube subnet manager)', process.env.NODE_NAME ?? '')
    .option('--ip-masq', 'masquerade traffic leaving the cluster network', false)
    .option('--subnet-file <path>', 'where to write subnet.env', '/run/flannel/subnet.env')
    .action(async (o: { kubeSubnetMgr: boolean; kubeconfig?: string; netConfigPath: string; etcdEndpoints: string; etcdPrefix: string; subnetLeaseTtl: string; iface: string; publicIp?: string; nodeName: string; ipMasq: boolean; subnetFile: string }) => {
      const { startFlannel } = await import('../../flannel/index.js');
      const { SELF, assertNotHost } = await import('../../net/exec.js');
      const { listAddrs } = await import('../../net/addr.js');
      assertNotHost(SELF, 'podnet flanneld');
      const log = createLogger('flanneld');
      const publicIP = o.publicIp ?? (await listAddrs(SELF, { dev: o.iface, family: 4 }))[0]?.local;
      if (!publicIP) throw new PodnetError('EFLAG', `no IPv4 address on ${o.iface}; pass --public-ip`);
      let client;
      if (o.kubeSubnetMgr) {
        if (!o.kubeconfig) throw new PodnetError('EFLAG', '--kube-subnet-mgr needs --kubeconfig');
        if (!o.nodeName) throw new PodnetError('EFLAG', '--kube-subnet-mgr needs --node-name (or NODE_NAME)');
        const { createClient, loadKubeconfig } = await import('../../client/index.js');
        client = createClient({ ...loadKubeconfig(o.kubeconfig), userAgent: 'podnet-flanneld' });
      }
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      const h = await startFlannel({
        netns: SELF, nodeName: o.nodeName || publicIP, publicIP, iface: o.iface,
        subnetManager: o.kubeSubnetMgr ? 'kube' : 'etcd', client,
        netConf: o.kubeSubnetMgr ? readFileSync(o.netConfigPath, 'utf8') : undefined,
        etcdEndpoints: o.etcdEndpoints.split(',').filter(Boolean), etcdPrefix: o.etcdPrefix,
        leaseTtlSeconds: Number(o.subnetLeaseTtl), subnetFile: o.subnetFile, ipMasq: o.ipMasq, log,
      }, ac.signal);
      await h.stopped;
      (client as { close?: () => void } | undefined)?.close?.();
    });
}
