import type { Endpoint, ServicePort } from './types.js';

/** A cheap content key of a service port and its endpoints (what its rules depend on, with the opts fixed). */
export function serviceKey(sp: ServicePort, eps: readonly Endpoint[], large: boolean): string {
  let k = `${sp.name}|${sp.clusterIP}|${sp.port}|${sp.protocol}|${sp.nodePort}|${sp.externalIPs.join(',')}|${sp.loadBalancerIPs.join(',')}|${sp.sessionAffinity.clientIP ? sp.sessionAffinity.timeoutSeconds : 0}|${+sp.externalPolicyLocal}${+sp.internalPolicyLocal}${+sp.external}${+large}`;
  for (const e of eps) k += `|${e.ip}:${e.port}:${+e.ready}${+e.serving}${+e.terminating}${+e.local}`;
  return k;
}

interface MemoEntry<T> { sp: ServicePort; eps: readonly Endpoint[]; large: boolean; key: string | null; sr: T }

/**
 * Reuses a service's generated rules (any proxier's per-service output) while its ServicePort and endpoints are unchanged (no rehashing of chain
 * names): the same objects (the runner keeps them while the API objects are unchanged) or the same content.
 */
export class ServiceMemo<T> {
  private m = new Map<string, MemoEntry<T>>();
  private next = new Map<string, MemoEntry<T>>();
  rules(sp: ServicePort, eps: readonly Endpoint[], large: boolean, make: () => T): T {
    const hit = this.m.get(sp.name);
    let e: MemoEntry<T>;
    if (hit && hit.sp === sp && hit.eps === eps && hit.large === large) e = hit;
    else {
      const key = serviceKey(sp, eps, large);
      if (hit && (hit.key ?? serviceKey(hit.sp, hit.eps, hit.large)) === key) e = { sp, eps, large, key, sr: hit.sr };
      else e = { sp, eps, large, key, sr: make() };
    }
    this.next.set(sp.name, e);
    return e.sr;
  }
  /** Ends a build: what was not asked for this time is forgotten. */
  commit(): void { this.m = this.next; this.next = new Map(); }
}

