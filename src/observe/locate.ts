/**
 * Where a node's state and network namespace are: a lab node (`--lab NAME --node NODE`: its agent's
 * state dir under the lab's dir, its netns pn-<lab>-<node>), or an agent's --state-dir given
 * directly (then the node's netns is the one this command runs in, as inside `podnet lab exec`).
 */
import { existsSync } from 'node:fs';
import { adminKubeconfig } from '../lab/up.js';
import { netnsName, stateFile } from '../lab/paths.js';
import { netnsPath } from '../net/netns.js';
import { SELF, type NetnsPath } from '../net/exec.js';
import { labNodeStateDir, nodeStatePaths, ObserveError } from './runtimestate.js';
import type { NodePaths } from '../node/paths.js';

export interface NodeLocation { node: string; stateDir: string; paths: NodePaths; netns: NetnsPath }

export interface Where { lab?: string; node?: string; stateDir?: string }

/** The lab a command means: --lab, else "lab" when no kubeconfig is given. */
export function labOf(o: { lab?: string; kubeconfig?: string }): string | undefined {
  if (o.lab) return o.lab;
  if (o.kubeconfig || process.env.KUBECONFIG) return undefined;
  return 'lab';
}

export function requireLab(lab: string): void {
  if (!existsSync(stateFile(lab))) throw new ObserveError('ENOLAB', `lab "${lab}" is not up (no ${stateFile(lab)})`);
}

/** A node's state dir and netns, from --lab/--node or --state-dir. */
export function locateNode(w: Where): NodeLocation {
  if (w.stateDir) {
    return { node: w.node ?? '', stateDir: w.stateDir, paths: nodeStatePaths(w.stateDir), netns: w.lab && w.node ? netnsPath(netnsName(w.lab, w.node)) : SELF };
  }
  if (!w.node) throw new ObserveError('EFLAG', '--node NODE (a lab node) or --state-dir DIR (an agent\'s state dir) is required');
  const lab = w.lab ?? 'lab';
  requireLab(lab);
  const stateDir = labNodeStateDir(lab, w.node);
  if (!existsSync(stateDir)) throw new ObserveError('ENOTFOUND', `lab "${lab}" has no node "${w.node}" (no ${stateDir})`);
  return { node: w.node, stateDir, paths: nodeStatePaths(stateDir), netns: netnsPath(netnsName(lab, w.node)) };
}

/** The kubeconfig a command uses: --kubeconfig, $KUBECONFIG, or the lab's admin kubeconfig. */
export function kubeconfigOf(o: { lab?: string; kubeconfig?: string }): string {
  if (o.kubeconfig) return o.kubeconfig;
  if (!o.lab && process.env.KUBECONFIG) return process.env.KUBECONFIG;
  const lab = o.lab ?? 'lab';
  requireLab(lab);
  return adminKubeconfig(lab);
}

/** The lab's underlay netns (its bridge is "underlay"). */
export function underlayNetns(lab: string): NetnsPath { requireLab(lab); return netnsPath(netnsName(lab, 'underlay')); }
export function labNodeNetns(lab: string, node: string): NetnsPath { requireLab(lab); return netnsPath(netnsName(lab, node)); }
