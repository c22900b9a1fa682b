/**
 * The shared agent mode: ONE process serves many nodes of a lab. Each node keeps its own network
 * namespace, state dir, credentials, kubelet, flannel, kube-proxy, NetworkPolicy enforcer and CNI
 * server (compose.ts with `netns`): the process itself stays outside every node netns and sends
 * each node's kernel work into that node's namespace (nsenter / `ip -n`, CNI plugin calls scoped by
 * src/cni/hostns.ts). What the nodes share is what is the same for all of them: one informer
 * factory (cluster-wide Services, EndpointSlices, Nodes, NetworkPolicies, Namespaces: one watch
 * each instead of one per node) and one Node.js heap and event loop instead of one per node.
 *
 * A node that fails to start is logged and retried; the others keep running. SIGTERM stops every
 * node (pods keep running, as with `podnet agent`); a restarted process adopts them all.
 */
import { readFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { createClient, loadKubeconfig, InformerFactory } from '../client/index.js';
import { PodnetError } from '../util/errors.js';
import { createLogger, type Logger } from '../util/log.js';
import { netnsChangeable } from '../net/whereami.js';
import { startAgent, type Agent, type AgentOptions } from './compose.js';

/** One node of a shared agent: everything `podnet agent` takes, plus the node's netns (required). */
export type SharedNodeOptions = Omit<AgentOptions, 'log' | 'informers' | 'netns'> & { netns: string };

/** The shared agent's config file (`podnet agents --config FILE`). */
export interface SharedAgentConfig { nodes: SharedNodeOptions[] }

export class SharedAgentConfigError extends PodnetError {}

/** Parses and checks a shared agent config (pure except for the netns check). */
export function parseSharedAgentConfig(text: string, isChangeable: (ns: string) => boolean = netnsChangeable): SharedAgentConfig {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { throw new SharedAgentConfigError('ECONFIG', `shared agent config is not JSON: ${(e as Error).message}`); }
  const nodes = (raw as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) throw new SharedAgentConfigError('ECONFIG', 'shared agent config: "nodes" must be a non-empty array');
  const seen = new Set<string>();
  nodes.forEach((n: Partial<SharedNodeOptions>, i) => {
    for (const f of ['nodeName', 'nodeIP', 'kubeconfig', 'stateDir', 'netns', 'clusterCidr', 'proxyMode'] as const) {
      if (typeof n[f] !== 'string' || !n[f]) throw new SharedAgentConfigError('ECONFIG', `shared agent config: nodes[${i}].${f} must be a non-empty string`);
    }
    if (seen.has(n.nodeName!)) throw new SharedAgentConfigError('ECONFIG', `shared agent config: nodes[${i}].nodeName "${n.nodeName}" appears twice`);
    seen.add(n.nodeName!);
    if (!isChangeable(n.netns!)) throw new SharedAgentConfigError('ECONFIG', `shared agent config: nodes[${i}].netns "${n.netns}" is not a node namespace (the host's own is refused)`);
    if (n.proxyMode === 'userspace') throw new SharedAgentConfigError('ECONFIG', `shared agent config: nodes[${i}]: the userspace proxy needs one agent per node (--agent-mode per-node)`);
    if (n.network === 'calico' || n.backend === 'udp') throw new SharedAgentConfigError('ECONFIG', `shared agent config: nodes[${i}]: ${n.network === 'calico' ? 'calico' : 'the udp backend'} needs one agent per node (--agent-mode per-node)`);
  });
  return { nodes: nodes as SharedNodeOptions[] };
}

export interface SharedAgent {
  /** The nodes running, by name (a node still retrying its start is absent). */
  agents: Map<string, Agent>;
  /** Resolves when every node has stopped after the signal. */
  stopped: Promise<void>;
}

/** Starts every node of the config in this process; resolves once each has started (or is retrying). */
export async function startSharedAgent(cfg: SharedAgentConfig, signal: AbortSignal, log: Logger = createLogger('agents')): Promise<SharedAgent> {
  const first = cfg.nodes[0]!;
  // the shared informers list and watch cluster-wide objects only: any node credential may
  const sharedClient = createClient({ ...loadKubeconfig(first.kubeconfig), userAgent: 'podnet-agents/shared' });
  const informers = new InformerFactory(sharedClient, log.child({ part: 'informers' }), { replayToLateHandlers: true });
  const agents = new Map<string, Agent>();
  const runs = cfg.nodes.map(async (n) => {
    const nlog = log.child({ node: n.nodeName });
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const a = await startAgent({ ...n, informers, log: nlog }, signal);
        agents.set(n.nodeName, a);
        return a;
      } catch (e) {
        if (signal.aborted) return undefined;
        nlog.error({ err: (e as Error).message, attempt }, 'node failed to start; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * attempt)));
      }
    }
    return undefined;
  });
  // wait for every node's first attempt outcome (started or retrying) before returning
  const started = await Promise.race([Promise.all(runs), new Promise<'aborted'>((r) => signal.addEventListener('abort', () => r('aborted'), { once: true }))]);
  log.info({ nodes: cfg.nodes.length, running: agents.size, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) }, started === 'aborted' ? 'shared agent stopping' : 'shared agent running');
  const stopped = (async () => {
    await Promise.all(runs.map(async (r) => { const a = await r; await a?.stopped; }));
    sharedClient.close();
  })();
  return { agents, stopped };
}

/**
 * `podnet agents --config FILE`: the shared agent until SIGINT/SIGTERM (pods keep running; a later
 * shared agent or per-node agents adopt them); exits 3 s after the signal at the latest.
 */
export async function runSharedAgent(configPath: string): Promise<void> {
  const cfg = parseSharedAgentConfig(readFileSync(configPath, 'utf8'));
  const log = createLogger('agents');
  // one node's stray failure must not end the process that serves every node: log it
  process.on('unhandledRejection', (e) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'unhandled rejection'));
  const ac = new AbortController();
  setMaxListeners(0, ac.signal); // every node's parts listen on the one signal
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { ac.abort(); setTimeout(() => process.exit(0), 3000).unref(); });
  const s = await startSharedAgent(cfg, ac.signal, log);
  await s.stopped;
}
