import type { KObject } from '../meta/types.js';
import { PodnetError } from '../util/errors.js';
import { createClient, InformerFactory, loadKubeconfig } from '../client/index.js';
import { R } from '../client/resources.js';
import type { ResourceRef } from '../client/types.js';
import { registerRecordSource, applyObject } from './sources.js';

/**
 * Records from the API through informers (list + watch + cache), as CoreDNS's kubernetes plugin
 * does: Namespaces, Services, EndpointSlices and Pods. Changes land in the view as events arrive.
 */
registerRecordSource('kubernetes', (opts) => ({
  async start(view, signal) {
    if (!opts.kubeconfig) throw new PodnetError('EDNSSOURCE', 'the kubernetes record source needs --kubeconfig');
    const informers = new InformerFactory(createClient(loadKubeconfig(opts.kubeconfig)));
    const refs: ResourceRef[] = [R.namespaces, R.services, R.endpointslices, R.pods];
    const watched = refs.map((ref) => {
      const inf = informers.get<KObject>(ref);
      inf.on({
        onAdd: (o) => applyObject(view, withKind(o, ref)),
        onUpdate: (_old, o) => applyObject(view, withKind(o, ref)),
        onDelete: (o) => applyObject(view, withKind(o, ref), true),
      });
      return inf;
    });
    // start() resolves early when the signal aborts; readiness is every informer's synced().
    void informers.start(signal).catch(() => undefined);
    await Promise.all(watched.map((i) => i.synced()));
  },
}));

const KIND: Record<string, string> = { namespaces: 'Namespace', services: 'Service', endpointslices: 'EndpointSlice', pods: 'Pod' };
/** Objects inside a list carry no kind; the informer's resource tells it. */
function withKind(o: KObject, ref: ResourceRef): KObject { return o.kind ? o : { ...o, kind: KIND[ref.resource] ?? '' }; }
