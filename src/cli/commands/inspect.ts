import type { Command } from 'commander';
import { parseOutput } from '../../observe/table.js';

/** Registers `podnet inspect pod NAME`. */
export function register(program: Command): void {
  const inspect = program.command('inspect').description('what the kernel and the runtime have for an object: pod, node, svc');
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
  inspect.command('node')
    .description('a node\'s links, bridges and ports, tunnels with VNI/port and remote VTEPs (FDB, neighbours), routes, subnet lease or IPAM blocks, BGP peers, proxy mode and rule counts, NetworkPolicy table')
    .argument('<name>', 'node name (or node/NAME)')
    .option('--lab <name>', 'lab name (default "lab" unless a kubeconfig is given)')
    .option('--kubeconfig <path>', 'kubeconfig (default $KUBECONFIG, else the lab\'s)')
    .option('--state-dir <dir>', 'the node agent\'s --state-dir (outside a lab; run inside the node\'s netns)')
    .option('-o, --output <format>', 'json, or omit for the human form')
    .action(async (name: string, o: { lab?: string; kubeconfig?: string; stateDir?: string; output?: string }) => {
      const fmt = parseOutput(o.output);
      const { inspectNodeCommand } = await import('../../observe/inspectnode.js');
      const { renderNodeInspection } = await import('../../observe/inspectnodeview.js');
      const { kubeconfigOf, labOf } = await import('../../observe/locate.js');
      const { emit } = await import('../../observe/table.js');
      const r = await inspectNodeCommand(name.replace(/^(nodes?|no)\//, ''), { kubeconfig: kubeconfigOf(o), lab: labOf(o), stateDir: o.stateDir });
      emit(fmt, r, () => renderNodeInspection(r));
    });
  inspect.command('svc')
    .alias('service')
    .description('a Service\'s ClusterIPs, ports, NodePorts, endpoints per node, and the chains (or nft chains and map elements, or portal rules) that implement it on a node')
    .argument('<name>', 'service name (or svc/NAME)')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--node <node>', 'the node whose rules to show (default: the first node by name)')
    .option('--lab <name>', 'lab name (default "lab" unless a kubeconfig is given)')
    .option('--kubeconfig <path>', 'kubeconfig (default $KUBECONFIG, else the lab\'s)')
    .option('--state-dir <dir>', 'the node agent\'s --state-dir (outside a lab; run inside the node\'s netns)')
    .option('--ipvs', 'also show the node\'s IPVS virtual services for it (/proc/net/ip_vs), or what the kernel lacks (shown anyway in ipvs mode)')
    .option('-o, --output <format>', 'json, or omit for the human form')
    .action(async (name: string, o: { namespace: string; node?: string; lab?: string; kubeconfig?: string; stateDir?: string; output?: string; ipvs?: boolean }) => {
      const fmt = parseOutput(o.output);
      const { inspectSvcCommand } = await import('../../observe/inspectsvc.js');
      const { renderSvcInspection } = await import('../../observe/inspectsvcview.js');
      const { kubeconfigOf, labOf } = await import('../../observe/locate.js');
      const { emit } = await import('../../observe/table.js');
      const r = await inspectSvcCommand(name.replace(/^(svc|services?)\//, '').replace(/:.*$/, ''), { namespace: o.namespace, kubeconfig: kubeconfigOf(o), lab: labOf(o), stateDir: o.stateDir, node: o.node, ipvs: o.ipvs === true });
      emit(fmt, r, () => renderSvcInspection(r));
    });
}
