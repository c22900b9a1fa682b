/**
 * Every kind podnet serves, with its semantics (see ./types.ts). The API server looks kinds up by
 * (group, resource) for URLs and by (group, kind) for request bodies.
 */
import type { KindSemantics } from './types.js';
import { podKind } from './pod.js';
import { serviceKind } from './service.js';
import { endpointSliceKind, endpointsKind } from './endpoints.js';
import { deploymentKind, replicaSetKind } from './workloads.js';
import { configMapKind, eventKind, namespaceKind, nodeKind } from './cluster.js';
import { networkPolicyKind } from './networkpolicy.js';
import { leaseKind } from './lease.js';
import { rbacKinds } from './rbac.js';
import { secretKind } from './secret.js';
import { serviceAccountKind } from './serviceaccount.js';
import { podDisruptionBudgetKind } from './policy.js';
import { daemonSetKind } from './daemonset.js';
import { statefulSetKind } from './statefulset.js';
import { jobKind } from './job.js';

export type { KindSemantics } from './types.js';
export { humanDuration, translateTimestampSince } from './common.js';
export { patchAllocatedValues } from './service.js';
export { invalidMessage } from '../validation/index.js';

export const allKinds: KindSemantics[] = [
  namespaceKind, nodeKind, podKind, serviceKind, endpointsKind, configMapKind, eventKind, secretKind, serviceAccountKind,
  endpointSliceKind, deploymentKind, replicaSetKind, daemonSetKind, statefulSetKind, jobKind, networkPolicyKind, leaseKind, podDisruptionBudgetKind, ...rbacKinds,
];

const byResource = new Map(allKinds.map((k) => [`${k.group}/${k.resource}`, k]));
const byKind = new Map(allKinds.map((k) => [`${k.group}/${k.kind}`, k]));
const byGVR = new Map(allKinds.map((k) => [`${k.group}/${k.version}/${k.resource}`, k]));

/**
 * Serves kinds defined at run time (CustomResourceDefinitions): `kinds` are every served version
 * of one group/resource, the first being the one (group, resource) and (group, kind) lookups
 * answer. Replaces what was registered for that group/resource before; discovery, routing and
 * OpenAPI see the change at once (they read allKinds).
 */
export function registerKinds(group: string, resource: string, kinds: KindSemantics[]): void {
  unregisterKinds(group, resource);
  for (const k of kinds) { allKinds.push(k); byGVR.set(`${k.group}/${k.version}/${k.resource}`, k); }
  if (kinds[0]) { byResource.set(`${group}/${resource}`, kinds[0]); byKind.set(`${group}/${kinds[0].kind}`, kinds[0]); }
}
/** Stops serving every version of a run-time group/resource (built-in kinds are never removed). */
export function unregisterKinds(group: string, resource: string): KindSemantics[] {
  const gone = allKinds.filter((k) => k.group === group && k.resource === resource && k.custom);
  for (const k of gone) {
    allKinds.splice(allKinds.indexOf(k), 1);
    byGVR.delete(`${k.group}/${k.version}/${k.resource}`);
    if (byResource.get(`${group}/${resource}`) === k) byResource.delete(`${group}/${resource}`);
    if (byKind.get(`${group}/${k.kind}`) === k) byKind.delete(`${group}/${k.kind}`);
  }
  return gone;
}
/** Look up by group, version and plural resource (several versions of a custom resource may be served). */
export function kindByResourceVersion(group: string, version: string, resource: string): KindSemantics | undefined {
  return byGVR.get(`${group}/${version}/${resource}`);
}

/** Look up by API group ('' for core) and plural resource name ('pods'). */
export function kindByResource(group: string, resource: string): KindSemantics | undefined {
  return byResource.get(`${group}/${resource}`);
}
/** Look up by API group ('' for core) and kind ('Pod'). */
export function kindByKind(group: string, kind: string): KindSemantics | undefined {
  return byKind.get(`${group}/${kind}`);
}
/** Group of an apiVersion string: 'apps/v1' → 'apps', 'v1' → ''. */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}
