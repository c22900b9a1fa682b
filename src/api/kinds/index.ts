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
import { podDisruptionBudgetKind } from './policy.js';
import { daemonSetKind } from './daemonset.js';
import { statefulSetKind } from './statefulset.js';
import { jobKind } from './job.js';

export type { KindSemantics } from './types.js';
export { humanDuration, translateTimestampSince } from './common.js';
export { patchAllocatedValues } from './service.js';
export { invalidMessage } from '../validation/index.js';

export const allKinds: KindSemantics[] = [
  namespaceKind, nodeKind, podKind, serviceKind, endpointsKind, configMapKind, eventKind,
  endpointSliceKind, deploymentKind, replicaSetKind, daemonSetKind, statefulSetKind, jobKind, networkPolicyKind, leaseKind, podDisruptionBudgetKind, ...rbacKinds,
];

const byResource = new Map(allKinds.map((k) => [`${k.group}/${k.resource}`, k]));
const byKind = new Map(allKinds.map((k) => [`${k.group}/${k.kind}`, k]));

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
