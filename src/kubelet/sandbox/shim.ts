/**
 * The container shim: bash, detached. Runs argv with stdout/stderr turned into CRI log lines
 * (`<RFC3339Nano> <stream> F <line>`) appended to $LOG, records the child pid and finally the
 * exit code (each written atomically) in its run dir, so a restarted agent can still learn how the
 * container ended.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnDetached } from '../../net/nsproc.js';
import type { ContainerExit } from './types.js';

const SHIM = `#!/bin/bash
# podnet container shim: shim DIR LOG STDIN -- argv...   (STDIN: a FIFO to create and read, or /dev/null)
set -u
dir=$1; log=$2; in=$3; shift 4
cpath=\${PATH-}; PATH=/usr/sbin:/usr/bin:/sbin:/bin
exec 3>>"$log"
if [[ $in != /dev/null ]]; then
  # held open read-write by the shim: the container sees no EOF while no attach client writes
  mkfifo -m 0600 "$in" && exec 6<>"$in" || in=/dev/null
fi
fmt() {
  # runs in its own process (process substitution): the container's environment stays untouched
  export LC_ALL=C TZ=UTC
  local stream=$1 line t ts
  while IFS= read -r line || [[ -n $line ]]; do
    t=$EPOCHREALTIME
    printf -v ts '%(%Y-%m-%dT%H:%M:%S)T' "\${t%.*}"
    printf '%s.%s000Z %s F %s\\n' "$ts" "\${t#*.}" "$stream" "$line" >&3
  done
}
exec 4> >(fmt stdout) 5> >(fmt stderr)
PATH=$cpath "$@" >&4 2>&5 <"$in" 3>&- 4>&- 5>&- 6>&- 7>"$dir/setup" &
pid=$!
exec 4>&- 5>&-
echo "$pid" > "$dir/pid.tmp" && mv "$dir/pid.tmp" "$dir/pid"
wait "$pid"; rc=$?
wait 2>/dev/null
echo "$rc" > "$dir/exit.tmp" && mv "$dir/exit.tmp" "$dir/exit"
`;

function readFileSafe(p: string): string { try { return readFileSync(p, 'utf8'); } catch { return ''; } }

/** Writes the shim script under dir (atomically: running shims keep their old inode); returns its path. */
export function installShim(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, 'shim.sh');
  if (readFileSafe(p) !== SHIM) {
    writeFileSync(`${p}.tmp`, SHIM, { mode: 0o755 });
    renameSync(`${p}.tmp`, p);
  }
  return p;
}

/** Starts argv under the shim (detached); returns the shim's pid. */
export function startShim(shimPath: string, runDir: string, logPath: string, argv: readonly string[], env: NodeJS.ProcessEnv, stdinFifo?: string): number | undefined {
  return spawnDetached(['/bin/bash', shimPath, runDir, logPath, stdinFifo ?? '/dev/null', '--', ...argv], { env });
}

/** A run dir still free for a new attempt (no pid or exit file yet). */
export function runDirFree(runDir: string): boolean {
  return !existsSync(join(runDir, 'pid')) && !existsSync(join(runDir, 'exit'));
}

/** The pid the shim recorded for its child; undefined until written. */
export function shimChildPid(runDir: string): number | undefined {
  const t = readFileSafe(join(runDir, 'pid')).trim();
  return t ? Number(t) : undefined;
}

/** The exit code the shim recorded (and when: the file's mtime), or undefined while running. */
export function shimExit(runDir: string): ContainerExit | undefined {
  const t = readFileSafe(join(runDir, 'exit')).trim();
  if (t === '') return undefined;
  let finishedAt: string | undefined;
  try { finishedAt = statSync(join(runDir, 'exit')).mtime.toISOString(); } catch { /* gone meanwhile */ }
  return { code: Number(t), ...(finishedAt ? { finishedAt } : {}) };
}

/** True once the container's init reported its set-up done (fd 7 → `<runDir>/setup`). */
export function setUpDone(runDir: string): boolean {
  try { return statSync(join(runDir, 'setup')).size > 0; } catch { return false; }
}

/** True once the shim wrote an exit file (even an empty one being renamed in). */
export function shimExited(runDir: string): boolean { return existsSync(join(runDir, 'exit')); }
