import { ipJson, nsExec, type NetnsPath } from './exec.js';

/** A neighbour entry as `ip -json neigh show` reports it. */
export interface NeighInfo { dst: string; dev?: string; lladdr?: string; state?: string[] }

export async function listNeigh(ns: NetnsPath, dev: string): Promise<NeighInfo[]> {
  return ipJson<NeighInfo[]>(ns, ['-4', 'neigh', 'show', 'dev', dev]);
}

/** A permanent ARP entry (flannel's vxlan: the remote VTEP address → its MAC). */
export async function replacePermanentNeigh(ns: NetnsPath, dev: string, ip: string, mac: string): Promise<void> {
  await nsExec(ns, ['ip', 'neigh', 'replace', ip, 'lladdr', mac, 'dev', dev, 'nud', 'permanent']);
}

export async function delNeigh(ns: NetnsPath, dev: string, ip: string): Promise<boolean> {
  const r = await nsExec(ns, ['ip', 'neigh', 'del', ip, 'dev', dev], { allowFail: true });
  return r.code === 0;
}
