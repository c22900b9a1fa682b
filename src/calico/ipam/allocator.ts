/**
 * Calico's IPAM against the API (the Kubernetes datastore): a node allocates from the blocks
 * affine to it, claims the next free block of a pool that selects it when they are full, and
 * releases a block when it empties (keeping its last one). Every write carries the object's
 * resourceVersion (optimistic concurrency): concurrent CNI ADDs on a node, or two nodes racing for
 * a block, lose with 409 and retry from a fresh read — the API is the lock, as etcd is Calico's.
 */
import { R, isAlreadyExists, isConflict, isNotFound, type KubeClient } from '../../client/index.js';
import type { KObject } from '../../meta/types.js';
import { PodnetError } from '../../util/errors.js';
import { containsCidr, parseCidr } from '../../util/addr.js';
import { parseCalicoSelector } from '../selector.js';
import { validateIPPool } from '../../api/kinds/calico.js';
import { invalidMessage } from '../../api/validation/index.js';
import { CALICO_CRDS_MANIFEST } from '../crds.js';
import {
  affinityName, allocationsOf, assign, blockName, hostAffinity, isEmpty, newBlock, poolBlocks, releaseAddresses, releaseHandle, type BlockSpec,
} from './block.js';

export class IpamError extends PodnetError {}

const API = 'crd.projectcalico.org/v1';
export interface PoolSpec { cidr: string; blockSize?: number; natOutgoing?: boolean; vxlanMode?: string; ipipMode?: string; nodeSelector?: string; disabled?: boolean }
export type IPPool = KObject & { spec: PoolSpec };
export type IPAMBlock = KObject & { spec: BlockSpec };
export interface HandleSpec { handleID: string; block?: Record<string, number>; deleted?: boolean }
export type IPAMHandle = KObject & { spec: HandleSpec };

const MAX_TRIES = 50;
const jitter = (): Promise<void> => new Promise((r) => setTimeout(r, 5 + Math.random() * 20));

/** Splits pools into those libcalico-go's checks accept and a message per refused one ("IPPool bad: spec.blockSize: …"). */
export function checkPools(pools: readonly IPPool[]): { valid: IPPool[]; rejected: string[] } {
  const valid: IPPool[] = [];
  const rejected: string[] = [];
  for (const p of pools) {
    const errs = validateIPPool(p);
    if (errs.length) rejected.push(invalidMessage('IPPool', p.metadata.name ?? '', errs));
    else valid.push(p);
  }
  return { valid, rejected };
}

/** The pools a node allocates from: enabled, nodeSelector matching its labels. */
export function poolsForNode(pools: readonly IPPool[], labels: Record<string, string>): IPPool[] {
  return pools.filter((p) => !p.spec.disabled && parseCalicoSelector(p.spec.nodeSelector || 'all()').matches(labels))
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** The blocks affine to `node` inside one of `pools` (by CIDR). */
export function nodeBlocks(blocks: readonly IPAMBlock[], node: string, pools?: readonly IPPool[]): IPAMBlock[] {
  return blocks.filter((b) => b.spec.affinity === hostAffinity(node) && !b.spec.deleted
    && (!pools || pools.some((p) => containsCidr(parseCidr(p.spec.cidr), parseCidr(b.spec.cidr)))))
    .sort((a, b) => a.spec.cidr.localeCompare(b.spec.cidr, 'en', { numeric: true }));
}

export interface AssignRequest { handle: string; node: string; secondary: Record<string, string> }
export interface Assigned { ip: string; block: string; pool: IPPool }

/** Per-node serialisation inside one process (Calico's CNI takes a host-wide lock for IPAM too; the CNI plugin adds a file lock across processes). */
const queues = new Map<string, Promise<unknown>>();
function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => { if (queues.get(key) === tail) queues.delete(key); });
  return run;
}

export class CalicoIpam {
  constructor(private readonly client: KubeClient) {}

  private async nodeLabels(node: string): Promise<Record<string, string>> {
    try { return (await this.client.get(R.nodes, node)).metadata.labels ?? {}; } catch (e) {
      if (isNotFound(e)) return {};
      throw e;
    }
  }

  /** Pools libcalico-go's checks refuse (what a CRD schema cannot say: CIDR syntax, blockSize for the family), with why; skipped by allocation. */
  rejected: string[] = [];

