import { readlinkSync } from 'node:fs';
import { SELF, inHostNetns, type NetnsPath } from '../net/exec.js';
import { CniError, ErrCode } from './types.js';

/** The inode the kernel gives the initial network namespace (PROC_NET_INIT_INO, stable since Linux 3.8). */
const INIT_NET = 'net:[4026531833]';

let cached: NetnsPath | undefined;

/**
 * The namespace a plugin treats as "the host" (where bridges and host-side veths go): the one it
 * was started in. Refuses the machine's root namespace. When /proc/1/ns/net is unreadable (no
 * CAP_SYS_PTRACE), `SELF` is refused by exec.ts, so the namespace is named by our own
 * /proc/<pid>/ns/net after checking it is not the initial one.
 */
export function pluginHostNs(): NetnsPath {
  if (cached) return cached;
  let own: string;
  try { own = readlinkSync('/proc/self/ns/net'); } catch (e) { throw new CniError(ErrCode.IO, 'cannot read /proc/self/ns/net', (e as Error).message); }
  if (own === INIT_NET) throw new CniError(ErrCode.Internal, "refusing to change the host's root network namespace (run the plugin inside a node namespace)");
  let pid1: string | undefined;
  try { pid1 = readlinkSync('/proc/1/ns/net'); } catch { pid1 = undefined; }
  if (pid1 !== undefined && pid1 === own) throw new CniError(ErrCode.Internal, "refusing to change the host's network namespace");
  cached = inHostNetns() ? `/proc/${process.pid}/ns/net` : SELF;
  return cached;
}
