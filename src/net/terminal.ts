/**
 * Terminal size of an interactive exec: the command runs on a pseudo-terminal (script(1) makes
 * one inside the container's namespaces); a resize finds the process that holds the terminal's
 * slave end on stdin — the first descendant of `rootPid` whose fd 0 is a /dev/pts device — and
 * sets the size through /proc/PID/fd/0 with stty (TIOCSWINSZ; the kernel then sends SIGWINCH to
 * the terminal's foreground process group).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { exec } from '../util/exec.js';

/** Children of every process, from /proc/<pid>/stat. */
function childrenMap(): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = out.get(ppid) ?? [];
      list.push(Number(d));
      out.set(ppid, list);
    } catch { /* gone */ }
  }
  return out;
}

/** The descendant of rootPid (breadth-first) whose stdin is a pseudo-terminal slave. */
export function terminalHolder(rootPid: number): number | undefined {
  const kids = childrenMap();
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    try { if (readlinkSync(`/proc/${pid}/fd/0`).startsWith('/dev/pts/')) return pid; } catch { /* gone or not ours */ }
    queue.push(...(kids.get(pid) ?? []));
  }
  return undefined;
}

/** Sets the terminal size seen by rootPid's pty-holding descendant; false when there is none (yet). */
export async function resizeTerminal(rootPid: number, cols: number, rows: number): Promise<boolean> {
  const pid = terminalHolder(rootPid);
  if (pid === undefined) return false;
  const r = await exec(['stty', '-F', `/proc/${pid}/fd/0`, 'rows', String(rows), 'cols', String(cols)], { allowFail: true });
  return r.code === 0;
}
