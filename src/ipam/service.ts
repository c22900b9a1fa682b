/**
 * Service spec semantics on top of the ClusterIP and NodePort allocators, for the API server's
 * Service create/update/delete paths. Synchronous on purpose: call it before the (async) store
 * write so two concurrent creates can never get the same address; roll back if the write fails.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../meta/types.js';
import { AllocatorError } from './errors.js';
import { PortAllocator } from './port.js';
import { ServiceIPAllocator } from './serviceip.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
type Svc = Mutable<Service>;

export interface AllocationResult {
  /** Field errors (422 Invalid) or, for an exhausted range, one InternalError cause. Empty = ok. */
  errors: FieldError[];
  /** Undo what this call allocated (when the store write fails). */
  rollback(): void;
  /** After a successful update's store write: release what the old object had and the new one dropped. */
  commit(): void;
  /** What this call took from the ranges (empty after rollback()). */
  allocated: { ips: string[]; ports: number[] };
  /** What commit() gives back: the old object's ClusterIP/nodePorts the new one no longer holds. */
  dropped: { ips: string[]; ports: number[] };
  /** Codes of the allocator failures behind `errors` (ETAKEN, EFULL, …), in the same order. */
  failures: string[];
}

export function parsePortRange(s: string): { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(s.trim());
  if (!m) throw new AllocatorError('EINVAL', `invalid port range "${s}" (want MIN-MAX)`);
  return { min: Number(m[1]), max: Number(m[2]) };
}

function needsNodePorts(s: Svc): boolean {
  const t = s.spec?.type ?? 'ClusterIP';
  return t === 'NodePort' || (t === 'LoadBalancer' && s.spec?.allocateLoadBalancerNodePorts !== false);
}
function needsHealthCheckPort(s: Svc): boolean {
  return s.spec?.type === 'LoadBalancer' && s.spec.externalTrafficPolicy === 'Local';
}
function hasClusterIP(s: Svc): boolean { return (s.spec?.type ?? 'ClusterIP') !== 'ExternalName'; }

export class ServiceAllocators {
  readonly ips: ServiceIPAllocator;
  readonly ports: PortAllocator;

  constructor(serviceCidr: string, nodePortRange: string | { min: number; max: number } = '30000-32767') {
    this.ips = new ServiceIPAllocator(serviceCidr);
    const r = typeof nodePortRange === 'string' ? parsePortRange(nodePortRange) : nodePortRange;
    this.ports = new PortAllocator(r.min, r.max);
  }

  /** The `kubernetes` Service's ClusterIP (first address of the range). */
  kubernetesIP(): string { return this.ips.firstIP(); }

  /** Forgets every allocation and marks exactly these (a resync from the authoritative copy in the store). */
  reset(ips: Iterable<string>, ports: Iterable<number>): void {
    for (const ip of this.ips.allocated()) this.ips.release(ip);
    for (const p of this.ports.allocated()) this.ports.release(p);
    for (const ip of ips) { try { this.ips.allocate(ip); } catch { /* outside the range: not ours */ } }
    for (const p of ports) { try { this.ports.allocate(p); } catch { /* outside the range */ } }
  }

  /** The ClusterIP and nodePorts a stored Service holds. */
  holdings(svc: Service): { ips: string[]; ports: number[] } {
    const s = svc as Svc;
    const ip = s.spec?.clusterIP;
    return { ips: ip && ip !== 'None' && hasClusterIP(s) ? [ip] : [], ports: this.portsOf(s) };
  }

  /** Marks the addresses/ports of stored Services as used (API server start). Returns problems found. */
  restore(services: Service[]): string[] {
    const problems: string[] = [];
    for (const svc of services as Svc[]) {
      const name = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
      const ip = svc.spec?.clusterIP;
      if (ip && ip !== 'None') {
        try { this.ips.allocate(ip); } catch (e) { problems.push(`${name}: clusterIP ${ip}: ${(e as Error).message}`); }
      }
      for (const p of this.portsOf(svc)) {
        try { this.ports.allocate(p); } catch (e) { problems.push(`${name}: nodePort ${p}: ${(e as Error).message}`); }
      }
    }
    return problems;
  }

