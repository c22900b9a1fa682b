import { probeIpvs } from '../net/ipvs.js';
import { PodnetError } from '../util/errors.js';

export class IpvsUnavailableError extends PodnetError {
  constructor(detail: string) { super('EIPVS', `--proxy-mode ipvs needs the kernel module ip_vs, which this kernel does not have (${detail}); use --proxy-mode iptables or nftables`); }
}

/** Detects ip_vs: /proc/net/ip_vs, else `modprobe -n ip_vs`. Throws IpvsUnavailableError naming the module. */
export async function assertIpvsAvailable(): Promise<void> {
  const s = await probeIpvs();
  if (s.loaded) return;
  if (s.moduleFound) throw new IpvsUnavailableError('module ip_vs exists but is not loaded: /proc/net/ip_vs is absent; podnet has no IPVS proxier to drive it');
  throw new IpvsUnavailableError(`/proc/net/ip_vs absent; ${s.detail}`);
}
