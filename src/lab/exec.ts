import { existsSync } from 'node:fs';
import { netnsPath } from '../net/netns.js';
import { runInNamedNetns } from '../net/spawn.js';
import { netnsName } from './paths.js';
import { adminKubeconfig, LabError } from './up.js';

/** The netns of a lab part: a node's by its name, the external client's as "client", the control plane's as "master". */
export function partNetns(lab: string, where: string): string {
  return netnsName(lab, where === 'client' ? 'ext' : where);
}

/** `podnet lab exec`: runs argv inside a node's (or the client's, or the master's) netns as `ip netns exec` would, on this terminal; returns its exit status. */
export function labExec(lab: string, where: string, argv: readonly string[]): number {
  const ns = partNetns(lab, where);
  if (!existsSync(netnsPath(ns))) throw new LabError('ENOLAB', `no namespace ${ns} (is lab "${lab}" up, and is "${where}" one of its nodes, "client" or "master"?)`);
  return runInNamedNetns(ns, argv);
}

/** The path of a running lab's admin kubeconfig. */
export function labKubeconfig(lab: string): string {
  const p = adminKubeconfig(lab);
  if (!existsSync(p)) throw new LabError('ENOLAB', `lab "${lab}" is not up (no ${p})`);
  return p;
}
