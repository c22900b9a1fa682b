import type { KObject } from '../meta/types.js';
import { R, type RefFn } from '../client/resources.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient, ResourceRef } from '../client/types.js';
import type { Logger } from '../util/log.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import { keyOf, splitKey } from './util.js';

/** Kinds that can own others, with their resource (cluster-scoped ones marked). */
const OWNER_KINDS: Record<string, { ref: RefFn; namespaced: boolean; watch: boolean }> = {
  'apps/v1/Deployment': { ref: R.deployments, namespaced: true, watch: true },
  'apps/v1/ReplicaSet': { ref: R.replicasets, namespaced: true, watch: true },
  'apps/v1/DaemonSet': { ref: R.daemonsets, namespaced: true, watch: true },
  'apps/v1/StatefulSet': { ref: R.statefulsets, namespaced: true, watch: true },
  'batch/v1/Job': { ref: R.jobs, namespaced: true, watch: true },
  'v1/Service': { ref: R.services, namespaced: true, watch: true },
  'v1/Pod': { ref: R.pods, namespaced: true, watch: true },
  'v1/Node': { ref: R.nodes, namespaced: false, watch: true },
  'v1/Namespace': { ref: R.namespaces, namespaced: false, watch: false },
  'v1/ConfigMap': { ref: R.configmaps, namespaced: true, watch: false },
};
/** Kinds whose objects can be dependents. */
const DEPENDENTS: RefFn[] = [R.pods, R.replicasets, R.endpointslices, R.deployments];

function ownerInfo(apiVersion: string, kind: string): { ref: RefFn; namespaced: boolean } | undefined {
  return OWNER_KINDS[`${apiVersion}/${kind}`];
}

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

/**
 * Garbage collector. Background propagation: a dependent whose every owner (ownerReferences,
 * matched by uid) is gone is deleted; owners that are gone are dropped from a dependent that
 * still has a live owner. Absence is confirmed with a live GET, never from a cache alone.
 * Foreground: an owner being deleted with the `foregroundDeletion` finalizer has its dependents
 * deleted and keeps the finalizer until no dependent with `blockOwnerDeletion` remains (a
 * terminating one counts), confirmed by a live list. Orphan: the `orphan` finalizer makes the
 * collector remove the owner's reference from every dependent, then the finalizer.
 */