  async pools(node: string): Promise<IPPool[]> {
    let all: IPPool[];
    try { all = (await this.client.list<IPPool>(R.ippools)).items; } catch (e) {
      if (isNotFound(e)) throw new IpamError('ENOCRDS', `the API does not serve crd.projectcalico.org/v1 ippools: Calico's CustomResourceDefinitions are not installed (kubectl apply -f ${CALICO_CRDS_MANIFEST})`);
      throw e;
    }
    const { valid, rejected } = checkPools(all);
    this.rejected = rejected;
    return poolsForNode(valid, await this.nodeLabels(node));
  }

  /** One IPv4 address for `handle` on `node` (Calico's AutoAssign with num4 = 1). */
  autoAssign(req: AssignRequest): Promise<Assigned> {
    return serialised(req.node, () => this.assignOnce(req));
  }

  private async assignOnce(req: AssignRequest): Promise<Assigned> {
    const pools = await this.pools(req.node);
    if (!pools.length) throw new IpamError('ENOPOOL', `no IPPool selects node ${req.node} (kubectl get ippools)${this.rejected.length ? `; refused: ${this.rejected.join('; ')}` : ''}`);
    for (let i = 0; i < MAX_TRIES; i++) {
      const blocks = (await this.client.list<IPAMBlock>(R.ipamblocks)).items;
      const mine = nodeBlocks(blocks, req.node, pools);
      let raced = false;
      for (const b of mine) {
        if (!b.spec.unallocated.length) continue;
        const r = assign(b.spec, 1, req.handle, req.secondary);
        try {
          await this.client.update(R.ipamblocks, { ...b, spec: r.block });
        } catch (e) {
          if (isConflict(e) || isNotFound(e)) { raced = true; break; }
          throw e;
        }
        try {
          await this.addToHandle(req.handle, b.metadata.name!, 1);
        } catch (e) {
          await this.releaseFromBlock(b.metadata.name!, req.handle, req.node).catch(() => undefined);
          throw e;
        }
        const pool = pools.find((p) => containsCidr(parseCidr(p.spec.cidr), parseCidr(b.spec.cidr)))!;
        return { ip: r.ips[0]!, block: b.spec.cidr, pool };
      }
      if (raced) { await jitter(); continue; }
      // every affine block is full: claim the next free block of a pool
      const taken = new Set(blocks.map((b) => b.spec.cidr));
      let claimed = false;
      for (const p of pools) {
        for (const cidr of poolBlocks(p.spec.cidr, p.spec.blockSize ?? 26)) {
          if (taken.has(cidr)) continue;
          if (await this.claimBlock(cidr, req.node)) { claimed = true; break; }
        }
        if (claimed) break;
      }
      if (!claimed) throw new IpamError('EFULL', `no free address or block in the pools of node ${req.node} (${pools.map((p) => p.spec.cidr).join(', ')})`);
    }
    throw new IpamError('ECONFLICT', `could not allocate an address for ${req.handle} after ${MAX_TRIES} conflicting attempts`);
  }

  /** Creates the block (the create is the claim: 409 means another node won) and its affinity. */
  private async claimBlock(cidr: string, node: string): Promise<boolean> {
    const name = blockName(cidr);
    try {
      await this.client.create(R.ipamblocks, { apiVersion: API, kind: 'IPAMBlock', metadata: { name }, spec: newBlock(cidr, node) });
    } catch (e) {
      if (isAlreadyExists(e)) return false;
      throw e;
    }
    try {
      await this.client.create(R.blockaffinities, { apiVersion: API, kind: 'BlockAffinity', metadata: { name: affinityName(node, cidr) }, spec: { node, cidr, state: 'confirmed', deleted: 'false' } });
    } catch (e) { if (!isAlreadyExists(e)) throw e; }
    return true;
  }

  private async addToHandle(handle: string, block: string, n: number): Promise<void> {
    for (let i = 0; i < MAX_TRIES; i++) {
      let h: IPAMHandle | undefined;
      try { h = await this.client.get<IPAMHandle>(R.ipamhandles, handle); } catch (e) { if (!isNotFound(e)) throw e; }
      try {
        if (!h) {
          await this.client.create(R.ipamhandles, { apiVersion: API, kind: 'IPAMHandle', metadata: { name: handle }, spec: { handleID: handle, block: { [block]: n }, deleted: false } });
        } else {
          const counts = { ...(h.spec.block ?? {}) };
          counts[block] = (counts[block] ?? 0) + n;
          await this.client.update(R.ipamhandles, { ...h, spec: { ...h.spec, block: counts } });
        }
        return;
      } catch (e) {
        if (!isConflict(e) && !isAlreadyExists(e)) throw e;
        await jitter();
      }
    }
    throw new IpamError('ECONFLICT', `could not record handle ${handle}`);
  }

