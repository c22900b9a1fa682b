import type { Command } from 'commander';

/** Registers `podnet kubelet` and the hidden `podnet image-run NAME` (built-in images). Owned by the kubelet area. */
export function register(program: Command): void {
  program
    .command('kubelet')
    .description('run the node agent\'s kubelet alone: registers the Node, runs the pods bound to it (pause sandboxes, CNI, containers), serves logs/exec on a unix socket')
    .requiredOption('--kubeconfig <path>', 'kubeconfig of the API server')
    .requiredOption('--node-name <name>', 'name of this node')
    .requiredOption('--state-dir <dir>', 'state directory (pod state, logs, kubelet socket)')
    .requiredOption('--node-ip <ip>', 'InternalIP of this node')
    .option('--cni-conf-dir <dir>', 'CNI network config dir (*.conflist); without it pods get loopback only')
    .option('--cni-bin-dir <dirs>', 'CNI plugin dirs, colon-separated', '/opt/cni/bin')
    .option('--cni-cache-dir <dir>', 'CNI result cache dir (default <state-dir>/cni-cache)')
    .option('--cluster-dns <ips>', 'cluster DNS server IPs, comma-separated', '10.96.0.10')
    .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local')
    .option('--resolv-conf <path>', 'the node\'s resolv.conf for dnsPolicy Default (default <state-dir>/resolv.conf)')
    .option('--socket <path>', 'kubelet API unix socket (default <state-dir>/kubelet.sock)')
    .action(async (o: { kubeconfig: string; nodeName: string; stateDir: string; nodeIp: string; cniConfDir?: string; cniBinDir: string; cniCacheDir?: string; clusterDns: string; clusterDomain: string; resolvConf?: string; socket?: string }) => {
      const { startKubelet } = await import('../../kubelet/index.js');
      const ac = new AbortController();
      process.once('SIGTERM', () => ac.abort());
      process.once('SIGINT', () => ac.abort());
      const k = await startKubelet({
        nodeName: o.nodeName, kubeconfig: o.kubeconfig, stateDir: o.stateDir, nodeIP: o.nodeIp,
        cniConfDir: o.cniConfDir, cniBinDirs: o.cniBinDir.split(':').filter(Boolean), cniCacheDir: o.cniCacheDir,
        clusterDNS: o.clusterDns.split(',').map((s) => s.trim()).filter(Boolean), clusterDomain: o.clusterDomain,
        resolvConf: o.resolvConf, socketPath: o.socket,
      }, ac.signal);
      await k.stopped;
      process.exit(0);
    });

  program
    .command('image-run <name> [args...]', { hidden: true })
    .description('run a built-in image (echo, mysql) — used inside podnet containers')
    .action(async (name: string) => {
      const podName = process.env.POD_NAME ?? 'unknown';
      const podIP = process.env.POD_IP ?? '';
      if (name === 'echo') { const { runEcho } = await import('../../kubelet/images/echo.js'); await runEcho({ podName, podIP }); }
      else if (name === 'mysql') { const { runMysql } = await import('../../kubelet/images/mysql.js'); await runMysql({ podName }); }
      else throw new Error(`no built-in image ${JSON.stringify(name)} (echo, mysql)`);
      process.exit(0);
    });
}
