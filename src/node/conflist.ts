import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodePaths } from './paths.js';

/** The file name of the node's network config in confDir (seed 003's). */
export const CONFLIST_FILE = '10-flannel.conflist';

/** seed 003's 10-flannel.conflist, with this node's state paths: flannel (→ bridge → host-local), then portmap. */
export function nodeConflist(p: NodePaths): object {
  return {
    name: 'cbr0', cniVersion: '0.3.1',
    plugins: [
      { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true }, subnetFile: p.subnetFile, dataDir: p.flannelData, ipam: { dataDir: p.ipamData } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/** flanneld's net-conf.json for the kube subnet manager. */
export function flannelNetConf(clusterCidr: string, backend: 'vxlan' | 'host-gw' | 'udp' | undefined): { Network: string; Backend: { Type: string } } {
  return { Network: clusterCidr, Backend: backend === 'host-gw' || backend === 'udp' ? { Type: backend } : { Type: 'vxlan' } };
}

/** Writes `text` by rename, and not at all when the file already holds it (watchers see no change). */
export function writeAtomic(path: string, text: string): void {
  try { if (readFileSync(path, 'utf8') === text) return; } catch { /* new */ }
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** Writes the node's conflist into confDir. */
export function writeNodeConflist(p: NodePaths): void {
  writeAtomic(join(p.confDir, CONFLIST_FILE), JSON.stringify(nodeConflist(p), null, 2) + '\n');
}

/** The file name of the node's network config in calico mode (Calico's). */
export const CALICO_CONFLIST_FILE = '10-calico.conflist';

/** Calico's 10-calico.conflist with this node's name, datastore credentials and IPAM lock: calico (→ calico-ipam), then portmap. */
export function calicoConflist(o: { nodeName: string; kubeconfig: string; mtu: number; ipamLock: string }): object {
  return {
    name: 'k8s-pod-network', cniVersion: '0.3.1',
    plugins: [
      { type: 'calico', log_level: 'info', datastore_type: 'kubernetes', nodename: o.nodeName, mtu: o.mtu, ipam: { type: 'calico-ipam', lockFile: o.ipamLock }, policy: { type: 'k8s' }, kubernetes: { kubeconfig: o.kubeconfig } },
      { type: 'portmap', snat: true, capabilities: { portMappings: true } },
    ],
  };
}

/** Writes the calico conflist and removes the flannel one (one network per node). */
export function writeCalicoConflist(p: NodePaths, o: { nodeName: string; kubeconfig: string; mtu: number; ipamLock: string }): void {
  try { unlinkSync(join(p.confDir, CONFLIST_FILE)); } catch { /* none */ }
  writeAtomic(join(p.confDir, CALICO_CONFLIST_FILE), JSON.stringify(calicoConflist(o), null, 2) + '\n');
}
