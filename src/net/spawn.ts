/**
 * Starting a program inside a network namespace, for callers that spawn it themselves (detached
 * daemons, a CNI plugin with its own env and stdin, an interactive shell): the argv that enters the
 * namespace, and an interactive run. For a command whose output is wanted, use nsExec (exec.ts).
 * Each refuses the host's root namespace.
 */
import { spawnSync } from 'node:child_process';
import { SELF, assertNotHost, type NetnsPath } from './exec.js';
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
