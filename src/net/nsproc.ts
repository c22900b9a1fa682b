/**
 * Processes in namespaces: detached processes (optionally in a new network namespace), the argv of
 * an isolated process (a netns to join plus its own PID, mount and UTS namespaces, hostname and
 * bind mounts), and commands run in a running process's namespaces. The kubelet's sandbox asks for
 * these; the command strings (unshare, nsenter, hostname, mount) live only here.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { exec, type ExecOptions, type ExecResult } from '../util/exec.js';
import type { NetnsPath } from './whereami.js';

/**
 * Starts argv detached — its own session (setsid), stdio on /dev/null — so it outlives this
 * process. With `newNetns` it runs in a new network namespace: unshare (no --fork) execs argv in
 * place, so the pid returned is argv's. Undefined when the process could not be started.
 */
export function spawnDetached(argv: readonly string[], o: { newNetns?: boolean; env?: NodeJS.ProcessEnv } = {}): number | undefined {
  const full = o.newNetns ? ['unshare', '--net', '--', ...argv] : [...argv];
  const fd = openSync('/dev/null', 'r');
  try {
    const child = spawn(full[0]!, full.slice(1), { detached: true, stdio: [fd, 'ignore', 'ignore'], env: o.env ?? process.env });
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } finally { closeSync(fd); }
}

export interface IsolatedProcess {
  /** The network namespace to join. */
  netnsPath: NetnsPath;
  hostname: string;
  /** Files bind-mounted over paths of the new (private) mount namespace, e.g. /etc/hosts. */
  binds: readonly { source: string; target: string }[];
  /** What then runs, as PID 1 of the new PID namespace (exec'd in place of the set-up shell). */
  argv: readonly string[];
}

/** Exit code of an isolated process whose set-up (hostname, bind mounts) failed. */
export const ISOLATION_FAILED = 128;

/**
 * Set-up shell: hostname, then N bind mounts (source target pairs), then exec of the rest. Any
 * failure exits ISOLATION_FAILED before the command runs.
 */
const ISOLATE = `hostname "$1" || exit ${ISOLATION_FAILED}; n=$2; shift 2; `
  + `while [ "$n" -gt 0 ]; do mount --bind "$1" "$2" || exit ${ISOLATION_FAILED}; shift 2; n=$((n-1)); done; exec "$@"`;

/**
 * argv that runs p.argv in p's network namespace with its own PID (forked: it becomes PID 1, /proc
 * remounted), mount (private propagation) and UTS namespaces. The process that runs this argv
 * (nsenter exec'd into unshare) is the parent of the isolated PID 1.
 */
export function isolatedProcessArgv(p: IsolatedProcess): string[] {
  return ['nsenter', `--net=${p.netnsPath}`, '--', 'unshare', '--pid', '--fork', '--mount', '--uts', '--mount-proc', '--propagation', 'private', '--',
    'bash', '-c', ISOLATE, 'isolate', p.hostname, String(p.binds.length), ...p.binds.flatMap((b) => [b.source, b.target]), ...p.argv];
}

/** argv that runs a command in the net, pid, mount and uts namespaces of a running process. */
function joinArgv(pid: number, argv: readonly string[]): string[] {
  return ['nsenter', '-t', String(pid), '--net', '--pid', '--mount', '--uts', '--', ...argv];
}

/** Runs a command in a process's namespaces (net, pid, mount, uts) to completion. */
export function execInProcessNamespaces(pid: number, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  return exec(joinArgv(pid, argv), opts);
}

/** Starts a command in a process's namespaces with piped stdio (interactive exec); the caller owns it. */
export function spawnInProcessNamespaces(pid: number, argv: readonly string[]): ChildProcessWithoutNullStreams {
  const full = joinArgv(pid, argv);
  return spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
}
