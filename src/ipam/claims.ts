/**
 * Service ClusterIP/NodePort allocation whose authority is the store, so that any number of API
 * servers sharing one etcd can never hand out the same address or port.
 *
 * Each allocated ClusterIP is one key, created if absent (a transaction comparing create_revision
 * with 0): `/registry/networking.k8s.io/ipaddresses/<ip>` holding an IPAddress-shaped object whose
 * parentRef names the Service (upstream 1.31+'s MultiCIDRServiceAllocator keeps the same record). Each
 * nodePort likewise: `/registry/podnet.io/servicenodeports/<port>`. Why not one RangeAllocation
 * bitmap with compare-and-swap (upstream's older design): a /12 service range is a 128 KiB bitmap
 * rewritten on every create (etcd keeps every version until compaction), and all creates of all
 * servers contend on that one key; one key per address makes a write small, independent creates never
 * conflict, and a collision is just EEXIST on the one address both wanted.
 *
 * The in-memory ServiceAllocators is only a cache that proposes candidates: a candidate is ours once
 * its key was created. A lost race marks it taken locally and picks again; a requested address the
 * cache believes taken triggers one resync from the store before the request is refused.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../meta/types.js';
import { ServiceAllocators } from './service.js';

/** The part of the API server's Store this needs (structural: ipam imports nothing of the API). */
export interface ClaimStore {
  create(key: string, value: Uint8Array): Promise<number>;
  delete(key: string, expectRevision?: number): Promise<number>;
  list(prefix: string, opts?: { limit?: number; startKey?: string; revision?: number }): Promise<{ items: { key: string; value: Uint8Array; modRevision: number }[]; revision: number; more: boolean }>;
}

export const IPADDRESS_PREFIX = '/registry/networking.k8s.io/ipaddresses/';
export const NODEPORT_PREFIX = '/registry/podnet.io/servicenodeports/';
export const ipClaimKey = (ip: string): string => IPADDRESS_PREFIX + ip;
export const portClaimKey = (port: number): string => NODEPORT_PREFIX + String(port);

/** What the Service write paths call: both implementations (memory, store) look the same. */
export interface ServiceAllocation {
  readonly mode: 'memory' | 'store';
  kubernetesIP(): string;
  /** API server start: mark what stored Services hold (store mode: create missing claims, drop old orphans). Returns problems. */
  restore(services: Service[]): Promise<string[]>;
  /** Create (old undefined) or update path; fills clusterIP/nodePorts of `svc` in place. */
  update(old: Service | undefined, svc: Service): Promise<AsyncAllocationResult>;
  /** Delete path. */
  release(svc: Service): Promise<void>;
  /** The local view (tests, metrics). */
  readonly local: ServiceAllocators;
}

export interface AsyncAllocationResult {
  errors: FieldError[];
  rollback(): Promise<void>;
  commit(): Promise<void>;
}

/** The single-server mode: the process's bitmaps are the authority (sqlite: the store is held by one process). */
export class MemoryServiceAllocation implements ServiceAllocation {
  readonly mode = 'memory' as const;
  constructor(readonly local: ServiceAllocators) {}
  kubernetesIP(): string { return this.local.kubernetesIP(); }
  async restore(services: Service[]): Promise<string[]> { return this.local.restore(services); }
  async update(old: Service | undefined, svc: Service): Promise<AsyncAllocationResult> {
    const r = this.local.update(old, svc);
    return { errors: r.errors, rollback: async () => r.rollback(), commit: async () => r.commit() };
  }
  async release(svc: Service): Promise<void> { this.local.release(svc); }
}