  /** Frees the handle's addresses in one block; deletes the block when it empties and `node` keeps another. Returns the freed addresses. */
  private async releaseFromBlock(block: string, handle: string, node?: string): Promise<string[]> {
    for (let i = 0; i < MAX_TRIES; i++) {
      let b: IPAMBlock;
      try { b = await this.client.get<IPAMBlock>(R.ipamblocks, block); } catch (e) { if (isNotFound(e)) return []; throw e; }
      const r = releaseHandle(b.spec, handle);
      if (!r.ips.length) return [];
      try {
        await this.writeOrRelease(b, r.block, node);
        return r.ips;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
        await jitter();
      }
    }
    throw new IpamError('ECONFLICT', `could not release ${handle} from ${block}`);
  }

  /** Writes the block back, or deletes it (and its affinity) when it is empty and its node has another block. */
  private async writeOrRelease(b: IPAMBlock, spec: BlockSpec, node?: string): Promise<void> {
    const owner = spec.affinity?.startsWith('host:') ? spec.affinity.slice(5) : undefined;
    if (isEmpty(spec) && owner && (!node || owner === node)) {
      const others = nodeBlocks((await this.client.list<IPAMBlock>(R.ipamblocks)).items, owner).filter((x) => x.metadata.name !== b.metadata.name);
      if (others.length) {
        await this.client.delete(R.ipamblocks, b.metadata.name!, { preconditions: { resourceVersion: b.metadata.resourceVersion! } });
        try { await this.client.delete(R.blockaffinities, affinityName(owner, spec.cidr)); } catch (e) { if (!isNotFound(e)) throw e; }
        return;
      }
    }
    await this.client.update(R.ipamblocks, { ...b, spec });
  }

  /** Releases every address of `handle` (CNI DEL); idempotent. Returns the freed addresses. */
  releaseByHandle(handle: string, node?: string): Promise<string[]> {
    return serialised(node ?? '', () => this.releaseOnce(handle, node));
  }

  private async releaseOnce(handle: string, node?: string): Promise<string[]> {
    let h: IPAMHandle | undefined;
    try { h = await this.client.get<IPAMHandle>(R.ipamhandles, handle); } catch (e) { if (!isNotFound(e)) throw e; }
    let blocks = Object.keys(h?.spec.block ?? {});
    if (!h) {
      // no handle (a crash between the block and the handle write): find the handle's addresses by scanning
      blocks = (await this.client.list<IPAMBlock>(R.ipamblocks)).items.filter((b) => b.spec.attributes.some((a) => a.handle_id === handle)).map((b) => b.metadata.name!);
    }
    const freed: string[] = [];
    for (const b of blocks) freed.push(...await this.releaseFromBlock(b, handle, node));
    if (h) {
      try { await this.client.delete(R.ipamhandles, handle); } catch (e) { if (!isNotFound(e)) throw e; }
    }
    return freed;
  }

  /**
   * Garbage collection of leaked addresses in `node`'s blocks: an allocation whose pod no longer
   * exists (or whose handle is gone) and that is older than `graceMs` is freed. Returns what it freed.
   */
  async gcLeaks(node: string, podExists: (ns: string, name: string) => boolean, graceMs = 60_000, now = Date.now()): Promise<string[]> {
    const handles = new Set((await this.client.list<IPAMHandle>(R.ipamhandles)).items.map((h) => h.metadata.name!));
    const blocks = nodeBlocks((await this.client.list<IPAMBlock>(R.ipamblocks)).items, node);
    const freed: string[] = [];
    for (const b of blocks) {
      const leaked = allocationsOf(b.spec).filter((a) => {
        const ts = Date.parse(a.secondary.timestamp ?? '');
        if (Number.isFinite(ts) && now - ts < graceMs) return false;
        const gone = a.secondary.namespace && a.secondary.pod ? !podExists(a.secondary.namespace, a.secondary.pod) : false;
        return gone || (a.handle !== '' && !handles.has(a.handle));
      });
      if (!leaked.length) continue;
      const spec = releaseAddresses(b.spec, leaked.map((a) => a.ip));
      try { await this.writeOrRelease(b, spec, node); freed.push(...leaked.map((a) => a.ip)); } catch (e) { if (!isConflict(e) && !isNotFound(e)) throw e; }
      for (const h of new Set(leaked.map((a) => a.handle))) {
        if (!h || !handles.has(h)) continue;
        try { await this.client.delete(R.ipamhandles, h); } catch (e) { if (!isNotFound(e)) throw e; }
      }
    }
    return freed;
  }
}
