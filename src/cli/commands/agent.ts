import type { Command } from 'commander';
import { resolve } from 'node:path';
import { PodnetError } from '../../util/errors.js';
import { PROXY_MODES, parseProxyMode } from '../../proxy/modenames.js';
import { parseBool, parseList, parseNodePortAddresses } from '../flags.js';


/** Registers `podnet agent`: the node's composition (src/node) — kubelet + flanneld + kube-proxy + NetworkPolicy + CNI server, in the node's netns. */
export function register(program: Command): void {
  program.command('agent')
    .description('node agent: kubelet + pod network (flannel overlay, or calico routed with BIRD) + kube-proxy in one process, inside the node\'s network namespace')
    .requiredOption('--node-name <name>', 'this node\'s name')
    .requiredOption('--node-ip <ip>', 'this node\'s underlay address (InternalIP, flannel public IP)')
    .requiredOption('--kubeconfig <path>', 'kubeconfig (a node credential; unix:// server inside the lab)')
    .option('--state-dir <dir>', 'state root: CNI config/cache, flannel subnet.env, kubelet state', '/run/podnet/agent')
    .option('--iface <name>', 'underlay interface', 'eth0')
    .option('--subnet-manager <kind>', 'kube | etcd', 'kube')
    .option('--etcd-endpoints <urls>', 'etcd endpoints (etcd subnet manager)', 'http://127.0.0.1:2379')
    .option('--etcd-prefix <prefix>', 'flannel etcd prefix', '/coreos.com/network')
    .option('--subnet-lease-ttl <seconds>', 'etcd lease TTL', '86400')
    .option('--backend <type>', 'vxlan | host-gw | udp (kube subnet manager net-conf)', 'vxlan')
    .option('--cluster-cidr <cidr>', 'the pod network', '10.244.0.0/16')
    .option('--pod-cidr <cidr>', 'register the Node with this podCIDR instead of waiting for the controller')
    .option('--proxy-mode <mode>', PROXY_MODES.join(' | '), 'iptables')
    .option('--nodeport-addresses <cidrs>', 'kube-proxy: CIDRs (or "primary") whose local addresses accept NodePorts (default: all local; nftables mode: primary)')
    .option('--iptables-localhost-nodeports [bool]', 'kube-proxy, iptables mode: serve NodePorts on 127.0.0.1', 'true')
    .option('--cluster-dns <ips>', 'cluster DNS server IPs', '10.96.0.10')
    .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local')
    .option('--resolv-conf <path>', 'the node\'s resolv.conf (dnsPolicy Default)')
    .option('--network <name>', 'pod network: flannel | calico (routed, BGP via BIRD)', 'flannel')
    .option('--bgp-as <asn>', 'calico: this node\'s AS number (default: the BGPConfiguration\'s, 64512)')
    .option('--calico-block-size <bits>', 'calico: blockSize of the default IPPool made when none exists', '26')
    .option('--mtu <bytes>', 'calico: MTU of the pods\' interfaces', '1500')
    .option('--no-network-policy', 'do not enforce NetworkPolicies (no nftables policy table)')
    .option('--netpol-log-drops', 'log packets a NetworkPolicy denies (nflog group 7, prefix "np-drop in|out ns/pod", 10/s per pod and direction; read by podnet netpol drops)')
    .option('--no-cni-server', 'exec the full CNI plugins for every call instead of serving them in the agent to the thin clients')
    .action(async (o: { cniServer: boolean; nodeName: string; nodeIp: string; kubeconfig: string; stateDir: string; iface: string; subnetManager: string; etcdEndpoints: string; etcdPrefix: string; subnetLeaseTtl: string; backend: string; clusterCidr: string; podCidr?: string; proxyMode: string; nodeportAddresses?: string; iptablesLocalhostNodeports: string | boolean; clusterDns: string; clusterDomain: string; resolvConf?: string; network: string; bgpAs?: string; calicoBlockSize: string; mtu: string; networkPolicy: boolean; netpolLogDrops?: boolean }) => {
      if (o.subnetManager !== 'kube' && o.subnetManager !== 'etcd') throw new PodnetError('EFLAG', `--subnet-manager must be kube or etcd, not "${o.subnetManager}"`);
      if (o.backend !== 'vxlan' && o.backend !== 'host-gw' && o.backend !== 'udp') throw new PodnetError('EFLAG', `--backend must be vxlan, host-gw or udp, not "${o.backend}"`);
      if (o.network !== 'flannel' && o.network !== 'calico') throw new PodnetError('EFLAG', `--network must be flannel or calico, not "${o.network}"`);
      const bgpAs = o.bgpAs === undefined ? undefined : Number(o.bgpAs);
      if (bgpAs !== undefined && (!Number.isInteger(bgpAs) || bgpAs < 1 || bgpAs > 4294967295)) throw new PodnetError('EFLAG', `--bgp-as must be an AS number (1-4294967295), not "${o.bgpAs}"`);
      const blockSize = Number(o.calicoBlockSize), mtu = Number(o.mtu);
      if (!Number.isInteger(blockSize) || blockSize < 20 || blockSize > 32) throw new PodnetError('EFLAG', `--calico-block-size must be 20-32, not "${o.calicoBlockSize}"`);
      if (!Number.isInteger(mtu) || mtu < 576 || mtu > 65535) throw new PodnetError('EFLAG', `--mtu must be 576-65535, not "${o.mtu}"`);
      const proxyMode = parseProxyMode(o.proxyMode);
      const { runAgent } = await import('../../node/index.js');
      await runAgent({
        network: o.network, bgpAsNumber: bgpAs, calicoBlockSize: blockSize, mtu,
        nodeName: o.nodeName, nodeIP: o.nodeIp, kubeconfig: resolve(o.kubeconfig), stateDir: o.stateDir, iface: o.iface,
        subnetManager: o.subnetManager, etcdEndpoints: parseList(o.etcdEndpoints), etcdPrefix: o.etcdPrefix, leaseTtlSeconds: Number(o.subnetLeaseTtl),
        backend: o.backend, clusterCidr: o.clusterCidr, podCidr: o.podCidr, proxyMode,
        clusterDNS: parseList(o.clusterDns), clusterDomain: o.clusterDomain, resolvConf: o.resolvConf, cniServer: o.cniServer,
        nodePortAddresses: o.nodeportAddresses ? parseNodePortAddresses(o.nodeportAddresses) : undefined,
        localhostNodePorts: parseBool('--iptables-localhost-nodeports', o.iptablesLocalhostNodeports),
        networkPolicy: o.networkPolicy, netpolLogDrops: o.netpolLogDrops === true,
      });
      process.exit(0);
    });

  program.command('agents')
    .description('shared agent mode: ONE process serving many nodes, each still in its own network namespace (kubelet + flannel + kube-proxy + NetworkPolicy + CNI server per node, kernel work sent into each node\'s netns); `podnet lab up --agent-mode shared` starts it')
    .requiredOption('--config <file>', 'JSON {"nodes":[{nodeName, nodeIP, netns, kubeconfig, stateDir, clusterCidr, proxyMode, …the options of `podnet agent`}]}')
    .action(async (o: { config: string }) => {
      const { runSharedAgent } = await import('../../node/multinode.js');
      await runSharedAgent(resolve(o.config));
      process.exit(0);
    });
}
