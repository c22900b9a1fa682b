/**
 * Starting a program inside a network namespace, for callers that spawn it themselves (detached
 * daemons, a CNI plugin with its own env and stdin, an interactive shell): the argv that enters the
 * namespace, and an interactive run. For a command whose output is wanted, use nsExec (exec.ts).
 * Each refuses the host's root namespace.
 */
import { spawnSync } from 'node:child_process';
import { exec, type ExecOptions, type ExecResult } from '../util/exec.js';
import { HostNamespaceError, SELF, assertNotHost, type NetnsPath } from './exec.js';
import { netnsPath } from './netns.js';

/** The argv that runs `argv` inside `ns` (`nsenter --net=<ns> --`; unchanged for SELF). */
export function argvInNetns(ns: NetnsPath, argv: readonly string[]): string[] {
  assertNotHost(ns, `run ${argv.join(' ')}`);
  return ns === SELF ? [...argv] : ['nsenter', `--net=${ns}`, '--', ...argv];
}

/** The argv that runs `argv` in a new, empty network namespace of its own (`unshare --net --`), gone when it exits. */
export function argvInNewNetns(argv: readonly string[]): string[] {
  return ['unshare', '--net', '--', ...argv];
}

/**
 * Runs `argv` inside the named namespace as `ip netns exec` does (its /etc/netns/<name> files and
 * a /sys of that namespace), with this process's stdin/stdout/stderr; returns the exit status.
 */
export function runInNamedNetns(name: string, argv: readonly string[]): number {
  assertNotHost(netnsPath(name), `run ${argv.join(' ')}`);
  const r = spawnSync('ip', ['netns', 'exec', name, ...argv], { stdio: 'inherit' });
  return r.status ?? 1;
}

/** Runs `argv` inside the named namespace as `ip netns exec` does, its output captured (for a command whose output is shown). */
export function execInNamedNetns(name: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  assertNotHost(netnsPath(name), `run ${argv.join(' ')}`);
  return exec(['ip', 'netns', 'exec', name, ...argv], opts);
}

/** Runs `argv` in the network namespace of process `pid` (`nsenter --target PID -n`), its output captured. */
export function execInPidNetns(pid: number, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  if (!Number.isInteger(pid) || pid <= 1) throw new HostNamespaceError(`enter the netns of pid ${pid}`);
  assertNotHost(`/proc/${pid}/ns/net`, `run ${argv.join(' ')}`);
  return exec(['nsenter', '--target', String(pid), '-n', '--', ...argv], opts);
}

/** Read-only views of the host's namespaces (`lsns`, `ip netns identify`): they list, never change. */
const HOST_READERS = new Set(['lsns', 'ip netns identify', 'ip netns list']);

/** Runs one of the read-only namespace listings on the host, its output captured; anything else is refused. */
export function execHostNamespaceReader(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  const key = argv[0] === 'ip' ? argv.slice(0, 3).join(' ') : argv[0]!;
  if (!HOST_READERS.has(key)) throw new HostNamespaceError(`run ${argv.join(' ')} on the host (only ${[...HOST_READERS].join(', ')} are allowed)`);
  return exec(argv, opts);
}
