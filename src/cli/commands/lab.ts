import type { Command } from 'commander';
import { PodnetError } from '../../util/errors.js';
import { PROXY_MODES, parseProxyMode } from '../../proxy/modenames.js';

/** Registers `podnet lab up|down|status|kubeconfig|exec` (+ the hidden node-cleanup used by down and api-forward used by up). */
export function register(program: Command): void {
  const lab = program.command('lab').description('build a multi-node cluster on this box out of network namespaces: up, down, status, kubeconfig, exec, tour');

  lab.command('up')
    .description('create the lab: underlay, node netns, external client, API server, one agent per node, cluster DNS')
    .option('--name <name>', 'lab name (default "lab"; "seed" with --example seed)')
    .option('--nodes <k>', 'number of nodes', '2')
    .option('--backend <type>', 'flannel backend: vxlan | host-gw | udp', 'vxlan')
    .option('--subnet-manager <kind>', 'flannel subnet manager: kube | etcd', 'kube')
    .option('--proxy-mode <mode>', `kube-proxy mode: ${PROXY_MODES.join(' | ')}`, 'iptables')
    .option('--network <name>', 'pod network: flannel | calico (routed: cali veths, /32 routes, BGP between nodes via BIRD)', 'flannel')
    .option('--block-size <bits>', 'calico: blockSize of the default IPPool', '26')
    .option('--vxlan-mode <mode>', 'calico: the IPPool\'s vxlanMode: Never | Always | CrossSubnet (vxlan.calico, VNI 4096, port 4789)')
    .option('--racks <n>', 'calico: nodes in N underlay subnets, each behind a top-of-rack router running BIRD (mesh off; eBGP node-ToR-ToR)')
    .option('--no-netpol-log-drops', 'agents do not log packets a NetworkPolicy denies (default: logged to nflog group 7, rate-limited 10/s per pod and direction, for `podnet netpol drops`)')
    .option('--example <name>', 'replay an example cluster: seed (seed 000\'s k8s-node1/k8s-node2, mysql-demo, wp-mysql)')
    .option('--agent-mode <mode>', 'per-node: one agent process inside each node netns | shared: ONE process serving every node (each still in its own netns; the process enters them for kernel work): for large labs', 'per-node')
    .action(async (o: { agentMode: string; name?: string; nodes: string; backend: string; subnetManager: string; proxyMode: string; example?: string; network: string; blockSize: string; racks?: string; vxlanMode?: string; netpolLogDrops: boolean }) => {
      const { labUp, consoleProgress, upSummary } = await import('../../lab/index.js');
      if (!['vxlan', 'host-gw', 'udp'].includes(o.backend)) throw new PodnetError('EFLAG', `--backend must be vxlan, host-gw or udp, not "${o.backend}"`);
      if (!['kube', 'etcd'].includes(o.subnetManager)) throw new PodnetError('EFLAG', `--subnet-manager must be kube or etcd, not "${o.subnetManager}"`);
      const proxyMode = parseProxyMode(o.proxyMode);
      if (o.agentMode !== 'per-node' && o.agentMode !== 'shared') throw new PodnetError('EFLAG', `--agent-mode must be per-node or shared, not "${o.agentMode}"`);
      const st = await labUp({ agentMode: o.agentMode,
        name: o.name, nodes: Number(o.nodes), backend: o.backend as 'vxlan', subnetManager: o.subnetManager as 'kube', proxyMode, example: o.example,
        network: o.network as 'flannel', blockSize: Number(o.blockSize), ...(o.racks !== undefined ? { racks: Number(o.racks) } : {}), ...(o.vxlanMode !== undefined ? { vxlanMode: o.vxlanMode as 'Always' } : {}), netpolLogDrops: o.netpolLogDrops,
      }, consoleProgress(o.network === 'calico' ? 11 : 10));
      process.stdout.write(upSummary(st));
      process.exit(0);
    });

  lab.command('down')
    .description('remove everything the lab made (processes, pods, namespaces, mounts, files), also after a crash')
    .option('--name <name>', 'lab name', 'lab')
    .action(async (o: { name: string }) => {
      const { labDown, consoleProgress } = await import('../../lab/index.js');
      const p = consoleProgress(1);
      const r = await labDown(o.name, p);
      process.stdout.write(`lab "${o.name}" is down (${r.processes} process(es) stopped, ${r.netns.length} namespace(s) removed; ${Object.entries(r.phasesMs).map(([k, v]) => `${k} ${v} ms`).join(', ')})\n`);
      process.exit(0);
    });

  lab.command('status')
    .description('nodes, agents, pods and any fault of a lab')
    .option('--name <name>', 'lab name', 'lab')
    .action(async (o: { name: string }) => {
      const { labStatus } = await import('../../lab/index.js');
      const s = await labStatus(o.name);
      process.stdout.write(s.text);
      process.exit(s.faults.length ? 1 : 0);
    });

  lab.command('kubeconfig')
    .description('print the path of the lab\'s admin kubeconfig')
    .option('--name <name>', 'lab name', 'lab')
    .action(async (o: { name: string }) => {
      const { labKubeconfig } = await import('../../lab/index.js');
      process.stdout.write(`${labKubeconfig(o.name)}\n`);
    });

  lab.command('exec')
    .description('run a command inside a node\'s (or the external client\'s, or the master\'s) netns, as ip netns exec would')
    .option('--name <name>', 'lab name', 'lab')
    .argument('<where>', 'node name, "client" or "master"')
    .argument('<cmd...>', 'command (after --)')
    .action(async (where: string, cmd: string[], o: { name: string }) => {
      const { labExec } = await import('../../lab/index.js');
      process.exit(labExec(o.name, where, cmd));
    });

  lab.command('tour')
    .description('walk through a seed on the live lab, step by step: each step\'s command, its real output and what it shows (tours: seed-000, seed-003)')
    .argument('[tour]', 'seed-000 (packet path pod → pod, pod → Service) | seed-003 (PID, netns, veth peer, bridge, capture, CNI cache, plan)', 'seed-003')
    .option('--lab <name>', 'lab name (default "lab")')
    .option('--name <name>', 'the same as --lab')
    .option('--step <n>', 'show only step N (the steps before it run quietly, for what they find)')
    .option('--no-pause', 'do not wait for Enter between steps')
    .option('--lines <n>', 'lines of output shown per step', '30')
    .option('-o, --output <format>', 'json: every step\'s command, output, explanation and check')
    .action(async (name: string, o: { lab?: string; name?: string; step?: string; pause: boolean; lines: string; output?: string }) => {
      const { tourByName } = await import('../../lab/tours.js');
      const { labRunner, runTour } = await import('../../lab/tour.js');
      const { labKubeconfig } = await import('../../lab/index.js');
      const { parseOutput } = await import('../../observe/table.js');
      const fmt = parseOutput(o.output);
      const lab = o.lab ?? o.name ?? 'lab';
      const tour = tourByName(name);
      const step = o.step === undefined ? undefined : Number(o.step);
      const results = await runTour(tour, labRunner(lab, labKubeconfig(lab)), { lab, pause: o.pause, json: fmt === 'json', maxLines: Number(o.lines) || 30, ...(step !== undefined ? { step } : {}) });
      const failed = results.find((r) => !r.ok);
      if (failed) process.stderr.write(`podnet: tour ${tour.name} stopped at step ${failed.index} (${failed.title}): ${failed.problem}\n`);
      process.exit(failed ? 1 : 0);
    });

  lab.command('restart-agent')
    .description('stop a node\'s agent and start it again (pods, routes and rules are adopted, not rebuilt)')
    .option('--name <name>', 'lab name', 'lab')
    .argument('<node>', 'node name')
    .action(async (node: string, o: { name: string }) => {
      const { restartNodeAgent } = await import('../../lab/index.js');
      const pid = await restartNodeAgent(o.name, node);
      process.stdout.write(`agent of ${node} restarted (pid ${pid})\n`);
      process.exit(0);
    });

  lab.command('node-cleanup', { hidden: true })
    .description('remove the pod sandboxes recorded in a node agent\'s state dir (run inside the node netns by lab down)')
    .requiredOption('--state-dir <dir>', 'the agent state dir')
    .option('--no-cni', 'skip CNI DEL (the node netns is gone)')
    .action(async (o: { stateDir: string; cni: boolean }) => {
      const { cleanupNodeState } = await import('../../node/cleanup.js');
      await cleanupNodeState(o.stateDir, { cni: o.cni });
    });

  lab.command('api-forward', { hidden: true })
    .description('relay TCP connections to the API server\'s unix socket, TLS untouched (run inside the master netns by lab up)')
    .requiredOption('--listen <ip:port>', 'address to listen on (the kubernetes Service\'s endpoint)')
    .requiredOption('--socket <path>', 'the API server\'s unix socket')
    .action(async (o: { listen: string; socket: string }) => {
      const { parseListenAddress, startApiForwarder } = await import('../../lab/api-forwarder.js');
      const fwd = await startApiForwarder({ ...parseListenAddress(o.listen), socketPath: o.socket, log: (l) => process.stderr.write(`${l}\n`) });
      process.stdout.write(`listening on ${o.listen}, relaying to unix://${o.socket}\n`);
      await new Promise<void>((resolve) => { for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve()); });
      await fwd.close();
      process.exit(0);
    });
}
