/**
 * How a lab runs its node agents (`podnet lab up --agent-mode`):
 *   - per-node (default): one `podnet agent` process inside each node's netns (pid file agent-<node>);
 *   - shared: ONE `podnet agents` process for all nodes (pid file `agents`), which sends each node's
 *     kernel work into that node's netns (src/node/multinode.ts). Costs one Node.js heap and one
 *     set of cluster-wide watches instead of one per node: the mode for large labs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SharedAgentConfig, SharedNodeOptions } from '../node/multinode.js';
import { netnsPath } from '../net/netns.js';
import { labDir, logDir, netnsName, nodeDir, pidFile, PODNET_MAIN } from './paths.js';
import { readPidFile, recordAlive, spawnDetached, terminate } from './procs.js';
import type { LabSpec } from './spec.js';

export type AgentMode = 'per-node' | 'shared';
export const AGENT_MODES: readonly AgentMode[] = ['per-node', 'shared'];
/** The pid-file name (and log name) of the shared agent process. */
export const SHARED_AGENT_PROC = 'agents';

export function parseAgentMode(s: string): AgentMode {
  if (!(AGENT_MODES as readonly string[]).includes(s)) throw new Error(`--agent-mode must be ${AGENT_MODES.join(' or ')}, not "${s}"`);
  return s as AgentMode;
}

/** The shared agent's config for a lab (pure): each node as `startNodeAgent` would start it, plus its netns. */
export function sharedAgentConfig(spec: LabSpec): SharedAgentConfig {
  return {
    nodes: spec.nodes.map((n): SharedNodeOptions => {
      const nd = nodeDir(spec.name, n.name);
      return {
        nodeName: n.name, nodeIP: n.ip, netns: netnsPath(netnsName(spec.name, n.name)),
        kubeconfig: join(nd, 'kubeconfig'), stateDir: join(nd, 'state'),
        subnetManager: spec.subnetManager, etcdEndpoints: [`http://${spec.ext.ip}:2379`], leaseTtlSeconds: spec.leaseTtlSeconds,
        backend: spec.backend, clusterCidr: spec.clusterCidr, network: 'flannel', ...(n.podCidr ? { podCidr: n.podCidr } : {}),
        proxyMode: spec.proxyMode, clusterDNS: [spec.dnsIP], clusterDomain: spec.clusterDomain, resolvConf: join(nd, 'resolv.conf'),
        netpolLogDrops: spec.netpolLogDrops !== false,
        // one process syncs every node's rules: upstream kube-proxy's default min sync period (1 s)
        // batches a burst of Service/endpoint changes into one sync per node instead of one per 100 ms
        // likewise the policy enforcer, which rebuilds its model of every pod after a change
        ...(spec.nodes.length > 10 ? { proxyMinSyncPeriodMs: 1000, netpolDebounceMs: 1000 } : {}),
      };
    }),
  };
}

/** Why a lab spec cannot use the shared mode, or undefined when it can. */
export function sharedModeRefusal(spec: Pick<LabSpec, 'network' | 'backend' | 'proxyMode'>): string | undefined {
  if (spec.proxyMode === 'userspace') return '--agent-mode shared does not run the userspace proxy (it proxies in the agent process, which must sit in the node netns: use --agent-mode per-node)';
  if (spec.network === 'calico') return '--agent-mode shared runs flannel only (calico runs BIRD per node: use --agent-mode per-node)';
  if (spec.backend === 'udp') return '--agent-mode shared does not run the udp backend (it carries packets in the agent process, which must sit in the node netns: use --agent-mode per-node)';
  return undefined;
}

/** Writes the shared agent's config and starts it (root netns: it enters each node's netns for kernel work); returns its pid. */
export function startSharedAgentProcess(spec: LabSpec): number {
  const cfgPath = join(labDir(spec.name), 'agents.json');
  writeFileSync(cfgPath, JSON.stringify(sharedAgentConfig(spec), null, 2) + '\n');
  return spawnDetached(SHARED_AGENT_PROC, [process.execPath, PODNET_MAIN, 'agents', '--config', cfgPath],
    { log: join(logDir(spec.name), `${SHARED_AGENT_PROC}.log`), pidFile: pidFile(spec.name, SHARED_AGENT_PROC) }).pid;
}

/** Stops the shared agent (SIGTERM: pods keep running) and starts it again; returns the new pid. */
export async function restartSharedAgentProcess(spec: LabSpec): Promise<number> {
  const rec = readPidFile(pidFile(spec.name, SHARED_AGENT_PROC));
  if (recordAlive(rec)) await terminate([rec!.pid], 10_000);
  return startSharedAgentProcess(spec);
}
