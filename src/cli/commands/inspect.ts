import type { Command } from 'commander';
import { parseOutput } from '../../observe/table.js';

/** Registers `podnet inspect pod NAME`. */
export function register(program: Command): void {
  const inspect = program.command('inspect').description('what the kernel and the runtime have for an object: pod');
  inspect.command('pod')
    .description('a pod\'s node, sandbox pid, netns, interfaces, veth peer and bridge, routes, CNI result and container pids')
    .argument('<name>', 'pod name (or pod/NAME)')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--lab <name>', 'lab name (default "lab" unless a kubeconfig is given)')
    .option('--kubeconfig <path>', 'kubeconfig (default $KUBECONFIG, else the lab\'s)')
    .option('--state-dir <dir>', 'the node agent\'s --state-dir (outside a lab; run inside the node\'s netns)')
    .option('-o, --output <format>', 'json, or omit for the human form')
    .action(async (name: string, o: { namespace: string; lab?: string; kubeconfig?: string; stateDir?: string; output?: string }) => {
      const fmt = parseOutput(o.output);
      const { inspectPodCommand } = await import('../../observe/inspectpod.js');
      const { renderPodInspection } = await import('../../observe/inspectpodview.js');
      const { kubeconfigOf, labOf } = await import('../../observe/locate.js');
      const { emit } = await import('../../observe/table.js');
      const r = await inspectPodCommand(name.replace(/^(pods?|po)\//, ''), { namespace: o.namespace, kubeconfig: kubeconfigOf(o), lab: labOf(o), stateDir: o.stateDir });
      emit(fmt, r, () => renderPodInspection(r));
    });
}
