import { readFileSync, writeFileSync } from 'node:fs';
import { SELF, assertNotHost, nsExec, type NetnsPath } from './exec.js';

/** /proc/sys path of a `net.*` key (dotted or slashed); undefined for anything else or a key with odd characters. */
function procSysNetPath(key: string): string | undefined {
  const k = key.includes('/') ? key : key.replaceAll('.', '/');
  return /^net\/[A-Za-z0-9_/-]+$/.test(k) && !k.includes('..') ? `/proc/sys/${k}` : undefined;
}

/**
 * Sets a sysctl (dotted or slashed key) inside ns, e.g. `net.ipv4.ip_forward` = 1. In this
 * process's own namespace a `net.*` key is written straight to /proc/sys (per-netns: it is the
 * writer's namespace that counts), and not at all when it already holds the value; else `sysctl`.
 */
export async function setSysctl(ns: NetnsPath, key: string, value: string | number): Promise<void> {
  const path = ns === SELF ? procSysNetPath(key) : undefined;
  if (path) {
    assertNotHost(ns, `set ${key}`);
    try {
      if (readFileSync(path, 'utf8').trim() === String(value)) return;
      writeFileSync(path, `${value}\n`);
      return;
    } catch { /* fall back to sysctl(8), which reports the error */ }
  }
  await nsExec(ns, ['sysctl', '-q', '-w', `${key}=${value}`]);
}


/** Sets several sysctls in one process. */
export async function setSysctls(ns: NetnsPath, kv: Record<string, string | number>): Promise<void> {
  const args = Object.entries(kv).map(([k, v]) => `${k}=${v}`);
  if (args.length) await nsExec(ns, ['sysctl', '-q', '-w', ...args]);
}
