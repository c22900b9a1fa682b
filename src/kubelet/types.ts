/** The parts of core/v1 Pod the kubelet reads (kept loose: objects come from the API as JSON). */
import type { KObject } from '../meta/types.js';

export interface ProbeLite {
  tcpSocket?: { port: number | string; host?: string };
  httpGet?: { port: number | string; path?: string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ContainerLite {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name?: string; containerPort: number; hostPort?: number; hostIP?: string; protocol?: string }[];
  readinessProbe?: ProbeLite;
  livenessProbe?: ProbeLite;
  volumeMounts?: VolumeMountLite[];
  securityContext?: SecurityContextLite;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

export interface SecurityContextLite { runAsUser?: number; runAsGroup?: number; [k: string]: unknown }

export interface VolumeMountLite { name: string; mountPath: string; readOnly?: boolean; subPath?: string; subPathExpr?: string }

/** An item of a configMap/secret volume: key → path (mode). */
export interface KeyToPathLite { key: string; path: string; mode?: number }
export interface DownwardItemLite { path: string; fieldRef?: { fieldPath: string }; resourceFieldRef?: { containerName?: string; resource: string }; mode?: number }

export interface VolumeLite {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  hostPath?: { path: string; type?: string };
  configMap?: { name?: string; items?: KeyToPathLite[]; defaultMode?: number; optional?: boolean };
  secret?: { secretName?: string; items?: KeyToPathLite[]; defaultMode?: number; optional?: boolean };
  downwardAPI?: { items?: DownwardItemLite[]; defaultMode?: number };
  projected?: {
    defaultMode?: number;
    sources?: {
      serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
      configMap?: { name?: string; items?: KeyToPathLite[]; optional?: boolean };
      secret?: { name?: string; items?: KeyToPathLite[]; optional?: boolean };
      downwardAPI?: { items?: DownwardItemLite[] };
    }[];
  };
}

/** An ephemeral container (kubectl debug): a container without ports, probes or resources. */
export interface EphemeralContainerLite extends ContainerLite { targetContainerName?: string }

export interface PodSpecLite {
  nodeName?: string;
  containers: ContainerLite[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds?: number;
  dnsPolicy?: string;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] };
  hostname?: string;
  subdomain?: string;
  hostAliases?: { ip: string; hostnames?: string[] }[];
  hostNetwork?: boolean;
  volumes?: VolumeLite[];
  securityContext?: SecurityContextLite;
  serviceAccountName?: string;
  ephemeralContainers?: EphemeralContainerLite[];
}

export interface PodLite extends KObject {
  spec: PodSpecLite;
  status?: { phase?: string; conditions?: unknown[]; [k: string]: unknown };
}

export interface NodeLite extends KObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; [k: string]: unknown };
  status?: Record<string, unknown>;
}
