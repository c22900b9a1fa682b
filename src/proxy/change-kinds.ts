// Every kind of change a sync must apply, as edits of the trace scenarios' objects (tests of the diff logic:
// unit tests against a restore model, e2e against the kernel).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { services as scenarioServices, slices as scenarioSlices } from './trace/scenarios.js';

export interface Objects { svcs: Service[]; slices: EndpointSlice[] }

/** The trace scenarios' Services and EndpointSlices (fresh copies). */
export const baseObjects = (): Objects => ({ svcs: scenarioServices(), slices: scenarioSlices() });

/** Change kind → an edit of baseObjects() (index 0 is `web`, 1 `np`, 7 `sticky`, 8 `empty`). */
export const CHANGE_KINDS: Readonly<Record<string, (o: Objects) => void>> = {
  'endpoints move': (o) => { o.slices[0]!.endpoints = [{ addresses: ['10.244.0.99'], nodeName: 'node-a', conditions: { ready: true } }]; },
  'service added': (o) => {
    const s = scenarioServices()[0]!, e = scenarioSlices()[0]!;
    o.svcs.push({ ...s, metadata: { namespace: 'ns', name: 'new' }, spec: { ...s.spec, clusterIP: '10.96.0.99' } });
    o.slices.push({ ...e, metadata: { namespace: 'ns', name: 'new-x', labels: { 'kubernetes.io/service-name': 'new' } } });
  },
  'service removed': (o) => { o.svcs.splice(1, 1); o.slices.splice(1, 1); },
  'endpoints gone (REJECT)': (o) => { o.slices[0]!.endpoints = []; },
  'endpoints back': (o) => { o.slices[8]!.endpoints = [{ addresses: ['10.244.1.50'], nodeName: 'node-b', conditions: { ready: true } }]; },
  'becomes NodePort': (o) => { o.svcs[0]!.spec!.type = 'NodePort'; o.svcs[0]!.spec!.ports![0]!.nodePort = 30999; },
  'node port changes': (o) => { o.svcs[1]!.spec!.ports![0]!.nodePort = 30998; },
  'session affinity on': (o) => { o.svcs[0]!.spec!.sessionAffinity = 'ClientIP'; o.svcs[0]!.spec!.sessionAffinityConfig = { clientIP: { timeoutSeconds: 30 } }; },
  'session affinity off': (o) => { delete o.svcs[7]!.spec!.sessionAffinity; delete o.svcs[7]!.spec!.sessionAffinityConfig; },
  'external traffic policy Local': (o) => { o.svcs[1]!.spec!.externalTrafficPolicy = 'Local'; },
  'internal traffic policy Local': (o) => { o.svcs[0]!.spec!.internalTrafficPolicy = 'Local'; },
  'external IP added': (o) => { o.svcs[0]!.spec!.externalIPs = ['198.51.100.50']; },
  'cluster IP port changes': (o) => { o.svcs[0]!.spec!.ports![0]!.port = 81; },
  'everything removed': (o) => { o.svcs.length = 0; o.slices.length = 0; },
};