interface ClaimRecord {
  apiVersion: string; kind: string;
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  spec: { parentRef: { group: string; resource: string; namespace?: string; name?: string; uid?: string } };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function claimValue(kind: 'IPAddress' | 'ServiceNodePort', name: string, svc: Service): Uint8Array {
  const rec: ClaimRecord = {
    apiVersion: kind === 'IPAddress' ? 'networking.k8s.io/v1' : 'podnet.io/v1', kind,
    metadata: { name, creationTimestamp: new Date().toISOString(), labels: { 'ipaddress.kubernetes.io/managed-by': 'podnet-apiserver' } },
    spec: { parentRef: { group: '', resource: 'services', namespace: svc.metadata?.namespace, name: svc.metadata?.name, uid: svc.metadata?.uid } },
  };
  return enc.encode(JSON.stringify(rec));
}

function parseClaim(v: Uint8Array): ClaimRecord | undefined {
  try { return JSON.parse(dec.decode(v)) as ClaimRecord; } catch { return undefined; }
}

const codeOf = (e: unknown): string | undefined => (e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : undefined);

export interface StoreAllocationOptions {
  /** A claim no stored Service holds is dropped at restore only when older than this (a create may be in flight on another server). Default 60 s. */
  orphanGraceMs?: number;
  /** Attempts per call when other servers keep winning the candidates. Default 32. */
  maxAttempts?: number;
}

/** The shared-store mode: claims in the store are the authority; see the file comment. */
export class StoreServiceAllocation implements ServiceAllocation {
  readonly mode = 'store' as const;
  private readonly orphanGraceMs: number;
  private readonly maxAttempts: number;
  /** Counters for tests and metrics: candidates lost to another writer, resyncs from the store. */
  readonly stats = { lost: 0, resyncs: 0, orphansDropped: 0 };

  constructor(readonly local: ServiceAllocators, private readonly store: ClaimStore, opts: StoreAllocationOptions = {}) {
    this.orphanGraceMs = opts.orphanGraceMs ?? 60_000;
    this.maxAttempts = opts.maxAttempts ?? 32;
  }

  kubernetesIP(): string { return this.local.kubernetesIP(); }

  private async listAll(prefix: string): Promise<{ key: string; value: Uint8Array; modRevision: number }[]> {
    const out: { key: string; value: Uint8Array; modRevision: number }[] = [];
    let startKey: string | undefined;
    let revision: number | undefined;
    for (;;) {
      const page = await this.store.list(prefix, { limit: 5000, ...(startKey !== undefined ? { startKey } : {}), ...(revision !== undefined ? { revision } : {}) });
      out.push(...page.items);
      revision = page.revision;
      if (!page.more || page.items.length === 0) return out;
      startKey = page.items[page.items.length - 1]!.key + '\0';
    }
  }

  /** Reloads the cache from the claims in the store. */
  async resync(): Promise<void> {
    const [ips, ports] = await Promise.all([this.listAll(IPADDRESS_PREFIX), this.listAll(NODEPORT_PREFIX)]);
    this.stats.resyncs++;
    this.local.reset(ips.map((e) => e.key.slice(IPADDRESS_PREFIX.length)), ports.map((e) => Number(e.key.slice(NODEPORT_PREFIX.length))));
  }

  async restore(services: Service[]): Promise<string[]> {
    const problems: string[] = [];
    const [ips, ports] = await Promise.all([this.listAll(IPADDRESS_PREFIX), this.listAll(NODEPORT_PREFIX)]);
    const claims = new Map<string, { value: Uint8Array; modRevision: number }>();
    for (const e of [...ips, ...ports]) claims.set(e.key, e);
    const held = new Set<string>();
    for (const svc of services) {
      const h = this.local.holdings(svc);
      const name = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
      const want: [string, 'IPAddress' | 'ServiceNodePort', string][] = [
        ...h.ips.map((ip): [string, 'IPAddress', string] => [ipClaimKey(ip), 'IPAddress', ip]),
        ...h.ports.map((p): [string, 'ServiceNodePort', string] => [portClaimKey(p), 'ServiceNodePort', String(p)]),
      ];
      for (const [key, kind, value] of want) {
        held.add(key);
        const c = claims.get(key);
        if (c) {
          const owner = parseClaim(c.value)?.spec.parentRef;
          if (owner && owner.uid && svc.metadata?.uid && owner.uid !== svc.metadata.uid) problems.push(`${name}: ${kind} ${value} is claimed by ${owner.namespace}/${owner.name}`);
          continue;
        }
        // a Service stored before claims existed (or by a single-server sqlite run): claim what it holds
        try { await this.store.create(key, claimValue(kind, value, svc)); } catch (e) {
          if (codeOf(e) === 'EEXIST') problems.push(`${name}: ${kind} ${value} was claimed by another Service meanwhile`);
          else throw e;
        }
      }
    }
    const now = Date.now();
    for (const [key, c] of claims) {
      if (held.has(key)) continue;
      const created = Date.parse(parseClaim(c.value)?.metadata.creationTimestamp ?? '');
      if (Number.isFinite(created) && now - created < this.orphanGraceMs) continue;
      try { await this.store.delete(key, c.modRevision); this.stats.orphansDropped++; } catch { /* changed meanwhile: keep */ }
    }
    await this.resync();
    return problems;
  }

