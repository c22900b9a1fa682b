import type { Command } from 'commander';

type Register = (program: Command) => void;
type Loader = () => Promise<Register>;

/**
 * Each area owns one file in this folder exporting register(program); this table wires them into
 * `podnet`, keyed by the top-level command(s) each file registers. The modules load lazily: a
 * process running one command (an agent, a pod's `image-run`, the lab's API forwarder) imports only
 * that command's file, not every area's (yaml, prom-client, the proxy and the controllers cost
 * ~0.2–0.4 s of start-up per process on 2 cores, paid by every pod of the podnet/echo image).
 */
const COMMANDS: [names: readonly string[], load: Loader][] = [
  [['apiserver'], async () => (await import('./apiserver.js')).register],
  [['controller-manager'], async () => (await import('./controllers.js')).register],
  [['kubeconfig'], async () => (await import('./kubeconfig.js')).register],
  [['lab'], async () => (await import('./lab.js')).register],
  [['agent', 'agents'], async () => (await import('./agent.js')).register],
  [['kubelet', 'images', 'image-run'], async () => (await import('./kubelet.js')).register],
  [['flanneld'], async () => (await import('./flanneld.js')).register],
  [['cni'], async () => (await import('./cni.js')).register],
  [['proxy'], async () => (await import('./proxy.js')).register],
  [['dns'], async () => (await import('./dns.js')).register],
  [['plan'], async () => (await import('./plan.js')).register],
  [['crictl'], async () => (await import('./crictl.js')).register],
  [['inspect'], async () => (await import('./inspect.js')).register],
  [['capture'], async () => (await import('./capture.js')).register],
  [['netpol'], async () => (await import('./netpol.js')).register],
  [['bgp'], async () => (await import('./bgp.js')).register],
  [['calico'], async () => (await import('./calico.js')).register],
  [['bench'], async () => (await import('./bench.js')).register],
  [['ui'], async () => (await import('./ui.js')).register],
  [['trace'], async () => (await import('./trace.js')).register],
  [['flows'], async () => (await import('./flows.js')).register],
];

/**
 * Registers the commands `argv` (process.argv) runs: only the file owning its first word when that
 * word is a known command, else (help, an unknown word, no argv) every file, in the table's order.
 */
export async function registerCommands(program: Command, argv?: readonly string[]): Promise<void> {
  const first = argv?.[2];
  const own = first && !first.startsWith('-') ? COMMANDS.find(([names]) => names.includes(first)) : undefined;
  if (own) {
    (await own[1]())(program);
    if (program.commands.some((c) => c.name() === first)) return;
  }
  const all = await Promise.all(COMMANDS.filter((c) => c !== own).map(([, load]) => load()));
  for (const register of all) register(program);
}
