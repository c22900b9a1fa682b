/**
 * The calico plugins' network config (the keys of Calico's 10-calico.conflist that podnet uses):
 * `nodename`, `mtu`, `kubernetes.kubeconfig` (the datastore: our API), `ipam.type` and
 * `ipam.lockFile` (the host-wide IPAM lock, /var/run/calico/ipam.lock by default), plus the pod's
 * identity from CNI_ARGS. Parsed and defaulted once; errors are CNI "invalid network config".
 */
import { hostname } from 'node:os';
import { CniError, ErrCode, parseCniArgs, type CmdArgs } from '../../types.js';
import { DEFAULT_MTU } from './plan.js';

export interface CalicoConf {
  cniVersion: string;
  name: string;
  nodename: string;
  mtu: number;
  kubeconfig: string;
  ipamType: string;
  lockFile: string;
  k8s: { namespace?: string; pod?: string; containerId: string };
}

export const DEFAULT_KUBECONFIG = '/etc/cni/net.d/calico-kubeconfig';
export const DEFAULT_LOCK = '/var/run/calico/ipam.lock';

export function loadCalicoConf(a: Pick<CmdArgs, 'conf' | 'args' | 'containerId'>): CalicoConf {
  const c = a.conf;
  const mtu = c.mtu === undefined ? DEFAULT_MTU : c.mtu;
  if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new CniError(ErrCode.InvalidNetworkConfig, `calico: invalid mtu ${JSON.stringify(c.mtu)} (68-65535)`);
  const k = (c.kubernetes ?? {}) as Record<string, unknown>;
  if (c.kubernetes !== undefined && (typeof c.kubernetes !== 'object' || c.kubernetes === null)) throw new CniError(ErrCode.InvalidNetworkConfig, 'calico: "kubernetes" must be an object');
  if (k.kubeconfig !== undefined && typeof k.kubeconfig !== 'string') throw new CniError(ErrCode.InvalidNetworkConfig, 'calico: kubernetes.kubeconfig must be a path');
  if (c.nodename !== undefined && (typeof c.nodename !== 'string' || !c.nodename)) throw new CniError(ErrCode.InvalidNetworkConfig, 'calico: nodename must be a non-empty string');
  const ipam = (c.ipam ?? { type: 'calico-ipam' }) as Record<string, unknown>;
  const args = new Map(parseCniArgs(a.args));
  return {
    cniVersion: c.cniVersion, name: c.name,
    nodename: (c.nodename as string | undefined) ?? hostname(),
    mtu,
    kubeconfig: (k.kubeconfig as string | undefined) ?? DEFAULT_KUBECONFIG,
    ipamType: typeof ipam.type === 'string' ? ipam.type : 'calico-ipam',
    lockFile: typeof ipam.lockFile === 'string' ? ipam.lockFile : DEFAULT_LOCK,
    k8s: { namespace: args.get('K8S_POD_NAMESPACE'), pod: args.get('K8S_POD_NAME'), containerId: args.get('K8S_POD_INFRA_CONTAINER_ID') ?? a.containerId },
  };
}

/** The IPAM handle of an attachment, as Calico names it: "<network name>.<container ID>". */
export function handleId(c: CalicoConf, containerId: string): string {
  return `${c.name}.${containerId}`.toLowerCase();
}
