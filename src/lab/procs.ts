/**
 * The lab's processes: started detached (own session, output to a log file, a pidfile recording
 * pid + start time), found again for `lab down` by pidfile, by command line (the lab dir) and by
 * network namespace, so nothing survives even when the state file is lost.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { procAlive, procStartTime } from '../net/proc.js';

export interface ProcRecord { name: string; pid: number; startTime?: number; argv: string[]; log: string }

/**
 * Marks every process a lab starts, and what those start with an inherited environment (a pod's
 * pause, the agent's helpers): `PODNET_LAB_DIR=<lab dir>`. `lab down` finds them by it even when no
 * record of them was written (an agent SIGKILLed between starting a pause and naming its netns).
 */
export const LAB_DIR_ENV = 'PODNET_LAB_DIR';

/** Starts argv detached with stdout/stderr appended to `log`; writes the pidfile (`<lab dir>/pids/<name>.pid`). */
export function spawnDetached(name: string, argv: string[], o: { log: string; pidFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): ProcRecord {
  mkdirSync(dirname(o.log), { recursive: true });
  mkdirSync(dirname(o.pidFile), { recursive: true });
  const fd = openSync(o.log, 'a');
  const env = { ...process.env, [LAB_DIR_ENV]: dirname(dirname(o.pidFile)), ...o.env };
  const c = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd], env, cwd: o.cwd });
  closeSync(fd);
  c.unref();
  if (!c.pid) throw new Error(`could not start ${name}: ${argv.join(' ')}`);
  const rec: ProcRecord = { name, pid: c.pid, startTime: procStartTime(c.pid), argv, log: o.log };
  writeFileSync(o.pidFile, JSON.stringify(rec) + '\n');
  return rec;
}

export function readPidFile(path: string): ProcRecord | undefined {
  try { return JSON.parse(readFileSync(path, 'utf8')) as ProcRecord; } catch { return undefined; }
}

export function recordAlive(r: ProcRecord | undefined): boolean {
  return !!r && procAlive(r.pid, r.startTime);
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** Alive and not a zombie (a killed daemon whose parent has not reaped it yet counts as gone). */
function alive(p: number): boolean { return procStartTime(p) !== undefined; }

/** SIGTERM, then SIGKILL after graceMs, for the given pids (those still alive). */
export async function terminate(pids: number[], graceMs = 3000): Promise<void> {
  for (const p of pids) { try { process.kill(p, 'SIGTERM'); } catch { /* gone */ } }
  const end = Date.now() + graceMs;
  while (Date.now() < end && pids.some(alive)) await sleep(50);
  for (const p of pids) { try { if (alive(p)) process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
  const end2 = Date.now() + 2000;
  while (Date.now() < end2 && pids.some(alive)) await sleep(20);
}

/**
 * SIGKILL at once, no grace: for `lab down`, where every process and namespace of the lab goes and
 * nothing is left to shut down cleanly. `groups` are session leaders started by spawnDetached: their
 * whole process group goes too (an agent's running iptables-restore, a probe). Resolves when the
 * given pids and leaders are gone (zombies count as gone), or after 3 s; the other members of the groups
 * have been sent SIGKILL but may take a moment longer to die (lab down's later scans catch any left).
 */
export async function killNow(pids: number[], groups: number[] = []): Promise<void> {
  for (const g of groups) { try { process.kill(-g, 'SIGKILL'); } catch { /* no such group */ } }
  for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
  const all = [...new Set([...pids, ...groups])];
  const end = Date.now() + 3000;
  while (Date.now() < end && all.some(alive)) await sleep(5);
}

/**
 * The pids in /proc for which `match` holds, never this process (nor its parent, unless
 * `withParent`). `match` may throw: a process that is gone, or a kernel thread, simply does not match.
 */
function pidsWhere(match: (pid: string) => boolean, o: { withParent?: boolean } = {}): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    if (pid === process.pid || (!o.withParent && pid === process.ppid)) continue;
    try { if (match(d)) out.push(pid); } catch { /* gone or a kernel thread */ }
  }
  return out;
}

/** Processes whose command line mentions `needle` (e.g. the lab dir), never ourselves or our parent. */
export function processesMentioning(needle: string): number[] {
  return pidsWhere((d) => readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').includes(needle));
}

/** Processes whose environment holds exactly `entry` (e.g. `PODNET_LAB_DIR=/run/podnet/lab1`), never ourselves or our parent. */
export function processesWithEnv(entry: string): number[] {
  return pidsWhere((d) => readFileSync(`/proc/${d}/environ`, 'latin1').split('\0').includes(entry));
}

/**
 * The lab's marked processes (processesWithEnv) and every process sharing a network namespace
 * with one of them, except this process's own namespace (the host's, where the API server and a
 * shared agent run): a pause SIGKILLed agents never recorded, and the containers in its netns.
 */
export function markedLabProcesses(labDirPath: string): number[] {
  const marked = processesWithEnv(`${LAB_DIR_ENV}=${labDirPath}`);
  let own = '';
  try { own = readlinkSync('/proc/self/ns/net'); } catch { /* no procfs */ }
  const nets = new Set<string>();
  for (const p of marked) { try { const n = readlinkSync(`/proc/${p}/ns/net`); if (n !== own) nets.add(`/proc/${p}/ns/net`); } catch { /* gone */ } }
  return [...new Set([...marked, ...processesInNetns([...nets])])];
}

/** Processes living in one of the given network namespaces (by nsfs inode). */
export function processesInNetns(netnsFiles: string[]): number[] {
  const inodes = new Set<string>();
  for (const f of netnsFiles) { try { inodes.add(`net:[${statSync(f).ino}]`); } catch { /* gone */ } }
  if (!inodes.size) return [];
  return pidsWhere((d) => inodes.has(readlinkSync(`/proc/${d}/ns/net`)), { withParent: true });
}

