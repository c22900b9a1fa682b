/**
 * When a process started, as a date: /proc/PID/stat's field 22 counts clock ticks since boot, and
 * /proc/stat's btime is the boot time in seconds since the epoch. Read-only.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc's tick counts, 100 in the kernel's ABI on every architecture podnet runs on. */
export const USER_HZ = 100;

/** The `btime` line of /proc/stat text, in ms since the epoch; undefined when absent. */
export function btimeFromStat(text: string): number | undefined {
  const m = /^btime (\d+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : undefined;
}

/** Boot time in ms since the epoch; undefined when /proc/stat cannot be read. */
export function bootTimeMs(): number | undefined {
  try { return btimeFromStat(readFileSync('/proc/stat', 'utf8')); } catch { return undefined; }
}

/** The date a process started at `startTicks` (ticks since boot), given the boot time. */
export function startDateMs(startTicks: number, bootMs: number): number {
  return bootMs + Math.round((startTicks * 1000) / USER_HZ);
}
