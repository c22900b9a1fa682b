import type { Job } from 'kubernetes-types/batch/v1.js';
import { R } from '../client/resources.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import type { InformerFactory } from '../client/informerfactory.js';
import type { EventRecorder } from './events.js';
import { WorkQueue } from './queue.js';
import { planJob } from './jobmodel.js';
import type { KPod } from './servicepods.js';
import { type K, controllerRef, deepEqual, keyOf, splitKey } from './util.js';

type KJob = K<Job>;

/** Job controller (batch/v1, NonIndexed): runs pods to `completions` successes with `parallelism`, fails past `backoffLimit`. */
export class JobController {
  private readonly queue: WorkQueue;
  private readonly jobs;
  private readonly pods;

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly events: EventRecorder, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'job', log, workers: 2 });
    this.jobs = informers.get<KJob>(R.jobs);
    this.pods = informers.get<KPod>(R.pods);
    this.jobs.on({ onAdd: (j) => this.queue.add(keyOf(j)), onUpdate: (_o, j) => this.queue.add(keyOf(j)) });
    const owner = (p: KPod): void => {
      const ref = controllerRef(p);
      if (ref?.kind === 'Job') this.queue.add(`${p.metadata.namespace}/${ref.name}`);
    };
    this.pods.on({ onAdd: owner, onUpdate: (_o, p) => owner(p), onDelete: owner });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace!;
    const job = this.jobs.get(ns, name);
    if (!job || job.metadata.deletionTimestamp) return;
    const pods = this.pods.list().filter((p) => p.metadata.namespace === ns && controllerRef(p)?.uid === job.metadata.uid);
    const lastFailure = Math.max(0, ...pods.filter((p) => p.status?.phase === 'Failed')
      .map((p) => Date.parse(p.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt ?? p.metadata.creationTimestamp ?? '') || 0));
    const plan = planJob(job, pods, new Date(), lastFailure || undefined);
    const t = job.spec?.template ?? {};
    for (let i = 0; i < plan.create; i++) {
      try {
        const p = await this.client.create<KPod>(R.pods(ns), {
          apiVersion: 'v1', kind: 'Pod',
          metadata: {
            generateName: `${name}-`, namespace: ns, labels: { ...(t.metadata?.labels ?? {}) },
            ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
            ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true }],
          },
          spec: JSON.parse(JSON.stringify(t.spec ?? {})) as NonNullable<KPod['spec']>,
        });
        await this.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`);
      } catch (e) {
        await this.events.record(job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        throw e;
      }
    }
    for (const pn of plan.delete) {
      try {
        await this.client.delete(R.pods(ns), pn);
        await this.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pn}`);
      } catch (e) { if (!isNotFound(e)) throw e; }
    }
    if (plan.retryInMs !== undefined) this.queue.addAfter(key, plan.retryInMs + 50);
    if (deepEqual(job.status ?? {}, plan.status)) return;
    try {
      await this.client.update(R.jobs(ns), { ...job, status: plan.status }, 'status');
      if (plan.finished === 'Complete') await this.events.record(job, 'Normal', 'Completed', 'Job completed');
      if (plan.finished === 'Failed') await this.events.record(job, 'Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) { this.queue.addAfter(key, 50); return; }
      throw e;
    }
  }
}
