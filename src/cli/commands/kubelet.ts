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

  const images = program.command('images').description('the built-in images: root filesystems built from the machine\'s Debian files, stored content-addressed');
  images.command('build')
    .description('build every built-in image (idempotent; scripts/setup.sh runs it, the kubelet builds lazily on first use)')
    .option('--dir <dir>', 'image store (default $PODNET_IMAGES_DIR or /var/lib/podnet/images)')
    .option('--force', 'rebuild even when stored')
    .action(async (o: { dir?: string; force?: boolean }) => {
      const { buildAllImages, defaultImagesDir } = await import('../../kubelet/images/index.js');
      const rows = buildAllImages(o.dir ?? defaultImagesDir(), { force: !!o.force });
      const w = Math.max(5, ...rows.map((r) => r.name.length)) + 3;
      process.stdout.write(`${'IMAGE'.padEnd(w)}${'IMAGE ID'.padEnd(16)}SIZE\n`);
      for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}${r.digest.slice(7, 20).padEnd(16)}${(r.size / 1e6).toFixed(1)}MB\n`);
    });
  images.command('list')
    .description('list the stored built-in images')
    .option('--dir <dir>', 'image store (default $PODNET_IMAGES_DIR or /var/lib/podnet/images)')
    .action(async (o: { dir?: string }) => {
      const { IMAGE_NAMES, defaultImagesDir } = await import('../../kubelet/images/index.js');
      const { storedImage } = await import('../../kubelet/images/build.js');
      const dir = o.dir ?? defaultImagesDir();
      process.stdout.write('IMAGE                IMAGE ID        SIZE\n');
      for (const n of IMAGE_NAMES) {
        const m = storedImage(dir, n);
        process.stdout.write(`${n.padEnd(21)}${(m ? m.digest.slice(7, 20) : '<not built>').padEnd(16)}${m ? `${(m.size / 1e6).toFixed(1)}MB` : ''}\n`);
      }
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
