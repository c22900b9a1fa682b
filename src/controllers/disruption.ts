import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { R } from '../client/resources.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { KObject } from '../meta/types.js';
import type { Logger } from '../util/log.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import { computePdbStatus, DELETION_TIMEOUT_MS, type PdbSpecLite, type PdbStatus } from './disruptionmodel.js';
import type { KPod } from './servicepods.js';
import { type K, controllerRef, deepEqual, keyOf, matchesSelector, splitKey } from './util.js';

type KPdb = KObject & { spec?: PdbSpecLite; status?: Partial<PdbStatus> };
type KReplicaSet = K<ReplicaSet>;

/**
 * Disruption controller: keeps each PodDisruptionBudget's status (expectedPods, currentHealthy,
 * desiredHealthy, disruptionsAllowed, disruptedPods, DisruptionAllowed condition) in step with
 * the pods it covers, so the pods/eviction subresource can spend disruptions.
 */
export class DisruptionController {
  private readonly queue: WorkQueue;
  private readonly pdbs;
  private readonly pods;
  private readonly rss;

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'disruption', log, baseDelayMs: 200 });
    this.pdbs = informers.get<KPdb>(R.poddisruptionbudgets);
    this.pods = informers.get<KPod>(R.pods);
    this.rss = informers.get<KReplicaSet>(R.replicasets);
    this.pdbs.on({ onAdd: (b) => this.queue.add(keyOf(b)), onUpdate: (_o, b) => this.queue.add(keyOf(b)) });
    const touch = (p: KPod): void => {
      for (const b of this.pdbs.list()) {
        if (b.metadata.namespace === p.metadata.namespace && matchesSelector(b.spec?.selector, p.metadata.labels)) this.queue.add(keyOf(b));
      }
    };
    this.pods.on({ onAdd: touch, onUpdate: (o, n) => { touch(o); touch(n); }, onDelete: touch });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  /** Replicas of the controllers (ReplicaSets) of the covered pods, when every pod has one. */
  private scale(pods: KPod[]): number | undefined {
    const seen = new Map<string, number>();
    for (const p of pods) {
      const ref = controllerRef(p);
      if (ref?.kind !== 'ReplicaSet') return undefined;
      const rs = this.rss.get(p.metadata.namespace, ref.name);
      if (!rs || rs.metadata.uid !== ref.uid) return undefined;
      seen.set(ref.uid, rs.spec?.replicas ?? 1);
    }
    return seen.size ? [...seen.values()].reduce((a, b) => a + b, 0) : undefined;
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pdb = this.pdbs.get(namespace, name);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    const pods = this.pods.list().filter((p) => p.metadata.namespace === namespace);
    const covered = pods.filter((p) => matchesSelector(pdb.spec?.selector, p.metadata.labels));
    const st = computePdbStatus(pdb.spec ?? {}, pdb.metadata.generation ?? 1, pods, this.scale(covered),
      { disruptedPods: pdb.status?.disruptedPods, conditions: pdb.status?.conditions }, new Date());
    // an entry in disruptedPods expires: look again then
    if (st.disruptedPods && Object.keys(st.disruptedPods).length) this.queue.addAfter(key, DELETION_TIMEOUT_MS + 1000);
    if (deepEqual(st, pdb.status ?? {})) return;
    try {
      await this.client.update(R.poddisruptionbudgets(namespace), { ...pdb, status: st }, 'status');
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) { this.queue.addAfter(key, 100); return; }
      throw e;
    }
  }
}
