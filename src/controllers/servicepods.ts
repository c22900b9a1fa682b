import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { R } from '../client/resources.js';
import type { ListWatchInformer } from '../client/informer.js';
import type { InformerFactory } from '../client/informerfactory.js';
import type { WorkQueue } from './queue.js';
import { type K, keyOf, matchesMap } from './util.js';

export type KService = K<Service>;
export type KPod = K<Pod>;

/**
 * Wires Service and Pod informers to a queue of Service keys: a Service change queues it; a Pod
 * change queues every Service in its namespace whose selector matches the old or new labels.
 */
export function watchServicesAndPods(informers: InformerFactory, queue: WorkQueue): { services: ListWatchInformer<KService>; pods: ListWatchInformer<KPod>; podsIn(ns: string): KPod[] } {
  const services = informers.get<KService>(R.services);
  const pods = informers.get<KPod>(R.pods);
  const byNs = new Map<string, Map<string, KPod>>();
  const index = (p: KPod, del = false): void => {
    const ns = p.metadata.namespace!;
    let m = byNs.get(ns);
    if (!m) { m = new Map(); byNs.set(ns, m); }
    if (del) m.delete(p.metadata.name!); else m.set(p.metadata.name!, p);
  };
  const queueFor = (...ps: KPod[]): void => {
    for (const svc of services.list()) {
      if (svc.metadata.namespace !== ps[0]!.metadata.namespace) continue;
      if (ps.some((p) => matchesMap(svc.spec?.selector, p.metadata.labels))) queue.add(keyOf(svc));
    }
  };
  services.on({
    onAdd: (s) => queue.add(keyOf(s)),
    onUpdate: (_o, s) => queue.add(keyOf(s)),
    onDelete: (s) => queue.add(keyOf(s)),
  });
  pods.on({
    onAdd: (p) => { index(p); queueFor(p); },
    onUpdate: (o, p) => { index(p); if (o.metadata.resourceVersion !== p.metadata.resourceVersion) queueFor(o, p); },
    onDelete: (p) => { index(p, true); queueFor(p); },
  });
  return { services, pods, podsIn: (ns) => [...(byNs.get(ns)?.values() ?? [])] };
}
