import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { R } from '../client/resources.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import type { InformerFactory } from '../client/informerfactory.js';
import type { EventRecorder } from './events.js';
import { WorkQueue } from './queue.js';
import { REVISION_LABEL, daemonTolerations, planDaemonSet, templateHash } from './daemonsetmodel.js';
import type { KPod } from './servicepods.js';
import { type K, controllerRef, deepEqual, keyOf, splitKey } from './util.js';

type KDaemonSet = K<DaemonSet>;

/**
 * DaemonSet controller: one pod per node that should run it (node selector, taints tolerated with
 * the daemon tolerations), bound to the node directly; pods of an old template revision replaced
 * within `maxUnavailable` (RollingUpdate) or left until deleted (OnDelete); status as upstream.
 */
export class DaemonSetController {
  private readonly queue: WorkQueue;
  private readonly dss;
  private readonly pods;
  private readonly nodes;

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly events: EventRecorder, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'daemonset', log, workers: 2 });
    this.dss = informers.get<KDaemonSet>(R.daemonsets);
    this.pods = informers.get<KPod>(R.pods);
    this.nodes = informers.get<K<Node>>(R.nodes);
    this.dss.on({ onAdd: (d) => this.queue.add(keyOf(d)), onUpdate: (_o, d) => this.queue.add(keyOf(d)) });
    const owner = (p: KPod): void => {
      const ref = controllerRef(p);
      if (ref?.kind === 'DaemonSet') this.queue.add(`${p.metadata.namespace}/${ref.name}`);
    };
    this.pods.on({ onAdd: owner, onUpdate: (_o, p) => owner(p), onDelete: owner });
    const all = (): void => { for (const d of this.dss.list()) this.queue.add(keyOf(d)); };
    this.nodes.on({ onAdd: all, onUpdate: (o, n) => { if (!deepEqual(o.spec, n.spec) || !deepEqual(o.metadata.labels, n.metadata.labels)) all(); }, onDelete: all });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace!;
    const ds = this.dss.get(ns, name);
    if (!ds) return;
    const pods = this.pods.list().filter((p) => p.metadata.namespace === ns && controllerRef(p)?.uid === ds.metadata.uid);
    const hash = templateHash(ds.spec?.template);
    const plan = planDaemonSet(ds, this.nodes.list(), pods, hash);
    if (!ds.metadata.deletionTimestamp) {
      const t = ds.spec?.template ?? {};
      for (const node of plan.create) {
        try {
          const p = await this.client.create<KPod>(R.pods(ns), {
            apiVersion: 'v1', kind: 'Pod',
            metadata: {
              generateName: `${name}-`, namespace: ns,
              labels: { ...(t.metadata?.labels ?? {}), [REVISION_LABEL]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
              ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
              ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true }],
            },
            spec: { ...(JSON.parse(JSON.stringify(t.spec ?? {})) as NonNullable<KPod['spec']>), nodeName: node, tolerations: daemonTolerations(t) },
          });
          await this.events.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`);
        } catch (e) {
          await this.events.record(ds, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          throw e;
        }
      }
      for (const pn of plan.delete) {
        try {
          await this.client.delete(R.pods(ns), pn);
          await this.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pn}`);
        } catch (e) { if (!isNotFound(e)) throw e; }
      }
    }
    const cur = ds.status ?? {};
    if (deepEqual({ ...cur, conditions: undefined, collisionCount: undefined }, { ...plan.status, conditions: undefined, collisionCount: undefined })) return;
    try {
      await this.client.update(R.daemonsets(ns), { ...ds, status: plan.status }, 'status');
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) { this.queue.addAfter(key, 50); return; }
      throw e;
    }
  }
}
