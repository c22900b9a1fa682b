/**
 * The one call that starts a process inside a running container for exec: argv in the
 * container's namespaces, stdio piped; with `tty` on a pseudo-terminal (script(1) allocates it
 * inside the container's namespaces, so output and stderr all come back on stdout) whose size
 * resize() sets. Streaming (streaming/*.ts) only ever uses this, so how a container process is
 * started (namespaces, root filesystem, env/cwd/user) can change here alone.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnInProcessNamespaces } from '../net/nsproc.js';
import { resizeTerminal } from '../net/terminal.js';

/**
 * Where exec runs: the container's init process (its namespaces are joined) and, from the runtime, how
 * to start a process in the container itself (its root filesystem, environment, working directory and
 * user: PodRuntime.execProcess). Without `start` the process only joins the init's namespaces.
 */
export interface ExecTarget {
  initPid: number;
  start?: (argv: readonly string[], o: { tty: boolean }) => ChildProcessWithoutNullStreams;
}

export interface ContainerProcess {
  proc: ChildProcessWithoutNullStreams;
  /** Sets the terminal size (tty only); resolves false when the terminal is not there (yet). */
  resize(cols: number, rows: number): Promise<boolean>;
}

/** POSIX shell single-quoting. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function startContainerProcess(target: ExecTarget, argv: readonly string[], o: { tty: boolean }): ContainerProcess {
  const proc = target.start ? target.start(argv, o) : spawnInProcessNamespaces(target.initPid, o.tty ? ['script', '-qfec', argv.map(shellQuote).join(' '), '/dev/null'] : argv);
  return {
    proc,
    resize: (cols, rows) => (o.tty && proc.pid ? resizeTerminal(proc.pid, cols, rows) : Promise.resolve(false)),
  };
}
