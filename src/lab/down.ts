/**
 * `podnet lab down`: removes every process, pod sandbox, namespace, mount and file of a lab — from
 * its state file when there is one, and by scanning (pidfiles, command lines mentioning the lab
 * dir, processes inside the lab's namespaces, /run/netns/pn-<lab>-*) when there is not, so it also
 * works after kill -9 of everything or a half-finished `up`. Idempotent.
 */
import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../util/exec.js';
import { deleteNamedNetns, listNamedNetns, mountPoints, netnsPath, releaseNetnsDir } from '../net/netns.js';
import { unmountLazy } from '../net/mount.js';
import { argvInNetns, argvInNewNetns } from '../net/spawn.js';
import { labDir, netnsName, nodeDir, PODNET_MAIN, LAB_ROOT, NETNS_DIR_MARKER } from './paths.js';
import { processesInNetns, processesMentioning, readPidFile, recordAlive, terminate } from './procs.js';
import type { Progress } from './up.js';
import { readState } from './up.js';

export interface DownReport { processes: number; netns: string[]; sandboxes: string[] }

function labNetns(name: string): string[] {
  const prefix = `pn-${name}-`;
  const fromState = readState(name)?.netns ?? [];
  return [...new Set([...fromState, ...listNamedNetns().filter((n) => n.startsWith(prefix))])].filter((n) => existsSync(netnsPath(n)));
}

function labMounts(dir: string): string[] {
  return mountPoints().filter((m) => m === dir || m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/**
 * When the last lab is gone: /run/podnet itself, and /run/netns (with iproute2's bind mount) if
 * a lab created it and no named namespace is left in it.
 */
async function releaseSharedDirs(): Promise<void> {
  const left = existsSync(LAB_ROOT) ? readdirSync(LAB_ROOT).filter((f) => join(LAB_ROOT, f) !== NETNS_DIR_MARKER) : [];
  if (left.length) return;
  if (existsSync(NETNS_DIR_MARKER) && await releaseNetnsDir()) rmSync(NETNS_DIR_MARKER, { force: true });
  if (!existsSync(NETNS_DIR_MARKER)) { try { rmdirSync(LAB_ROOT); } catch { /* not empty or gone */ } }
}

export async function labDown(name: string, progress?: Progress): Promise<DownReport> {
  const dir = labDir(name);
  const report: DownReport = { processes: 0, netns: [], sandboxes: [] };
  const say = (s: string): void => progress?.info(s);

  // 1. The daemons (agents first, so nothing re-creates pods), by pidfile.
  const pidDir = join(dir, 'pids');
  const recs = existsSync(pidDir) ? readdirSync(pidDir).map((f) => readPidFile(join(pidDir, f))).filter(recordAlive) : [];
  const order = (n: string): number => (n.startsWith('agent-') ? 0 : n === 'apiserver' ? 1 : 2);
  recs.sort((a, b) => order(a!.name) - order(b!.name));
  if (recs.length) {
    say(`stopping ${recs.map((r) => r!.name).join(', ')}`);
    await terminate(recs.filter((r) => r!.name.startsWith('agent-')).map((r) => r!.pid));
    await terminate(recs.filter((r) => !r!.name.startsWith('agent-')).map((r) => r!.pid));
    report.processes += recs.length;
  }

  // Whatever else runs for this lab (an agent restarted by hand, a container): stop it before the
  // sandboxes go, so nothing re-creates them.
  const early = processesMentioning(`${dir}/`);
  if (early.length) { await terminate(early, 2000); report.processes += early.length; }

  // 2. Pod sandboxes of every node: CNI DEL inside the node netns, pause + containers stopped, netns mounts removed.
  const nodesDir = join(dir, 'nodes');
  for (const node of existsSync(nodesDir) ? readdirSync(nodesDir) : []) {
    const stateDir = join(nodeDir(name, node), 'state');
    if (!existsSync(join(stateDir, 'kubelet'))) continue;
    const ns = netnsName(name, node);
    const nsFile = netnsPath(ns);
    // Never in the root netns: inside the node's netns, or a throwaway one when it is gone.
    const cleanup = [process.execPath, PODNET_MAIN, 'lab', 'node-cleanup', '--state-dir', stateDir];
    const argv = existsSync(nsFile) ? argvInNetns(nsFile, cleanup) : argvInNewNetns([...cleanup, '--no-cni']);
    const r = await exec(argv, { allowFail: true, timeoutMs: 120_000 });
    if (r.code !== 0) say(`node ${node}: sandbox cleanup reported: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0]}`);
    report.sandboxes.push(node);
  }

  // 3. Anything else still running for this lab: by command line, then by namespace.
  const stray = processesMentioning(`${dir}/`);
  if (stray.length) { say(`stopping ${stray.length} leftover process(es)`); await terminate(stray, 1000); report.processes += stray.length; }
  const netns = labNetns(name);
  const inside = processesInNetns(netns.map(netnsPath));
  if (inside.length) { say(`stopping ${inside.length} process(es) inside the lab namespaces`); await terminate(inside, 1000); report.processes += inside.length; }

  // 4. Namespaces (links inside them go with them), mounts, files.
  for (const n of netns) {
    await deleteNamedNetns(n);
    report.netns.push(n);
  }
  if (netns.length) say(`removed namespaces ${netns.join(', ')}`);
  for (const m of labMounts(dir)) await unmountLazy(m);
  rmSync(dir, { recursive: true, force: true });
  await releaseSharedDirs();

  return report;
}
