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

/**
 * Garbage collector (background propagation): a dependent whose every owner (ownerReferences,
 * matched by uid) is gone is deleted; owners that are gone are dropped from a dependent that
 * still has a live owner. Absence is confirmed with a live GET, never from a cache alone.
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
      inf.on({ onDelete: (owner) => this.ownerGone(owner.metadata.uid!) });
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
