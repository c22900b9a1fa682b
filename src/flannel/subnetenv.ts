import { mkdirSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatIP, nthAddress, parseCidr } from '../util/addr.js';

export interface SubnetEnv { network: string; subnet: string; mtu: number; ipMasq: boolean }

/** subnet.env as flanneld writes it: FLANNEL_SUBNET is the subnet's first host address with the length. */
export function renderSubnetEnv(e: SubnetEnv): string {
  return [
    `FLANNEL_NETWORK=${e.network}`,
    `FLANNEL_SUBNET=${formatIP(nthAddress(parseCidr(e.subnet), 1))}/${parseCidr(e.subnet).prefix}`,
    `FLANNEL_MTU=${e.mtu}`,
    `FLANNEL_IPMASQ=${e.ipMasq}`,
    '',
  ].join('\n');
}

/** Writes subnet.env atomically (temp file + rename), so the CNI plugin never reads half a file. */
export function writeSubnetEnv(path: string, e: SubnetEnv): void {
  mkdirSync(dirname(path), { recursive: true });
  const text = renderSubnetEnv(e);
  try { if (readFileSync(path, 'utf8') === text) return; } catch { /* new */ }
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
