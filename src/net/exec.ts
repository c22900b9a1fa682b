import { readlinkSync } from 'node:fs';
import { exec, type ExecOptions, type ExecResult } from '../util/exec.js';
import { PodnetError } from '../util/errors.js';

/**
 * A network namespace: a path the kernel accepts for setns(2) — `/run/netns/<name>` for named
 * namespaces, `/proc/<pid>/ns/net` for a pause process's — or 'self' for the namespace this
 * process runs in (an agent started with `ip netns exec pn-node1 podnet agent`).
 * There is deliberately no value for "the host's namespace": podnet never changes it.
 */
export type NetnsPath = string;
export const SELF: NetnsPath = 'self';

export class HostNamespaceError extends PodnetError {
  constructor(what: string) { super('EHOSTNS', `refusing to ${what} in the host's root network namespace`); }
}

/** True when this process runs in the same network namespace as PID 1 (the host's). */
export function inHostNetns(): boolean {
  try { return readlinkSync('/proc/self/ns/net') === readlinkSync('/proc/1/ns/net'); } catch { return true; }
}

/** Throws unless the namespace is one podnet may change. */
export function assertNotHost(ns: NetnsPath, what: string): void {
  if (!ns) throw new HostNamespaceError(what);
  if (ns === SELF && inHostNetns()) throw new HostNamespaceError(what);
  if (ns !== SELF) {
    try { if (readlinkSync(ns) === readlinkSync('/proc/1/ns/net')) throw new HostNamespaceError(what); } catch (e) { if (e instanceof HostNamespaceError) throw e; }
  }
}

/** Runs argv inside the namespace (nsenter, or directly for SELF). Refuses the host's namespace. */
export function nsExec(ns: NetnsPath, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  assertNotHost(ns, `run ${argv.join(' ')}`);
  return ns === SELF ? exec(argv, opts) : exec(['nsenter', `--net=${ns}`, '--', ...argv], opts);
}

/** `ip -json …` inside ns, parsed. */
export async function ipJson<T = unknown>(ns: NetnsPath, args: readonly string[]): Promise<T> {
  const { stdout } = await nsExec(ns, ['ip', '-json', ...args]);
  return (stdout.trim() ? JSON.parse(stdout) : []) as T;
}

/** Many `ip` commands in one process (`ip -batch -`), inside ns; `force` keeps going past errors. */
export function ipBatch(ns: NetnsPath, lines: readonly string[], opts: { force?: boolean } = {}): Promise<ExecResult> {
  return nsExec(ns, ['ip', ...(opts.force ? ['-force'] : []), '-batch', '-'], { input: lines.join('\n') + '\n' });
}
