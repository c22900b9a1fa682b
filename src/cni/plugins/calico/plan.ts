/**
 * The pure part of the calico plugin: interface names as Calico derives them, the container's
 * `ip -batch` lines (a /32 and a default route via the link-local next hop 169.254.1.1), the host
 * veth's sysctls (proxy ARP answers for 169.254.1.1) and the result.
 */
import { createHash } from 'node:crypto';
import type { Result } from '../../types.js';

/** The next hop every Calico pod routes through; no one has it, the host veth answers ARP for it. */
export const CALICO_GATEWAY = '169.254.1.1';
/** The MAC Calico gives every host-side veth (pods learn it for 169.254.1.1). */
export const HOST_VETH_MAC = 'ee:ee:ee:ee:ee:ee';
export const DEFAULT_MTU = 1500;

/** Calico's host-side veth name: "cali" + the first 11 hex digits of sha1("<namespace>.<pod>"). */
export function vethNameForWorkload(namespace: string, pod: string, prefix = 'cali'): string {
  return prefix + createHash('sha1').update(`${namespace}.${pod}`).digest('hex').slice(0, 11);
}

/** Host veth name of an invocation: the pod's identity, or (no Kubernetes args) the container ID. */
export function hostVethName(k8s: { namespace?: string; pod?: string }, containerId: string): string {
  if (k8s.namespace && k8s.pod) return vethNameForWorkload(k8s.namespace, k8s.pod);
  return 'cali' + createHash('sha1').update(containerId).digest('hex').slice(0, 11);
}

/** Lines for `ip -batch` inside the pod: address /32, link up, the on-link next hop, the default route. */
export function containerLines(ifName: string, ip: string): string[] {
  return [
    `addr add ${ip}/32 dev ${ifName}`,
    `link set dev ${ifName} up`,
    `route add ${CALICO_GATEWAY} dev ${ifName} scope link`,
    `route add default via ${CALICO_GATEWAY} dev ${ifName}`,
  ];
}

/** sysctls of the host end: answer ARP for any routable address (169.254.1.1) at once, forward. */
export function hostVethSysctls(dev: string): Record<string, number> {
  return {
    [`net.ipv4.conf.${dev}.proxy_arp`]: 1,
    [`net.ipv4.neigh.${dev}.proxy_delay`]: 0,
    [`net.ipv4.conf.${dev}.forwarding`]: 1,
    [`net.ipv4.conf.${dev}.rp_filter`]: 0,
  };
}

export function calicoResult(cniVersion: string, host: { name: string; mac: string }, cont: { name: string; mac: string; sandbox: string }, ip: string, dns: Result['dns']): Result {
  return {
    cniVersion,
    interfaces: [{ name: host.name, mac: host.mac }, { name: cont.name, mac: cont.mac, sandbox: cont.sandbox }],
    ips: [{ address: `${ip}/32`, interface: 1 }],
    routes: [{ dst: '0.0.0.0/0', gw: CALICO_GATEWAY }],
    dns: dns ?? {},
  };
}
