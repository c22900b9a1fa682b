import { existsSync, readFileSync } from 'node:fs';
import { exec } from '../util/exec.js';

/**
 * Whether a kernel module is loaded, built in, or loadable on this kernel (read-only: /sys/module,
 * modules.builtin, `modprobe -n`). Used to refuse features the kernel lacks (ipip) with a clear message.
 */
export async function kernelModuleAvailable(name: string): Promise<boolean> {
  if (existsSync(`/sys/module/${name}`)) return true;
  try {
    const rel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    if (readFileSync(`/lib/modules/${rel}/modules.builtin`, 'utf8').split('\n').some((l) => l.endsWith(`/${name}.ko`))) return true;
  } catch { /* no module tree */ }
  const r = await exec(['modprobe', '-n', '-q', name], { allowFail: true });
  return r.code === 0;
}
