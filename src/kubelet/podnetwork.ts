/** The pod network as the kubelet sees it: the CNI runtime behind an interface, and a pod's attachment. */
import type { PodLite } from './types.js';

/** What the kubelet needs from the CNI runtime (src/cni/runtime CniRuntime satisfies it). */
export interface PodNetwork {
  setUp(p: PodNetAttachment): Promise<{ ips: string[]; result: unknown }>;
  tearDown(p: PodNetAttachment): Promise<void>;
  status(): Promise<void>;
  /** CNI GC (spec 1.1): drop cached attachments that are not in `valid`. */
  gc?(valid: { containerId: string; ifName: string }[]): Promise<unknown>;
}
export interface PodNetAttachment {
  containerId: string; netnsPath: string; ifName: string; podName: string; podNamespace: string; podUid: string;
  portMappings?: { hostPort: number; containerPort: number; protocol?: 'tcp' | 'udp' | 'sctp'; hostIP?: string }[];
  capabilityArgs?: Record<string, unknown>;
  /** Extra CNI_ARGS (e.g. IP= for a pod that asks for a fixed address with the podnet.io/ip annotation). */
  cniArgs?: [string, string][];
}

/** Pod annotation asking host-local for a fixed address (passed as CNI_ARGS IP=…, as upstream's static IP requests). */
const POD_IP_ANNOTATION = 'podnet.io/ip';

/** The pod's interface inside its sandbox. */
export const POD_IFNAME = 'eth0';

/**
 * The attachment of a sandbox; with the pod (ADD) also its host ports and a requested address.
 * DEL needs only the identity.
 */
export function podAttachment(s: { sandboxId: string; netnsPath: string; namespace: string; name: string; uid: string }, pod?: PodLite): PodNetAttachment {
  const a: PodNetAttachment = {
    containerId: s.sandboxId, netnsPath: s.netnsPath, ifName: POD_IFNAME,
    podName: s.name, podNamespace: s.namespace, podUid: s.uid,
  };
  if (pod) {
    const pm = pod.spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => ({
      hostPort: p.hostPort!, containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp' | 'sctp', ...(p.hostIP ? { hostIP: p.hostIP } : {}),
    })));
    if (pm.length) a.portMappings = pm;
    const ip = (pod.metadata as { annotations?: Record<string, string> }).annotations?.[POD_IP_ANNOTATION];
    if (ip) a.cniArgs = [['IP', ip]];
  }
  return a;
}
