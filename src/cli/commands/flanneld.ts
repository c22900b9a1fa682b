import type { Command } from 'commander';
import { PodnetError } from '../../util/errors.js';

/** Registers `podnet flanneld`: the flannel-compatible overlay daemon, in the netns it is started in. */
export function register(program: Command): void {
  program.command('flanneld')
    .description('flannel-compatible overlay (vxlan, host-gw, udp) with the kube or etcd subnet manager, in the current network namespace')
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
    .option('--healthz-port <port>', '/healthz and /metrics on the public IP at this port (0 = off)', '0')
    .action(async (o: { healthzPort: string; kubeSubnetMgr: boolean; kubeconfig?: string; netConfigPath: string; etcdEndpoints: string; etcdPrefix: string; subnetLeaseTtl: string; iface: string; publicIp?: string; nodeName: string; ipMasq: boolean; subnetFile: string }) => {
      if (o.kubeSubnetMgr && !o.kubeconfig) throw new PodnetError('EFLAG', '--kube-subnet-mgr needs --kubeconfig');
      if (o.kubeSubnetMgr && !o.nodeName) throw new PodnetError('EFLAG', '--kube-subnet-mgr needs --node-name (or NODE_NAME)');
      const { runFlanneld } = await import('../../flannel/daemon.js');
      await runFlanneld({
        kube: o.kubeSubnetMgr ? { kubeconfig: o.kubeconfig!, nodeName: o.nodeName, netConfigPath: o.netConfigPath } : undefined,
        etcdEndpoints: o.etcdEndpoints.split(',').filter(Boolean), etcdPrefix: o.etcdPrefix, leaseTtlSeconds: Number(o.subnetLeaseTtl),
        iface: o.iface, publicIP: o.publicIp, nodeName: o.nodeName, ipMasq: o.ipMasq, subnetFile: o.subnetFile, healthzPort: Number(o.healthzPort),
      });
    });
}