  async update(old: Service | undefined, svc: Service): Promise<AsyncAllocationResult> {
    const orig = structuredClone(svc.spec);
    let resynced = false;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const trial: Service = { ...svc, spec: structuredClone(orig) };
      const r = this.local.update(old, trial);
      if (r.errors.length) {
        // The cache may be stale (another server released it): ask the store once before refusing.
        if (!resynced && r.failures.some((c) => c === 'ETAKEN' || c === 'EFULL')) { resynced = true; await this.resync(); continue; }
        return { errors: r.errors, rollback: async () => undefined, commit: async () => undefined };
      }
      const wanted: [string, Uint8Array, () => void][] = [
        ...r.allocated.ips.map((ip): [string, Uint8Array, () => void] => [ipClaimKey(ip), claimValue('IPAddress', ip, svc), () => { try { this.local.ips.allocate(ip); } catch { /* already marked */ } }]),
        ...r.allocated.ports.map((p): [string, Uint8Array, () => void] => [portClaimKey(p), claimValue('ServiceNodePort', String(p), svc), () => { try { this.local.ports.allocate(p); } catch { /* already marked */ } }]),
      ];
      const dropped = [...r.dropped.ips.map(ipClaimKey), ...r.dropped.ports.map(portClaimKey)];
      const outcome = await Promise.allSettled(wanted.map(([key, value]) => this.store.create(key, value)));
      const won = wanted.filter((_, i) => outcome[i]!.status === 'fulfilled').map(([key]) => key);
      const failed = outcome.map((o, i) => ({ o, w: wanted[i]! })).filter((x) => x.o.status === 'rejected');
      if (failed.length === 0) {
        (svc as { spec?: Service['spec'] }).spec = trial.spec;
        return {
          errors: [],
          rollback: async () => { r.rollback(); await this.drop(won); },
          commit: async () => { r.commit(); await this.drop(dropped); },
        };
      }
      // Undo this attempt; what another writer holds stays marked in the cache.
      await this.drop(won);
      r.rollback();
      const hard = failed.find((x) => codeOf((x.o as PromiseRejectedResult).reason) !== 'EEXIST');
      if (hard) throw (hard.o as PromiseRejectedResult).reason;
      for (const x of failed) { x.w[2](); this.stats.lost++; }
      // The cache now knows these; the next attempt picks others (a requested one fails after one resync
      // with the usual field error). What the other writer rolled back may read as taken: resync again when short.
      resynced = false;
    }
    return {
      errors: [{ type: 'InternalError', field: 'spec.clusterIPs', message: `failed to allocate: other API servers won ${this.maxAttempts} candidates in a row` }],
      rollback: async () => undefined, commit: async () => undefined,
    };
  }

  /** Deletes claims (those already gone are fine). */
  private async drop(keys: string[]): Promise<void> {
    await Promise.all(keys.map(async (k) => {
      try { await this.store.delete(k); } catch (e) { if (codeOf(e) !== 'ENOENT') throw e; }
    }));
  }

  async release(svc: Service): Promise<void> {
    const h = this.local.holdings(svc);
    this.local.release(svc);
    await this.drop([...h.ips.map(ipClaimKey), ...h.ports.map(portClaimKey)]);
  }
}
