/** Node registration and status heartbeats. */
import { cpus, release, totalmem, hostname as osHostname, arch } from 'node:os';
import { readFileSync } from 'node:fs';
import { R, isNotFound, type KubeClient } from '../client/index.js';
import type { K8sCondition } from './status.js';
import type { NodeLite } from './types.js';

export const KUBELET_VERSION = 'v1.32.0';
export const RUNTIME_VERSION = 'podnet://0.1.0';

export interface NodeStatusInputs {
  nodeName: string;
  nodeIP: string;
  /** undefined = ready; otherwise why not. */
  notReadyReason?: string;
  now: string;
  old?: K8sCondition[];
  maxPods?: number;
  /**
   * This kubelet's API socket, reported as `daemonEndpoints.kubeletEndpoint.Path` (podnet's
   * extension of DaemonEndpoint). The API server uses it only when the node's own credential
   * writes it, and only under its kubelet socket root (src/api/server/kubeletendpoints.ts).
   */
  kubeletSocket?: string;
}

function readOr(p: string, d: string): string { try { return readFileSync(p, 'utf8').trim(); } catch { return d; } }

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readOr('/etc/os-release', ''));
  return m ? m[1]! : 'Linux';
}

function condition(type: string, status: 'True' | 'False', reason: string, message: string, now: string, old?: K8sCondition[]): Record<string, unknown> {
  const prev = old?.find((c) => c.type === type);
  return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now };
}

/** The Node status this kubelet reports (pure but for reading host facts). */
function nodeStatus(i: NodeStatusInputs): Record<string, unknown> {
  const cap = { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: String(i.maxPods ?? 110), 'ephemeral-storage': '10Gi' };
  const ready = i.notReadyReason === undefined;
  return {
    addresses: [{ type: 'InternalIP', address: i.nodeIP }, { type: 'Hostname', address: i.nodeName }],
    capacity: cap,
    allocatable: cap,
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', i.now, i.old),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', i.now, i.old),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', i.now, i.old),
      ready
        ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', i.now, i.old)
        : condition('Ready', 'False', 'KubeletNotReady', i.notReadyReason!, i.now, i.old),
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 0, ...(i.kubeletSocket ? { Path: i.kubeletSocket } : {}) } },
    nodeInfo: {
      machineID: readOr('/etc/machine-id', ''),
      systemUUID: readOr('/etc/machine-id', ''),
      bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
      kernelVersion: release(),
      osImage: osImage(),
      containerRuntimeVersion: RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: arch() === 'x64' ? 'amd64' : arch(),
    },
  };
}

/** Creates the Node (or merges our labels into it). The kubelet socket goes with the status. */
export async function registerNode(client: KubeClient, nodeName: string): Promise<NodeLite> {
  const labels = { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': arch() === 'x64' ? 'amd64' : arch(), 'podnet.io/host': osHostname() };
  try {
    await client.get<NodeLite>(R.nodes, nodeName);
    return await client.patch<NodeLite>(R.nodes, nodeName, { metadata: { labels } }, 'merge');
  } catch (e) {
    if (!isNotFound(e)) throw e;
    return client.create<NodeLite>(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, labels }, spec: {} });
  }
}

/** Writes the Node's status (merge patch on the status subresource). */
export async function postNodeStatus(client: KubeClient, i: Omit<NodeStatusInputs, 'now' | 'old'>): Promise<NodeLite> {
  const cur = await client.get<NodeLite>(R.nodes, i.nodeName);
  const old = (cur.status?.conditions as K8sCondition[] | undefined) ?? undefined;
  const status = nodeStatus({ ...i, now: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), old });
  return client.patch<NodeLite>(R.nodes, i.nodeName, { status }, 'merge', 'status');
}

/** MicroTime as the API writes it: RFC3339 with 6 fractional digits. */
function microTime(d = new Date()): string { return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'); }

/** Creates or renews the node's Lease in kube-node-lease (holder = node, 40 s duration). */
export async function renewNodeLease(client: KubeClient, nodeName: string, nodeUid?: string): Promise<void> {
  const ref = R.leases('kube-node-lease');
  const spec = { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: microTime() };
  try {
    const cur = await client.get<NodeLite>(ref, nodeName);
    await client.update(ref, { ...cur, spec: { ...(cur.spec ?? {}), ...spec } });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await client.create(ref, {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: nodeName, namespace: 'kube-node-lease', ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] } : {}) },
      spec,
    });
  }
}
