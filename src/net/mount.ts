import { exec } from '../util/exec.js';

/** Detaches a mount point now and cleans it up when it is no longer busy (`umount -l`); a missing mount is fine. */
export async function unmountLazy(path: string): Promise<void> {
  await exec(['umount', '-l', path], { allowFail: true });
}
