import { existsSync } from 'node:fs';
import { exec } from '../util/exec.js';
import { nsExec, type NetnsPath } from './exec.js';

/** Whether this kernel can do IPVS: `loaded` when /proc/net/ip_vs exists, else whether modprobe finds the module. */
export interface IpvsSupport { loaded: boolean; moduleFound: boolean; detail: string }

/** Probes ip_vs without loading it: /proc/net/ip_vs, else `modprobe -n ip_vs` (a dry run). */
export async function probeIpvs(): Promise<IpvsSupport> {
  if (existsSync('/proc/net/ip_vs')) return { loaded: true, moduleFound: true, detail: '/proc/net/ip_vs present' };
  const r = await exec(['modprobe', '-n', 'ip_vs'], { allowFail: true }).catch((e: Error) => ({ code: -1, stderr: e.message, stdout: '' }));
  return { loaded: false, moduleFound: r.code === 0, detail: r.code === 0 ? 'modprobe -n ip_vs: found' : `modprobe -n ip_vs: ${(r.stderr || 'failed').trim()}` };
}

/**
 * The IPVS table of a network namespace as the kernel prints it (`/proc/net/ip_vs`, per netns: read by
 * a process inside it), or undefined when the kernel has no ip_vs there.
 */
export async function readIpvsTable(ns: NetnsPath): Promise<string | undefined> {
  const r = await nsExec(ns, ['cat', '/proc/net/ip_vs'], { allowFail: true });
  return r.code === 0 ? r.stdout : undefined;
}
