import { exec, type ExecOptions, type ExecResult } from '../util/exec.js';
import { HostNamespaceError, SELF, netnsChangeable, type NetnsPath } from './whereami.js';

// The namespace vocabulary lives in whereami.ts; re-exported here because every command takes it.
export { SELF, HostNamespaceError, type NetnsPath } from './whereami.js';

/** Throws unless the namespace is one podnet may change (never the host's; see whereami). */
export function assertNotHost(ns: NetnsPath, what: string): void {
  if (!netnsChangeable(ns)) throw new HostNamespaceError(what);
}

/** A namespace named under /run/netns (`ip netns add`, the CNI runtimes' pod namespaces): its name. */
const NAMED_NETNS = /^\/run\/netns\/([A-Za-z0-9][A-Za-z0-9_.-]*)$/;

/**
 * Runs argv inside the namespace (nsenter, or directly for SELF). Refuses the host's namespace.
 * `ip` in a named namespace runs as `ip -n <name>` (one process instead of nsenter + ip).
 */
export function nsExec(ns: NetnsPath, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  assertNotHost(ns, `run ${argv.join(' ')}`);
  return exec(nsArgv(ns, argv), opts);
}

/** The argv nsExec runs for `argv` in ns (pure; no check of the namespace). */
export function nsArgv(ns: NetnsPath, argv: readonly string[]): string[] {
  if (ns === SELF) return [...argv];
  const named = argv[0] === 'ip' && argv[1] !== 'netns' ? NAMED_NETNS.exec(ns) : null;
  return named ? ['ip', '-n', named[1]!, ...argv.slice(1)] : ['nsenter', `--net=${ns}`, '--', ...argv];
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