export class GarbageCollector {
  private readonly queue: WorkQueue;
  private readonly deps = new Map<string, { ref: RefFn; inf: ReturnType<InformerFactory['get']> }>();
  private readonly owners = new Map<string, ReturnType<InformerFactory['get']>>();

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'gc', log, workers: 4, baseDelayMs: 500 });
    for (const ref of DEPENDENTS) {
      const inf = informers.get<KObject>(ref);
      this.deps.set(ref.resource, { ref, inf });
      const consider = (o: KObject): void => { if (o.metadata.ownerReferences?.length) this.queue.add(`${ref.resource}|${keyOf(o)}`); };
      inf.on({ onAdd: consider, onUpdate: (_o, n) => consider(n) });
    }
    // When an owner goes away, look at everything that named it.
    for (const [k, info] of Object.entries(OWNER_KINDS)) {
      if (!info.watch) continue;
      const inf = informers.get<KObject>(info.ref);
      this.owners.set(k, inf);
      const deleting = (o: KObject): void => { if (this.finalizing(o)) this.queue.add(`owner|${k}|${keyOf(o)}`); };
      inf.on({ onAdd: deleting, onUpdate: (_o, n) => deleting(n), onDelete: (owner) => this.ownerGone(owner.metadata.uid!) });
    }
    // A dependent that changes or goes away may release an owner waiting in the foreground.
    for (const d of this.deps.values()) {
      const wake = (o: KObject): void => {
        for (const r of o.metadata.ownerReferences ?? []) {
          const k = `${r.apiVersion}/${r.kind}`;
          const info = ownerInfo(r.apiVersion, r.kind);
          const owner = info && this.owners.get(k)?.get(info.namespaced ? o.metadata.namespace : undefined, r.name);
          if (owner && owner.metadata.uid === r.uid && this.finalizing(owner)) this.queue.add(`owner|${k}|${keyOf(owner)}`);
        }
      };
      d.inf.on({ onUpdate: (_o, n) => wake(n), onDelete: wake });
    }
  }

  /** An owner being deleted with a foreground or orphan finalizer. */
  private finalizing(o: KObject): boolean {
    return !!o.metadata.deletionTimestamp && !!o.metadata.finalizers?.some((f) => f === FOREGROUND || f === ORPHAN);
  }

  /** Every dependent of `owner` (live list of each dependent resource in its namespace). */
  private async liveDependents(owner: KObject, namespaced: boolean): Promise<{ ref: RefFn; obj: KObject }[]> {
    const out: { ref: RefFn; obj: KObject }[] = [];
    for (const d of this.deps.values()) {
      const list = await this.client.list<KObject>(namespaced ? d.ref(owner.metadata.namespace) : d.ref);
      for (const o of list.items) if (o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) out.push({ ref: d.ref, obj: o });
    }
    return out;
  }

  /** Removes `finalizer` from the owner (the API server deletes it when it was the last). */
  private async dropFinalizer(ref: ResourceRef, owner: KObject, finalizer: string): Promise<void> {
    await this.client.patch(ref, owner.metadata.name!, [
      { op: 'test', path: '/metadata/resourceVersion', value: owner.metadata.resourceVersion },
      { op: 'replace', path: '/metadata/finalizers', value: (owner.metadata.finalizers ?? []).filter((f) => f !== finalizer) },
    ], 'json');
  }

  private async syncOwner(item: string): Promise<void> {
    const [, kindKey, key] = item.split('|') as [string, string, string];
    const [group, version, kind] = kindKey.includes('/') && kindKey.split('/').length === 3 ? kindKey.split('/') as [string, string, string] : ['', ...kindKey.split('/')] as [string, string, string];
    const info = ownerInfo(group ? `${group}/${version}` : version, kind);
    if (!info) return;
    const { namespace, name } = splitKey(key);
    const ref: ResourceRef = info.namespaced ? info.ref(namespace) : info.ref;
    let owner: KObject;
    try { owner = await this.client.get<KObject>(ref, name); } catch (e) { if (isNotFound(e)) return; throw e; }
    if (!this.finalizing(owner)) return;
    const uid = owner.metadata.uid!;
    const deps = await this.liveDependents(owner, info.namespaced);
    try {
      if (owner.metadata.finalizers?.includes(ORPHAN)) {
        for (const { ref: dref, obj } of deps) {
          await this.client.patch(dref(obj.metadata.namespace), obj.metadata.name!, [
            { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
            { op: 'replace', path: '/metadata/ownerReferences', value: (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid) },
          ], 'json');
        }
        this.log?.info({ owner: `${kind}/${key}`, orphaned: deps.length }, 'dependents orphaned');
        await this.dropFinalizer(ref, owner, ORPHAN);
        return;
      }
      // foreground: delete what still stands, wait for the blocking ones to be gone
      for (const { ref: dref, obj } of deps) {
        if (obj.metadata.deletionTimestamp) continue;
        const canOwn = OWNER_KINDS[`${obj.apiVersion}/${obj.kind}`] !== undefined && obj.kind !== 'Pod';
        this.log?.info({ owner: `${kind}/${key}`, dependent: `${obj.kind}/${obj.metadata.name}` }, 'deleting dependent in the foreground');
        await this.client.delete(dref(obj.metadata.namespace), obj.metadata.name!, { propagationPolicy: canOwn ? 'Foreground' : 'Background', preconditions: { uid: obj.metadata.uid } })
          .catch((e: unknown) => { if (!isNotFound(e) && !isConflict(e)) throw e; });
      }
      const blocking = deps.filter(({ obj }) => obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion));
      if (blocking.length) { this.queue.addAfter(item, 2000); return; } // dependents' deletions wake it sooner
      await this.dropFinalizer(ref, owner, FOREGROUND);
      this.log?.info({ owner: `${kind}/${key}` }, 'dependents gone; foreground deletion finished');
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e) || (e as { httpStatus?: number }).httpStatus === 422) { this.queue.addAfter(item, 200); return; }
      throw e;
    }
  }

  private ownerGone(uid: string): void {
    for (const [res, d] of this.deps) {
      for (const o of d.inf.list()) if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) this.queue.add(`${res}|${keyOf(o)}`);
    }
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  /** Whether the owner named by `r` exists with that uid (live GET; unknown kinds count as present). */
  private async ownerExists(ns: string | undefined, r: { apiVersion: string; kind: string; name: string; uid: string }): Promise<boolean> {
    const info = ownerInfo(r.apiVersion, r.kind);
    if (!info) return true;
    // Present in the cache with that uid: no need to ask the server.
    if (this.owners.get(`${r.apiVersion}/${r.kind}`)?.get(info.namespaced ? ns : undefined, r.name)?.metadata.uid === r.uid) return true;
    const ref: ResourceRef = info.namespaced ? info.ref(ns) : info.ref;
    try {
      const o = await this.client.get<KObject>(ref, r.name);
      return o.metadata.uid === r.uid;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  private async sync(item: string): Promise<void> {
    if (item.startsWith('owner|')) return this.syncOwner(item);
    const [res, key] = item.split('|') as [string, string];
    const d = this.deps.get(res)!;
    const { namespace, name } = splitKey(key);
    const obj = d.inf.get(namespace, name);
    const owners = obj?.metadata.ownerReferences ?? [];
    if (!obj || owners.length === 0 || obj.metadata.deletionTimestamp) return;
    const alive = await Promise.all(owners.map((r) => this.ownerExists(namespace, r)));
    if (alive.every(Boolean)) return;
    const ref = d.ref(namespace);
    try {
      if (!alive.some(Boolean)) {
        this.log?.info({ object: `${res}/${key}`, owners: owners.map((r) => `${r.kind}/${r.name}`) }, 'owner gone, deleting dependent');
        await this.client.delete(ref, name, { propagationPolicy: 'Background', preconditions: { uid: obj.metadata.uid } });
      } else {
        const keep = owners.filter((_r, i) => alive[i]);
        await this.client.patch(ref, name, [
          { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
          { op: 'replace', path: '/metadata/ownerReferences', value: keep },
        ], 'json');
      }
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e) || (e as { httpStatus?: number }).httpStatus === 422) { this.queue.addAfter(item, 200); return; }
      throw e;
    }
  }
}
