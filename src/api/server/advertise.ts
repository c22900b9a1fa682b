/**
 * What the API server tells the cluster about itself (kube-apiserver's --advertise-address): the
 * names and addresses its serving certificate must carry so pods can verify it through the
 * `kubernetes` Service, and the `default/kubernetes` endpoints pointing at the advertised address.
 */
import type { Logger } from 'pino';
import { formatIP, isIP, nthAddress, parseCidr } from '../../util/addr.js';
import { PodnetError } from '../../util/errors.js';
import type { Sans } from '../pki.js';
import { startMasterEndpointReconciler } from './master-endpoints.js';
import type { Registry } from './registry.js';

export class AdvertiseError extends PodnetError {}

export interface AdvertiseOptions {
  /** The Service CIDR: its first address is the `kubernetes` Service's ClusterIP. */
  serviceClusterIpRange: string;
  /** The address the cluster reaches this API server at (kube-apiserver --advertise-address). */
  advertiseAddress?: string;
  /** Cluster DNS domain (default cluster.local). */
  clusterDomain?: string;
}

/** The `kubernetes` Service's ClusterIP: the first address of the Service CIDR (pure). */
export function kubernetesServiceIP(serviceCidr: string): string {
  return formatIP(nthAddress(parseCidr(serviceCidr), 1));
}

/**
 * SANs the serving certificate needs beyond loopback (pure): the advertised address, the
 * `kubernetes` ClusterIP and the Service's DNS names in the cluster domain, as kubeadm puts them.
 */
export function servingSans(o: AdvertiseOptions): Required<Sans> {
  const domain = (o.clusterDomain ?? 'cluster.local').replace(/\.$/, '');
  return {
    dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${domain}`],
    ips: [kubernetesServiceIP(o.serviceClusterIpRange), ...(o.advertiseAddress ? [o.advertiseAddress] : [])],
  };
}

/** Checks an advertised address and port (flags). */
export function checkAdvertise(address: string | undefined, port: number | undefined): void {
  if (address !== undefined && !isIP(address)) throw new AdvertiseError('EFLAG', `--advertise-address must be an IP address, not "${address}"`);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new AdvertiseError('EFLAG', `--advertise-port must be 1-65535, not "${port}"`);
}

/**
 * With an advertised address, keeps `default/kubernetes` Endpoints + EndpointSlice at
 * address:port until `signal` aborts; without one, does nothing.
 */
export function advertiseEndpoints(reg: Registry, o: { advertiseAddress?: string; advertisePort: number }, log: Logger, signal: AbortSignal): void {
  if (!o.advertiseAddress) return;
  const r = startMasterEndpointReconciler(reg, { ip: o.advertiseAddress, port: o.advertisePort }, log);
  if (signal.aborted) r.stop();
  else signal.addEventListener('abort', () => r.stop(), { once: true });
}
