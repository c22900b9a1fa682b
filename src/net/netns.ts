import { existsSync, readdirSync } from 'node:fs';
import { exec } from '../util/exec.js';
import type { NetnsPath } from './exec.js';

export const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): NetnsPath { return `${NETNS_DIR}/${name}`; }

/** Creates a named network namespace (as `ip netns add`) with lo up. Idempotent. */
export async function createNamedNetns(name: string): Promise<NetnsPath> {
  const path = netnsPath(name);
  if (!existsSync(path)) await exec(['ip', 'netns', 'add', name]);
  await exec(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  return path;
}

/** Deletes a named namespace (unmounts the bind mount). Missing is fine. */
export async function deleteNamedNetns(name: string): Promise<void> {
  if (existsSync(netnsPath(name))) await exec(['ip', 'netns', 'delete', name], { allowFail: true });
}

export function listNamedNetns(): string[] {
  return existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR) : [];
}
