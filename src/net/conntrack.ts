import { nsExec, type NetnsPath } from './exec.js';

/** Deletes conntrack entries of a UDP service IP/port (stale after its endpoints change), as kube-proxy does. */
export async function conntrackDeleteUdp(ns: NetnsPath, origDst: string, port?: number): Promise<void> {
  const args = ['conntrack', '-D', '-p', 'udp', '--orig-dst', origDst, ...(port ? ['--orig-port-dst', String(port)] : [])];
  await nsExec(ns, args, { allowFail: true });
}

/** Deletes UDP conntrack entries DNATed to an endpoint that went away. */
export async function conntrackDeleteUdpEndpoint(ns: NetnsPath, endpointIP: string): Promise<void> {
  await nsExec(ns, ['conntrack', '-D', '-p', 'udp', '--reply-src', endpointIP], { allowFail: true });
}
