import { SELF, assertNotHost } from '../net/exec.js';
import { cleanupKubeletState } from '../kubelet/index.js';
import { PODNET_CNI_BIN_DIR } from '../cni/runtime/index.js';
import { agentPaths } from './paths.js';
import { nftDeleteTable } from '../net/nft.js';
import { POLICY_FAMILY, POLICY_TABLE } from '../netpol/rules.js';

/**
 * Removes the pod sandboxes recorded in a node's state dir: CNI DEL through the node's conflist
 * (the full plugins: no agent is serving them any more), then pause + containers and their netns.
 * Runs inside the node's netns (`lab down` starts it there); `cni: false` when that netns is gone.
 */
export async function cleanupNodeState(stateDir: string, o: { cni: boolean }): Promise<void> {
  assertNotHost(SELF, 'lab node-cleanup');
  const p = agentPaths(stateDir);
  if (o.cni) await nftDeleteTable(SELF, POLICY_FAMILY, POLICY_TABLE).catch(() => undefined);
  await cleanupKubeletState({ stateDir: p.kubeletDir, ...(o.cni ? { cniConfDir: p.confDir, cniBinDirs: [PODNET_CNI_BIN_DIR], cniCacheDir: p.cacheDir } : {}) });
}
