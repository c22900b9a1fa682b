import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/**
 * An exclusive flock(2) on `path`, compatible with the reference plugins (they flock the same file).
 * Node has no flock binding, so a short-lived `flock -x 3` child locks the open file description
 * we share with it; the lock stays held after the child exits, until we close our descriptor.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const fd = openSync(path, 'a', 0o640);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('flock', ['-x', '-w', String(Math.ceil(timeoutMs / 1000)), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
      let err = '';
      child.stderr?.on('data', (b: Buffer) => { err += b.toString(); });
      child.on('error', reject);
      child.on('close', (code) => code === 0 ? resolve() : reject(new Error(`flock ${path} failed (exit ${code}): ${err.trim()}`)));
    });
    return await fn();
  } finally {
    closeSync(fd);
  }
}
