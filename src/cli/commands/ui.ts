import type { Command } from 'commander';

/** Registers `podnet ui`. */
export function register(program: Command): void {
  program.command('ui')
    .description('a live web view of a lab on 127.0.0.1: nodes, pods, bridges/cali, veths, tunnels/BGP, Services; inspect, trace, pcap capture, rule counts and sync times')
    .option('--lab <name>', 'lab name (default "lab" unless a kubeconfig is given)')
    .option('--kubeconfig <path>', 'kubeconfig (default $KUBECONFIG, else the lab\'s); without a lab the view has the API objects only')
    .option('--port <n>', 'port (0: any free one)', '8089')
    .option('--listen <addr>', 'address to listen on: 127.0.0.1 only', '127.0.0.1')
    .action(async (o: { lab?: string; kubeconfig?: string; port: string; listen: string }) => {
      const { runUi } = await import('../../ui/run.js');
      const { checkListen } = await import('../../ui/server.js');
      checkListen(o.listen); // before anything else: a wrong address is refused whatever the lab
      const { kubeconfigOf, labOf } = await import('../../observe/locate.js');
      const lab = labOf(o);
      await runUi({ kubeconfig: kubeconfigOf(o), ...(lab ? { lab } : {}), port: Number(o.port), listen: o.listen });
      process.exit(0);
    });
}