  private portsOf(svc: Svc): number[] {
    const out: number[] = [];
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) out.push(p.nodePort);
    if (svc.spec?.healthCheckNodePort) out.push(svc.spec.healthCheckNodePort);
    return out;
  }

  /** Create path: fills spec.clusterIP/clusterIPs (unless headless/ExternalName) and nodePorts in place. */
  allocate(svc: Service): AllocationResult {
    return this.update(undefined, svc);
  }

  /**
   * Update path (old → new, `svc` mutated in place). ClusterIP stays as it was (immutability is
   * validation's job); nodePorts needed by the new type are allocated, those dropped are released on commit().
   */
  update(old: Service | undefined, newSvc: Service): AllocationResult {
    const svc = newSvc as Svc;
    const prev = old as Svc | undefined;
    const errors: FieldError[] = [];
    const failures: string[] = [];
    const code = (e: unknown): string => (e instanceof AllocatorError ? e.code : 'EINTERNAL');
    const gotIPs: string[] = [];
    const gotPorts: number[] = [];
    const rollback = (): void => { for (const ip of gotIPs) this.ips.release(ip); for (const p of gotPorts) this.ports.release(p); gotIPs.length = 0; gotPorts.length = 0; };
    const spec = (svc.spec ??= {} as Svc['spec'] & object);

    // ClusterIP
    if (hasClusterIP(svc)) {
      const family = this.ips.family === 4 ? 'IPv4' : 'IPv6';
      const oldIP = prev && hasClusterIP(prev) ? prev.spec?.clusterIP : undefined;
      const want = spec.clusterIP || spec.clusterIPs?.[0] || '';
      if (oldIP && (!want || want === oldIP)) {
        spec.clusterIP = oldIP;
      } else if (want === 'None') {
        spec.clusterIP = 'None';
      } else if (want) {
        try { this.ips.allocate(want); gotIPs.push(want); spec.clusterIP = want; } catch (e) {
          failures.push(code(e));
          const detail = e instanceof AllocatorError && e.code === 'ETAKEN' ? 'provided IP is already allocated' : (e as Error).message;
          errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ["${want}"]: failed to allocate IP ${want}: ${detail}` });
        }
      } else {
        try { const ip = this.ips.allocateNext(); gotIPs.push(ip); spec.clusterIP = ip; } catch (e) {
          failures.push(code(e));
          errors.push({ type: 'InternalError', field: 'spec.clusterIPs', message: `failed to allocate a serviceIP: ${(e as Error).message}` });
        }
      }
      if (spec.clusterIP) {
        spec.clusterIPs = [spec.clusterIP];
        spec.ipFamilies ??= [family];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
    }

    // NodePorts
    const oldPorts = new Set(prev ? this.portsOf(prev) : []);
    const keep = new Set<number>();
    const take = (field: string, requested: number | undefined, apply: (p: number) => void): void => {
      if (requested) {
        if (oldPorts.has(requested) && !keep.has(requested)) { keep.add(requested); apply(requested); return; }
        try { this.ports.allocate(requested); gotPorts.push(requested); keep.add(requested); apply(requested); } catch (e) {
          failures.push(code(e));
          const detail = e instanceof AllocatorError && e.code === 'ETAKEN' ? 'provided port is already allocated' : (e as Error).message;
          errors.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${requested}: ${detail}` });
        }
        return;
      }
      try { const p = this.ports.allocateNext(); gotPorts.push(p); keep.add(p); apply(p); } catch (e) {
          failures.push(code(e));
        errors.push({ type: 'InternalError', field, message: `failed to allocate a nodePort: ${(e as Error).message}` });
      }
    };
    if (needsNodePorts(svc)) {
      // Upstream lets two ports of one Service share a nodePort only when protocols differ.
      const seen = new Map<number, number>();
      (spec.ports ?? []).forEach((p, i) => {
        if (p.nodePort && seen.has(p.nodePort)) { keep.add(p.nodePort); return; }
        take(`spec.ports[${i}].nodePort`, p.nodePort, (n) => { p.nodePort = n; seen.set(n, i); });
      });
    }
    else if (prev) {
      // Type changed to one without nodePorts: drop the ones carried over from the old object.
      for (const p of spec.ports ?? []) if (p.nodePort && oldPorts.has(p.nodePort)) delete p.nodePort;
    }
    if (prev && !needsHealthCheckPort(svc) && spec.healthCheckNodePort && oldPorts.has(spec.healthCheckNodePort)) delete spec.healthCheckNodePort;
    if (prev && !hasClusterIP(svc) && spec.clusterIP && spec.clusterIP === prev.spec?.clusterIP) { delete spec.clusterIP; delete spec.clusterIPs; }
    // (A ClusterIP Service carrying nodePorts is refused by validation; nothing is allocated for it.)
    if (needsHealthCheckPort(svc)) take('spec.healthCheckNodePort', spec.healthCheckNodePort, (n) => { spec.healthCheckNodePort = n; });

    if (errors.length) rollback();
    const droppedIP = prev && hasClusterIP(prev) && prev.spec?.clusterIP && prev.spec.clusterIP !== 'None' && prev.spec.clusterIP !== spec.clusterIP ? prev.spec.clusterIP : undefined;
    return {
      errors,
      failures,
      rollback,
      allocated: { ips: gotIPs, ports: gotPorts },
      dropped: { ips: droppedIP ? [droppedIP] : [], ports: [...oldPorts].filter((p) => !keep.has(p)) },
      commit: () => {
        for (const p of oldPorts) if (!keep.has(p)) this.ports.release(p);
        if (droppedIP) this.ips.release(droppedIP);
      },
    };
  }

  /** Delete path: frees the Service's ClusterIP and nodePorts. */
  release(svc: Service): void {
    const s = svc as Svc;
    const ip = s.spec?.clusterIP;
    if (ip && ip !== 'None') this.ips.release(ip);
    for (const p of this.portsOf(s)) this.ports.release(p);
  }
}
