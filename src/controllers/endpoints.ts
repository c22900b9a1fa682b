import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { R } from '../client/resources.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import { computeSubsets, endpointLabels } from './endpointsmodel.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import { watchServicesAndPods } from './servicepods.js';
import { type K, deepEqual, nowISO, splitKey } from './util.js';

type KEndpoints = K<Endpoints>;

/**
 * core/v1 Endpoints for every Service with a selector (same name as the Service): ready pods in
 * `addresses`, the others in `notReadyAddresses`. Services without a selector are left alone;
 * the Endpoints object goes away with its Service.
 */
export class EndpointsController {
  private readonly queue: WorkQueue;
  private readonly sp;
  private readonly endpoints;
  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'endpoints', log, workers: 4 });
    this.sp = watchServicesAndPods(informers, this.queue);
    this.endpoints = informers.get<KEndpoints>(R.endpoints);
    this.endpoints.on({
      // Someone else changed or deleted "our" Endpoints: converge again.
      onUpdate: (_o, e) => this.queue.add(`${e.metadata.namespace}/${e.metadata.name}`),
      onDelete: (e) => this.queue.add(`${e.metadata.namespace}/${e.metadata.name}`),
    });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace!;
    const svc = this.sp.services.get(ns, name);
    const cur = this.endpoints.get(ns, name);
    if (!svc) {
      if (cur) { try { await this.client.delete(R.endpoints(ns), name); } catch (e) { if (!isNotFound(e)) throw e; } }
      return;
    }
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
    const subsets = computeSubsets(svc, this.sp.podsIn(ns));
    const labels = endpointLabels(svc);
    if (cur && deepEqual(cur.subsets ?? [], subsets) && deepEqual(cur.metadata.labels ?? {}, labels)) return;
    const annotations = { ...(cur?.metadata.annotations ?? {}), 'endpoints.kubernetes.io/last-change-trigger-time': nowISO() };
    const obj: KEndpoints = {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { ...(cur?.metadata ?? {}), name, namespace: ns, labels, annotations },
      subsets,
    };
    try {
      if (cur) await this.client.update(R.endpoints(ns), obj);
      else await this.client.create(R.endpoints(ns), obj);
    } catch (e) {
      // Stale cache: requeue and try again once the informer caught up.
      if (isConflict(e) || isAlreadyExists(e) || isNotFound(e)) { this.queue.addAfter(key, 100); return; }
      throw e;
    }
  }
}
