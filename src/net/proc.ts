/**
 * Processes as the kernel shows them in /proc: identity (pid + start time, so a reused pid is not
 * mistaken for ours), children, command line, signals.
 */
import { readFileSync } from 'node:fs';

/** Start time (field 22 of /proc/PID/stat, clock ticks since boot); undefined when the process is gone. */
export function procStartTime(pid: number): number | undefined {
  try {
    return startTimeFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch { return undefined; }
}

/** Field 22 of a /proc/PID/stat line; undefined for a zombie or dead process. */
export function startTimeFromStat(stat: string): number | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 is rest[19]
  if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
  return Number(rest[19]);
}

/** True when PID is alive and is still the process that started at `startTime` (no PID reuse). */
export function procAlive(pid: number | undefined, startTime: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  const st = procStartTime(pid);
  return st !== undefined && (startTime === undefined || st === startTime);
}

/** Direct children of a process (from /proc/PID/task/PID/children). */
export function procChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { return []; }
}

/** The raw command line (NUL-separated); '' when gone. */
export function procCmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; }
}

export function signalPid(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid || pid <= 0) return;
  try { process.kill(pid, sig); } catch { /* gone */ }
}
