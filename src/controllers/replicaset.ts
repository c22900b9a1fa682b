import type { ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import { R } from '../client/resources.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import type { EventRecorder } from './events.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import { podsToDelete } from './rsmodel.js';
import type { KPod } from './servicepods.js';
import { type K, controllerRef, deepEqual, keyOf, matchesSelector, podActive, podReady, splitKey } from './util.js';

export type KReplicaSet = K<ReplicaSet>;

/** Creations/deletions issued but not yet seen by the informer (client-go "expectations"). */
class Expectations {
  private readonly m = new Map<string, { adds: number; dels: Set<string>; at: number }>();
  expect(key: string, adds: number, dels: string[]): void { this.m.set(key, { adds, dels: new Set(dels), at: Date.now() }); }
  observedAdd(key: string): void { const e = this.m.get(key); if (e) e.adds--; }
  observedDel(key: string, uid: string): void { this.m.get(key)?.dels.delete(uid); }
  lowerAdds(key: string, n: number): void { const e = this.m.get(key); if (e) e.adds -= n; }
  satisfied(key: string): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    if ((e.adds <= 0 && e.dels.size === 0) || Date.now() - e.at > 30_000) { this.m.delete(key); return true; }
    return false;
  }
  delete(key: string): void { this.m.delete(key); }
}

/**
 * ReplicaSet controller: keeps `spec.replicas` active pods owned by each ReplicaSet (created with
 * generateName `<rs>-`, the template's labels, a controller ownerReference), deletes the least
 * useful ones on scale-down, and reports status (replicas, fullyLabeled, ready, available, observedGeneration).
 */
export class ReplicaSetController {
  private readonly queue: WorkQueue;
  private readonly rss;
  private readonly pods;
  private readonly exp = new Expectations();

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly events: EventRecorder, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'replicaset', log, workers: 4 });
    this.rss = informers.get<KReplicaSet>(R.replicasets);
    this.pods = informers.get<KPod>(R.pods);
    this.rss.on({
      onAdd: (r) => this.queue.add(keyOf(r)),
      onUpdate: (_o, r) => this.queue.add(keyOf(r)),
      onDelete: (r) => { this.exp.delete(keyOf(r)); this.queue.add(keyOf(r)); },
    });
    const ownerKey = (p: KPod): string | undefined => {
      const ref = controllerRef(p);
      return ref?.kind === 'ReplicaSet' ? `${p.metadata.namespace}/${ref.name}` : undefined;
    };
    this.pods.on({
      onAdd: (p) => { const k = ownerKey(p); if (k) { this.exp.observedAdd(k); this.queue.add(k); } },
      onUpdate: (o, p) => {
        const k = ownerKey(p);
        if (p.metadata.deletionTimestamp && !o.metadata.deletionTimestamp && k) this.exp.observedDel(k, p.metadata.uid!);
        if (k) this.queue.add(k);
        const ok = ownerKey(o); if (ok && ok !== k) this.queue.add(ok);
      },
      onDelete: (p) => { const k = ownerKey(p); if (k) { this.exp.observedDel(k, p.metadata.uid!); this.queue.add(k); } },
    });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private owned(rs: KReplicaSet): KPod[] {
    return this.pods.list().filter((p) => p.metadata.namespace === rs.metadata.namespace && controllerRef(p)?.uid === rs.metadata.uid);
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace!;
    const rs = this.rss.get(ns, name);
    if (!rs) return;
    const pods = this.owned(rs);
    const active = pods.filter(podActive);
    if (this.exp.satisfied(key) && !rs.metadata.deletionTimestamp) {
      const want = rs.spec?.replicas ?? 1;
      const diff = want - active.length;
      if (diff > 0) await this.createPods(rs, Math.min(diff, 500), key);
      else if (diff < 0) await this.deletePods(rs, podsToDelete(active, -diff), key);
    }
    await this.updateStatus(rs, active);
  }

  private async createPods(rs: KReplicaSet, n: number, key: string): Promise<void> {
    const ns = rs.metadata.namespace!;
    const t = rs.spec?.template ?? {};
    this.exp.expect(key, n, []);
    // Slow start like upstream: batches of 1, 2, 4, … so a failing template doesn't flood the API.
    let done = 0, batch = 1;
    while (done < n) {
      const size = Math.min(batch, n - done);
      const results = await Promise.allSettled(Array.from({ length: size }, () => this.client.create<KPod>(R.pods(ns), {
        apiVersion: 'v1', kind: 'Pod',
        metadata: {
          generateName: `${rs.metadata.name}-`, namespace: ns,
          labels: { ...(t.metadata?.labels ?? {}) },
          ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: JSON.parse(JSON.stringify(t.spec ?? {})) as KPod['spec'],
      })));
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      done += size;
      if (failed.length) {
        this.exp.lowerAdds(key, n - done + failed.length);
        const msg = `Error creating: ${(failed[0]!.reason as Error).message}`;
        await this.events.record(rs, 'Warning', 'FailedCreate', msg);
        throw new Error(msg);
      }
      await this.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod(s): ${results.map((r) => (r as PromiseFulfilledResult<KPod>).value.metadata.name).join(', ')}`);
      batch *= 2;
    }
  }

  private async deletePods(rs: KReplicaSet, victims: KPod[], key: string): Promise<void> {
    this.exp.expect(key, 0, victims.map((p) => p.metadata.uid!));
    await Promise.all(victims.map(async (p) => {
      try {
        await this.client.delete(R.pods(p.metadata.namespace!), p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
      } catch (e) {
        this.exp.observedDel(key, p.metadata.uid!);
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }));
    await this.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${victims.map((p) => p.metadata.name).join(', ')}`);
  }

  private async updateStatus(rs: KReplicaSet, active: KPod[]): Promise<void> {
    const tl = rs.spec?.template?.metadata?.labels ?? {};
    const ready = active.filter(podReady);
    const status = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(tl).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: ready.length,
      availableReplicas: ready.length,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    const cur: ReplicaSetStatus = rs.status ?? { replicas: 0 };
    const curCmp = { replicas: cur.replicas ?? 0, fullyLabeledReplicas: cur.fullyLabeledReplicas ?? 0, readyReplicas: cur.readyReplicas ?? 0, availableReplicas: cur.availableReplicas ?? 0, observedGeneration: cur.observedGeneration ?? 0 };
    if (deepEqual(curCmp, status)) return;
    try {
      await this.client.update(R.replicasets(rs.metadata.namespace!), { ...rs, status: { ...cur, ...status } }, 'status');
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) { this.queue.addAfter(keyOf(rs), 50); return; }
      throw e;
    }
  }

  /** Pods matching the selector that nobody owns (not adopted in this version; exposed for tests). */
  orphans(rs: KReplicaSet): KPod[] {
    return this.pods.list().filter((p) => p.metadata.namespace === rs.metadata.namespace && !controllerRef(p) && matchesSelector(rs.spec?.selector, p.metadata.labels));
  }
}
