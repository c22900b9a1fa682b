import { exec, type ExecOptions, type ExecResult } from '../util/exec.js';
import { PodnetError } from '../util/errors.js';

/**
 * A network namespace, named by a path the kernel accepts for setns(2):
 * `/run/netns/<name>` for named namespaces, `/proc/<pid>/ns/net` for a pause process's.
 * There is deliberately no value for "the host's namespace": podnet never changes it.
 */
export type NetnsPath = string;

export class HostNamespaceError extends PodnetError {
  constructor(what: string) { super('EHOSTNS', `refusing to ${what} in the host's root network namespace`); }
}

/** Runs argv inside the namespace (via nsenter). Throws HostNamespaceError if ns is empty. */
export function nsExec(ns: NetnsPath, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  if (!ns) throw new HostNamespaceError(`run ${argv[0]}`);
  return exec(['nsenter', `--net=${ns}`, '--', ...argv], opts);
}

/** `ip -json …` inside ns, parsed. */
export async function ipJson<T = unknown>(ns: NetnsPath, args: readonly string[]): Promise<T> {
  const { stdout } = await nsExec(ns, ['ip', '-json', ...args]);
  return (stdout.trim() ? JSON.parse(stdout) : []) as T;
}

/** Many `ip` commands in one process (`ip -batch -`), inside ns. `-force` keeps going past errors when asked. */
export function ipBatch(ns: NetnsPath, lines: readonly string[], opts: { force?: boolean } = {}): Promise<ExecResult> {
  return nsExec(ns, ['ip', ...(opts.force ? ['-force'] : []), '-batch', '-'], { input: lines.join('\n') + '\n' });
}
