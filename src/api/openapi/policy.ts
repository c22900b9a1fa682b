/**
 * OpenAPI definitions of policy/v1 PodDisruptionBudget (and Eviction), merged into the server's
 * definition table (./schemas.ts) so /openapi/v2 and /openapi/v3 describe them and strict field
 * validation knows their fields.
 */
import type { Definition, FieldTuple } from './schemas.js';

const POLICY = 'io.k8s.api.policy.v1';
const GVK = (kind: string): Definition['gvk'] => ({ group: 'policy', version: 'v1', kind });
const TYPE: FieldTuple[] = [
  ['apiVersion', 'string', 'APIVersion defines the versioned schema of this representation of an object.'],
  ['kind', 'string', 'Kind is a string value representing the REST resource this object represents.'],
  ['metadata', 'ObjectMeta', "Standard object's metadata."],
];
const def = (short: string, description: string, fields: FieldTuple[], extra: Partial<Definition> = {}): Definition => ({ full: `${POLICY}.${short}`, description, fields, ...extra });

export const POLICY_DEFINITIONS: Record<string, Definition> = {
  PodDisruptionBudget: def('PodDisruptionBudget', 'PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods', [
    ...TYPE,
    ['spec', 'PodDisruptionBudgetSpec', 'Specification of the desired behavior of the PodDisruptionBudget.'],
    ['status', 'PodDisruptionBudgetStatus', 'Most recently observed status of the PodDisruptionBudget.'],
  ], { gvk: GVK('PodDisruptionBudget') }),
  PodDisruptionBudgetList: def('PodDisruptionBudgetList', 'PodDisruptionBudgetList is a collection of PodDisruptionBudgets.', [
    ['apiVersion', 'string', 'APIVersion defines the versioned schema of this representation of an object.'],
    ['items', '[]PodDisruptionBudget', 'Items is a list of PodDisruptionBudgets'],
    ['kind', 'string', 'Kind is a string value representing the REST resource this object represents.'],
    ['metadata', 'ListMeta', "Standard object's metadata."],
  ], { gvk: GVK('PodDisruptionBudgetList'), required: ['items'] }),
  PodDisruptionBudgetSpec: def('PodDisruptionBudgetSpec', 'PodDisruptionBudgetSpec is a description of a PodDisruptionBudget.', [
    ['maxUnavailable', 'IntOrString', 'An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction. Mutually exclusive with minAvailable.'],
    ['minAvailable', 'IntOrString', 'An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction. Mutually exclusive with maxUnavailable.'],
    ['selector', 'LabelSelector', 'Label query over pods whose evictions are managed by the disruption budget. A null selector will match no pods, while an empty ({}) selector will select all pods within the namespace.'],
    ['unhealthyPodEvictionPolicy', 'string', 'UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction: IfHealthyBudget or AlwaysAllow.'],
  ]),
  PodDisruptionBudgetStatus: def('PodDisruptionBudgetStatus', 'PodDisruptionBudgetStatus represents information about the status of a PodDisruptionBudget.', [
    ['conditions', '[]Condition', 'Conditions contain conditions for PDB. The disruption controller sets the DisruptionAllowed condition.', 'merge:type'],
    ['currentHealthy', 'integer', 'current number of healthy pods'],
    ['desiredHealthy', 'integer', 'minimum desired number of healthy pods'],
    ['disruptedPods', 'map', 'DisruptedPods contains information about pods whose eviction was processed by the API server eviction subresource handler but has not yet been observed by the PodDisruptionBudget controller.'],
    ['disruptionsAllowed', 'integer', 'Number of pod disruptions that are currently allowed.'],
    ['expectedPods', 'integer', 'total number of pods counted by this disruption budget'],
    ['observedGeneration', 'int64', "Most recent generation observed when updating this PDB status."],
  ], { required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] }),
};
