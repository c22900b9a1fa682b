import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { R } from '../client/resources.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import type { InformerFactory } from '../client/informerfactory.js';
import type { EventRecorder } from './events.js';
import { WorkQueue } from './queue.js';
import { templateHash } from './daemonsetmodel.js';
import { STS_REVISION_LABEL, planStatefulSet } from './statefulsetmodel.js';
import type { KPod } from './servicepods.js';
import { type K, controllerRef, deepEqual, keyOf, splitKey } from './util.js';

type KStatefulSet = K<StatefulSet>;

/**
 * StatefulSet controller: pods `<name>-<ordinal>` with a stable identity (hostname = pod name,
 * subdomain = the governing Service, so the cluster DNS answers
 * `<name>-0.<service>.<ns>.svc.cluster.local`), created and removed in order, replaced on a new
 * template revision from the highest ordinal down.
 */
export class StatefulSetController {
  private readonly queue: WorkQueue;
  private readonly sets;
  private readonly pods;

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly events: EventRecorder, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'statefulset', log, workers: 2 });
    this.sets = informers.get<KStatefulSet>(R.statefulsets);
    this.pods = informers.get<KPod>(R.pods);
    this.sets.on({ onAdd: (s) => this.queue.add(keyOf(s)), onUpdate: (_o, s) => this.queue.add(keyOf(s)) });
    const owner = (p: KPod): void => {
      const ref = controllerRef(p);
      if (ref?.kind === 'StatefulSet') this.queue.add(`${p.metadata.namespace}/${ref.name}`);
    };
    this.pods.on({ onAdd: owner, onUpdate: (_o, p) => owner(p), onDelete: owner });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace!;
    const s = this.sets.get(ns, name);
    if (!s) return;
    const pods = this.pods.list().filter((p) => p.metadata.namespace === ns && controllerRef(p)?.uid === s.metadata.uid);
    const revision = `${name}-${templateHash(s.spec?.template)}`;
    const plan = planStatefulSet(s, pods, revision);
    if (!s.metadata.deletionTimestamp) {
      const t = s.spec?.template ?? {};
      for (const o of plan.create) {
        const podName = `${name}-${o}`;
        try {
          await this.client.create<KPod>(R.pods(ns), {
            apiVersion: 'v1', kind: 'Pod',
            metadata: {
              name: podName, namespace: ns,
              labels: { ...(t.metadata?.labels ?? {}), [STS_REVISION_LABEL]: revision, 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(o) },
              ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
              ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: s.metadata.uid!, controller: true, blockOwnerDeletion: true }],
            },
            spec: { ...(JSON.parse(JSON.stringify(t.spec ?? {})) as NonNullable<KPod['spec']>), hostname: podName, ...(s.spec?.serviceName ? { subdomain: s.spec.serviceName } : {}) },
          });
          await this.events.record(s, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${name} successful`);
        } catch (e) {
          if (isAlreadyExists(e)) { this.queue.addAfter(key, 500); continue; } // the old one is still going away
          await this.events.record(s, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${name} failed error: ${(e as Error).message}`);
          throw e;
        }
      }
      for (const pn of plan.delete) {
        try {
          await this.client.delete(R.pods(ns), pn);
          await this.events.record(s, 'Normal', 'SuccessfulDelete', `delete Pod ${pn} in StatefulSet ${name} successful`);
        } catch (e) { if (!isNotFound(e)) throw e; }
      }
    }
    const cur = s.status ?? { replicas: 0 };
    if (deepEqual({ ...cur, conditions: undefined }, { ...plan.status, conditions: undefined })) return;
    try {
      await this.client.update(R.statefulsets(ns), { ...s, status: plan.status }, 'status');
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) { this.queue.addAfter(key, 50); return; }
      throw e;
    }
  }
}
