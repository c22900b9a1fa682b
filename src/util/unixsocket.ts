/**
 * Unix sockets that serve exec or credentials (the API server's, the kubelet's, the agent's CNI
 * socket) live in a directory only root may enter and are themselves mode 0600. The directory is
 * one of podnet's own (created 0700 when missing, tightened to 0700 when it exists): a socket
 * placed directly in a shared system directory (/run, /tmp, …) is refused rather than chmod-ing
 * that directory.
 */
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PodnetError } from './errors.js';

export class SocketDirError extends PodnetError {}

/** Directories shared with the rest of the system: never chmod-ed, never a socket's direct parent. */
export const SHARED_DIRS: ReadonlySet<string> = new Set(['/', '/run', '/var/run', '/tmp', '/var/tmp', '/dev/shm', '/var', '/var/lib', '/etc', '/home', '/root', '/run/netns']);

/** Makes the socket's directory 0700 and removes a stale socket file. Call before listen(). */
export function prepareSocketPath(socketPath: string): void {
  const dir = dirname(resolve(socketPath));
  if (SHARED_DIRS.has(dir)) throw new SocketDirError('ESOCKETDIR', `refusing to serve ${socketPath} directly in the shared directory ${dir}: use a directory of its own (e.g. ${dir}/podnet/)`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new SocketDirError('ESOCKETDIR', `${dir} is not a directory`);
  if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  try {
    if (lstatSync(socketPath).isSocket()) rmSync(socketPath, { force: true });
    else throw new SocketDirError('ESOCKETDIR', `${socketPath} exists and is not a socket`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Tightens a listening socket to 0600. Call right after listen(). */
export function lockSocket(socketPath: string): void {
  chmodSync(socketPath, 0o600);
}
