import type { Command } from 'commander';

const int = (v: string): number => Number(v);

/** Registers `podnet capture TARGET [filter...]`. */
export function register(program: Command): void {
  program.command('capture')
    .description('tcpdump in the right netns: pod/NAME (its eth0), node/NODE[/IFACE] (default eth0) or underlay; live decode, or pcap files with a ring buffer')
    .argument('<target>', 'pod/NAME, node/NODE[/IFACE] or underlay')
    .argument('[filter...]', 'capture filter (pcap-filter syntax)')
    .option('-n, --namespace <ns>', 'namespace of pod/NAME', 'default')
    .option('--lab <name>', 'lab name', 'lab')
    .option('--kubeconfig <path>', 'kubeconfig (default the lab\'s)')
    .option('--state-dir <dir>', 'the node agent\'s --state-dir (outside a lab)')
    .option('-w, --write <file>', 'write a pcap file instead of decoding')
    .option('--files <n>', 'keep N files (tcpdump -W)', int)
    .option('--size <mb>', 'start a new file every MB megabytes (tcpdump -C)', int)
    .option('--rotate <seconds>', 'start a new file every SECONDS seconds (tcpdump -G)', int)
    .option('-c, --count <n>', 'stop after N packets', int)
    .option('-s, --snaplen <bytes>', 'bytes captured per packet', int)
    .option('-v, --verbose', 'more detail in the live decode (repeatable)', (_: string, prev: number) => prev + 1, 0)
    .option('--timeout <seconds>', 'stop after SECONDS seconds', int)
    .action(async (target: string, filter: string[], o: { namespace: string; lab: string; kubeconfig?: string; stateDir?: string; write?: string; files?: number; size?: number; rotate?: number; count?: number; snaplen?: number; verbose: number; timeout?: number }) => {
      const { runCapture } = await import('../../observe/capture.js');
      const { kubeconfigOf } = await import('../../observe/locate.js');
      const code = await runCapture(target, filter, {
        namespace: o.namespace, lab: o.lab, kubeconfig: target.startsWith('underlay') || target.startsWith('node') ? '' : kubeconfigOf({ lab: o.lab, kubeconfig: o.kubeconfig }),
        stateDir: o.stateDir, write: o.write, files: o.files, sizeMB: o.size, rotateSeconds: o.rotate, count: o.count, snaplen: o.snaplen, verbose: o.verbose, timeoutSeconds: o.timeout,
      });
      process.exit(code);
    });
}
