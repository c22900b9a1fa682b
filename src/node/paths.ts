import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The layout of one node's state under the agent's --state-dir: stand-ins for /etc/cni/net.d,
 * /var/lib/cni, /run/flannel and /var/lib/kubelet, so several nodes can share one machine.
 */
export interface NodePaths {
  /** The CNI network configs (the node's 10-flannel.conflist), like /etc/cni/net.d. */
  confDir: string;
  /** libcni's result cache, like /var/lib/cni. */
  cacheDir: string;
  /** The flannel CNI plugin's saved delegate configs (flannel's dataDir). */
  flannelData: string;
  /** host-local's allocations (its dataDir). */
  ipamData: string;
  /** flanneld's subnet.env, read by the flannel CNI plugin. */
  subnetFile: string;
  /** flanneld's net-conf.json (kube subnet manager). */
  netConf: string;
  /** The kubelet's pod records, logs and socket. */
  kubeletDir: string;
  /** The in-process CNI server's unix socket (the thin clients' PODNET_CNI_SOCKET). */
  cniSocket: string;
  /** The NetworkPolicy enforcer's status (digest of the model the kernel reflects). */
  netpolStatus: string;
}

/** The paths of one node's state under `stateDir`. */
export function agentPaths(stateDir: string): NodePaths {
  return {
    confDir: join(stateDir, 'cni', 'net.d'), cacheDir: join(stateDir, 'cni', 'cache'),
    flannelData: join(stateDir, 'cni', 'flannel'), ipamData: join(stateDir, 'cni', 'networks'),
    subnetFile: join(stateDir, 'flannel', 'subnet.env'), netConf: join(stateDir, 'flannel', 'net-conf.json'),
    kubeletDir: join(stateDir, 'kubelet'), cniSocket: join(stateDir, 'cni.sock'),
    netpolStatus: join(stateDir, 'netpol', 'status.json'),
  };
}

/** Creates the directories of the layout (idempotent). */
export function ensureStateDirs(p: NodePaths): void {
  for (const d of [p.confDir, p.cacheDir, p.flannelData, p.ipamData, p.kubeletDir, dirname(p.subnetFile)]) mkdirSync(d, { recursive: true });
}
