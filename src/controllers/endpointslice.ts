import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { R } from '../client/resources.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import { computeSlices, endpointLabels, MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, type DesiredSlice } from './endpointsmodel.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import { watchServicesAndPods, type KService } from './servicepods.js';
import { type K, deepEqual, stableJSON, splitKey } from './util.js';

type KSlice = K<EndpointSlice>;

/**
 * discovery.k8s.io/v1 EndpointSlices (addressType IPv4) for every Service with a selector, named
 * `<service>-<random>`, labelled kubernetes.io/service-name + managed-by endpointslice-controller,
 * owned by the Service (ownerReferences, so they go with it). A Service without endpoints keeps
 * one empty placeholder slice, as upstream.
 */
export class EndpointSliceController {
  private readonly queue: WorkQueue;
  private readonly sp;
  private readonly slices;
  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'endpointslice', log, workers: 4 });
    this.sp = watchServicesAndPods(informers, this.queue);
    this.slices = informers.get<KSlice>(R.endpointslices);
    const requeue = (s: KSlice): void => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    this.slices.on({ onUpdate: (_o, s) => requeue(s), onDelete: requeue });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  /**
   * Our slices of a Service: the informer's view overlaid with what this controller wrote and the
   * informer hasn't shown yet (upstream's slice tracker), so a lagging cache never causes duplicates.
   */
  private owned(ns: string, name: string): KSlice[] {
    const key = `${ns}/${name}`;
    const byName = new Map<string, KSlice>();
    for (const s of this.slices.list()) {
      if (s.metadata.namespace === ns && s.metadata.labels?.[SERVICE_NAME_LABEL] === name
        && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY && !s.metadata.deletionTimestamp) byName.set(s.metadata.name!, s);
    }
    const overlay = this.written.get(key);
    for (const [sname, w] of overlay ?? []) {
      const cached = this.slices.get(ns, sname);
      const caughtUp = w.obj ? !!cached && Number(cached.metadata.resourceVersion) >= Number(w.obj.metadata.resourceVersion)
        : !cached;
      if (caughtUp || Date.now() - w.at > 60_000) { overlay!.delete(sname); continue; }
      if (w.obj) byName.set(sname, w.obj); else byName.delete(sname);
    }
    if (overlay && overlay.size === 0) this.written.delete(key);
    return [...byName.values()];
  }

  private remember(key: string, name: string, obj: KSlice | null): void {
    let m = this.written.get(key);
    if (!m) { m = new Map(); this.written.set(key, m); }
    m.set(name, { obj, at: Date.now() });
  }

  private readonly written = new Map<string, Map<string, { obj: KSlice | null; at: number }>>();

  private build(svc: KService, d: DesiredSlice, cur?: KSlice): KSlice {
    const labels = { ...endpointLabels(svc), [SERVICE_NAME_LABEL]: svc.metadata.name!, [MANAGED_BY_LABEL]: MANAGED_BY };
    return {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: {
        ...(cur ? cur.metadata : { generateName: `${svc.metadata.name}-` }),
        namespace: svc.metadata.namespace, labels,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: d.endpoints,
      ports: d.ports,
    };
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace!;
    const svc = this.sp.services.get(ns, name);
    const existing = this.owned(ns, name);
    if (!svc || !svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) {
      // Service gone (the garbage collector would do it too) or selector removed: our slices go.
      for (const s of existing) await this.del(ns, s.metadata.name!);
      return;
    }
    let desired = computeSlices(svc, this.sp.podsIn(ns));
    if (desired.length === 0) desired = [{ ports: [], endpoints: [] }];
    // Match desired slices to existing ones with the same port set, reusing names.
    const left = [...existing].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const writes: Promise<unknown>[] = [];
    let stale = false;
    for (const d of desired) {
      const pk = stableJSON(d.ports);
      let i = left.findIndex((s) => stableJSON(s.ports ?? []) === pk);
      if (i < 0) i = left.findIndex(() => true);
      const cur = i >= 0 ? left.splice(i, 1)[0] : undefined;
      const obj = this.build(svc, d, cur);
      if (cur) {
        if (deepEqual(cur.endpoints ?? [], obj.endpoints) && deepEqual(cur.ports ?? [], obj.ports) && deepEqual(cur.metadata.labels ?? {}, obj.metadata.labels)
          && deepEqual(cur.metadata.ownerReferences ?? [], obj.metadata.ownerReferences)) continue;
        writes.push(this.client.update(R.endpointslices(ns), obj).then((o) => this.remember(key, o.metadata.name!, o),
          (e) => { if (isConflict(e) || isNotFound(e)) stale = true; else throw e; }));
      } else {
        writes.push(this.client.create(R.endpointslices(ns), obj).then((o) => this.remember(key, o.metadata.name!, o)));
      }
    }
    for (const s of left) writes.push(this.del(ns, s.metadata.name!).then(() => this.remember(key, s.metadata.name!, null)));
    await Promise.all(writes);
    if (stale) this.queue.addAfter(key, 100);
  }

  private async del(ns: string, name: string): Promise<void> {
    try { await this.client.delete(R.endpointslices(ns), name); } catch (e) { if (!isNotFound(e)) throw e; }
  }
}
