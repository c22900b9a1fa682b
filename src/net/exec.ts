import { readlinkSync, statSync } from 'node:fs';
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

/**
 * The host's (initial) network namespace, as `net:[inode]`. PID 1's link is not always readable
 * (some sandboxes deny it even to root); kernel threads such as kthreadd (PID 2) always live in the
 * initial namespace, so they are asked next. Undefined when neither can be read.
 */
export function hostNetnsId(): string | undefined {
  for (const pid of [1, 2]) {
    try { return readlinkSync(`/proc/${pid}/ns/net`); } catch { /* try the next */ }
  }
  return undefined;
}

/** True when this process runs in the host's network namespace (or when that cannot be told: fail safe). */
export function inHostNetns(): boolean {
  const host = hostNetnsId();
  try { return host === undefined || readlinkSync('/proc/self/ns/net') === host; } catch { return true; }
}

/** Throws unless the namespace is one podnet may change. */
export function assertNotHost(ns: NetnsPath, what: string): void {
  if (!ns) throw new HostNamespaceError(what);
  if (ns === SELF && inHostNetns()) throw new HostNamespaceError(what);
  if (ns !== SELF) {
    let id: string | undefined;
    try { id = readlinkSync(ns); } catch { /* a bind-mounted nsfs file is not a symlink: compare by inode below */ }
    const host = hostNetnsId();
    if (host === undefined) throw new HostNamespaceError(what);
    if (id === host) throw new HostNamespaceError(what);
    if (id === undefined) {
      try { if (`net:[${statSync(ns).ino}]` === host) throw new HostNamespaceError(what); } catch (e) { if (e instanceof HostNamespaceError) throw e; }
    }
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
