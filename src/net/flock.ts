import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/**
 * An exclusive flock(2) on `path`, compatible with the reference plugins (they flock the same file).
 * Node has no flock binding, so a short-lived `flock -x 3` child locks the open file description
 * we share with it; the lock stays held after the child exits, until we close our descriptor —
 * or, after inProcessFileLocks(), flock(2) is called through koffi on our descriptor.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const fd = openSync(path, 'a', 0o640);
  try {
    if (ffi) await flockFfi(ffi, fd, path, timeoutMs);
    else await flockChild(fd, path, timeoutMs);
    return await fn();
  } finally {
    closeSync(fd);
  }
}

/** flock(2) through koffi, once loaded (see inProcessFileLocks). */
let ffi: { flock: (fd: number, op: number) => number; errno: () => number } | undefined;
const LOCK_EX = 2, LOCK_NB = 4, EWOULDBLOCK = 11, EINTR = 4;

/**
 * From now on this process takes the locks with flock(2) itself (koffi; non-blocking tries 2 ms
 * apart, so the event loop never waits on a lock) instead of a `flock` child per lock. For a
 * long-running process taking many locks (the agent running the CNI plugins in-process); a
 * one-shot plugin process keeps the child, which is cheaper than loading the FFI.
 */
export async function inProcessFileLocks(): Promise<void> {
  if (ffi) return;
  const koffi = (await import('koffi')).default;
  const lib = koffi.load('libc.so.6');
  const flock = lib.func('int flock(int fd, int operation)');
  ffi = { flock: (fd, op) => flock(fd, op) as number, errno: () => koffi.errno() };
}

async function flockFfi(f: NonNullable<typeof ffi>, fd: number, path: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (f.flock(fd, LOCK_EX | LOCK_NB) === 0) return;
    const e = f.errno();
    if (e !== EWOULDBLOCK && e !== EINTR) throw new Error(`flock ${path} failed (errno ${e})`);
    if (Date.now() > end) throw new Error(`flock ${path} failed: not acquired within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function flockChild(fd: number, path: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('flock', ['-x', '-w', String(Math.ceil(timeoutMs / 1000)), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let err = '';
    child.stderr?.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => code === 0 ? resolve() : reject(new Error(`flock ${path} failed (exit ${code}): ${err.trim()}`)));
  });
}
