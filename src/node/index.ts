/**
 * The node agent (`podnet agent`): one process inside the node's network namespace that composes
 *   - the kubelet (src/kubelet): pods bound to this node → sandboxes, CNI, containers, status;
 *   - flanneld (src/flannel): this node's subnet lease, the overlay backend, subnet.env, masquerade;
 *   - kube-proxy (src/proxy): Services → iptables / nftables / userspace rules;
 *   - the CNI server (src/cni/server.ts): podnet's CNI plugins served in this process;
 * all sharing one API client, and it owns the node's state-dir layout (paths.ts) and network
 * config (conflist.ts). Every part is restart-safe: sandboxes are adopted, flannel converges
 * routes/FDB/neighbours, the proxy rewrites only its own chains.
 *
 * How a pod's network is made here: the kubelet sees a pod bound to this node, starts its pause
 * sandbox (a new netns) and asks the CNI runtime to ADD it. The runtime reads
 * <state>/cni/net.d/10-flannel.conflist and execs the first plugin, bin/cni/fast/flannel: a thin
 * sh client that posts env + stdin to <state>/cni.sock. The CNI server runs the flannel plugin in
 * this process; it reads the subnet.env flanneld wrote and delegates to bridge, which delegates to
 * host-local for the address — both called in-process too (src/cni/invoke.ts `delegate`). The
 * runtime then chains portmap the same way, caches the result, and the kubelet reports the pod IP;
 * the proxy (by informers) and flanneld (by leases) make it reachable from Services and other nodes.
 */
export { startAgent, runAgent, type Agent, type AgentOptions } from './compose.js';
export { agentPaths, ensureStateDirs, type NodePaths } from './paths.js';
export { nodeConflist, writeNodeConflist, flannelNetConf, CONFLIST_FILE } from './conflist.js';
export { cleanupNodeState } from './cleanup.js';
export { startSharedAgent, runSharedAgent, parseSharedAgentConfig, SharedAgentConfigError, type SharedAgent, type SharedAgentConfig, type SharedNodeOptions } from './multinode.js';
