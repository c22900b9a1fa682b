import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { exec, type ExecResult } from '../util/exec.js';
import { assertNotHost, type NetnsPath } from './exec.js';
import { hostMountNs } from './whereami.js';

export const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): NetnsPath { return `${NETNS_DIR}/${name}`; }

/** Creates a named network namespace (as `ip netns add`) with lo up (unless `loUp: false`: the caller's batch does it). Idempotent. */
export async function createNamedNetns(name: string, o: { loUp?: boolean } = {}): Promise<NetnsPath> {
  const path = netnsPath(name);
  if (!existsSync(path)) await exec(['ip', 'netns', 'add', name]);
  if (o.loUp !== false) await exec(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  return path;
}

/** Many `ip` commands in one process inside the named namespace (`ip -n <name> -batch -`: no nsenter). Refuses the host's. */
export function ipBatchInNamedNetns(name: string, lines: readonly string[]): Promise<ExecResult> {
  assertNotHost(netnsPath(name), `ip -batch in ${name}`);
  return exec(['ip', '-n', name, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

/** Deletes a named namespace (unmounts the bind mount). Missing is fine. */
export async function deleteNamedNetns(name: string): Promise<void> {
  if (existsSync(netnsPath(name))) await exec(['ip', 'netns', 'delete', name], { allowFail: true });
}

export function listNamedNetns(): string[] {
  return existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR) : [];
}

/** The mount points of this process's mount namespace (field 5 of /proc/self/mountinfo). */
export function mountPoints(): string[] {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter(Boolean);
  } catch { return []; }
}

/**
 * Undoes what the first `ip netns add` on a host did: the /run/netns directory and its self bind
 * mount (iproute2 bind-mounts it onto itself), but only while no named namespace is left in it. For callers that know they created it.
 */
export async function releaseNetnsDir(): Promise<boolean> {
  if (!existsSync(NETNS_DIR) || readdirSync(NETNS_DIR).length > 0) return false;
  for (let i = 0; i < 4 && mountPoints().includes(NETNS_DIR); i++) await exec(['umount', NETNS_DIR], { allowFail: true });
  try { rmdirSync(NETNS_DIR); return true; } catch { return false; }
}

/** argv prefix that runs a command in the host's mount namespace when ours is another one (whereami). */
function inHostMounts(): string[] {
  const mnt = hostMountNs();
  return mnt ? ['nsenter', `--mount=${mnt}`, '--'] : [];
}

/**
 * Names a process's network namespace /run/netns/<name> (as `ip netns attach`) and brings its lo
 * up. The bind mount is made in the host's mount namespace, so the host's shell sees it too; only
 * the mount namespace is entered, never a network one.
 */
export async function attachNamedNetns(name: string, pid: number): Promise<NetnsPath> {
  await exec([...inHostMounts(), 'ip', 'netns', 'attach', name, String(pid)]);
  await exec(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  return netnsPath(name);
}

/** Unmounts and removes /run/netns/<name> in the host's mount namespace (as attachNamedNetns made it). Missing is fine. */
export async function detachNamedNetns(name: string): Promise<void> {
  if (existsSync(netnsPath(name))) await exec([...inHostMounts(), 'ip', 'netns', 'delete', name], { allowFail: true });
}
