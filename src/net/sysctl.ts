import { nsExec, type NetnsPath } from './exec.js';

/** Sets a sysctl (dotted or slashed key) inside ns, e.g. `net.ipv4.ip_forward` = 1. */
export async function setSysctl(ns: NetnsPath, key: string, value: string | number): Promise<void> {
  await nsExec(ns, ['sysctl', '-q', '-w', `${key}=${value}`]);
}


/** Sets several sysctls in one process. */
export async function setSysctls(ns: NetnsPath, kv: Record<string, string | number>): Promise<void> {
  const args = Object.entries(kv).map(([k, v]) => `${k}=${v}`);
  if (args.length) await nsExec(ns, ['sysctl', '-q', '-w', ...args]);
}
