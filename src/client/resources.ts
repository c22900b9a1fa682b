import type { ResourceRef } from './types.js';

/** A ResourceRef that can also be called with a namespace: `R.pods` (all namespaces) or `R.pods('default')`. */
export type RefFn = ResourceRef & ((namespace?: string) => ResourceRef);

function ref(group: string, version: string, resource: string, namespaced: boolean): RefFn {
  const f = ((namespace?: string): ResourceRef => (namespaced && namespace ? { group, version, resource, namespace } : { group, version, resource })) as RefFn;
  Object.defineProperties(f, {
    group: { value: group, enumerable: true },
    version: { value: version, enumerable: true },
    resource: { value: resource, enumerable: true },
  });
  return f;
}

/** Every kind podnet serves, keyed by plural resource name. */
export const R = {
  namespaces: ref('', 'v1', 'namespaces', false),
  nodes: ref('', 'v1', 'nodes', false),
  pods: ref('', 'v1', 'pods', true),
  services: ref('', 'v1', 'services', true),
  endpoints: ref('', 'v1', 'endpoints', true),
  configmaps: ref('', 'v1', 'configmaps', true),
  events: ref('', 'v1', 'events', true),
  secrets: ref('', 'v1', 'secrets', true),
  serviceaccounts: ref('', 'v1', 'serviceaccounts', true),
  endpointslices: ref('discovery.k8s.io', 'v1', 'endpointslices', true),
  deployments: ref('apps', 'v1', 'deployments', true),
  replicasets: ref('apps', 'v1', 'replicasets', true),
  daemonsets: ref('apps', 'v1', 'daemonsets', true),
  statefulsets: ref('apps', 'v1', 'statefulsets', true),
  jobs: ref('batch', 'v1', 'jobs', true),
  networkpolicies: ref('networking.k8s.io', 'v1', 'networkpolicies', true),
  leases: ref('coordination.k8s.io', 'v1', 'leases', true),
  ippools: ref('crd.projectcalico.org', 'v1', 'ippools', false),
  ipamblocks: ref('crd.projectcalico.org', 'v1', 'ipamblocks', false),
  blockaffinities: ref('crd.projectcalico.org', 'v1', 'blockaffinities', false),
  ipamhandles: ref('crd.projectcalico.org', 'v1', 'ipamhandles', false),
  bgpconfigurations: ref('crd.projectcalico.org', 'v1', 'bgpconfigurations', false),
  bgppeers: ref('crd.projectcalico.org', 'v1', 'bgppeers', false),
  customresourcedefinitions: ref('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', false),
  poddisruptionbudgets: ref('policy', 'v1', 'poddisruptionbudgets', true),
} as const;
export const resources = R;

/** The URL path of a collection or object: /api/v1/namespaces/NS/pods[/NAME[/SUB]]. */
export function resourcePath(ref: ResourceRef, name?: string, subresource?: string): string {
  const root = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  let p = root + (ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '') + `/${ref.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** apiVersion string of a ref ('v1', 'apps/v1'). */
export function apiVersionOf(ref: ResourceRef): string { return ref.group ? `${ref.group}/${ref.version}` : ref.version; }
