/**
 * Protobuf request bodies of the deletion and disruption API: meta/v1 DeleteOptions (kubectl ≥ 1.32
 * sends them as protobuf, e.g. `drain --disable-eviction`), policy/v1 Eviction and
 * PodDisruptionBudget. Field numbers from upstream's generated.proto (apimachinery meta/v1, api
 * policy/v1). Imported for its side effect by the handler.
 */
import { registerProtobufMessages, type ProtobufMessage } from './protobuf.js';

const KEEP = { keep: true } as const;

const MESSAGES: Record<string, ProtobufMessage> = {
  DeleteOptions: {
    1: ['gracePeriodSeconds', 'int64', KEEP], 2: ['preconditions', 'Preconditions'], 3: ['orphanDependents', 'bool', KEEP],
    4: ['propagationPolicy', 'string'], 5: ['dryRun', 'string[]'], 6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', KEEP],
  },
  Preconditions: { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] },
  Eviction: { 1: ['metadata', 'ObjectMeta'], 2: ['deleteOptions', 'DeleteOptions'] },
  PodDisruptionBudget: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodDisruptionBudgetSpec'], 3: ['status', 'ignore'] },
  PodDisruptionBudgetSpec: {
    1: ['minAvailable', 'intOrString', KEEP], 2: ['selector', 'LabelSelector'], 3: ['maxUnavailable', 'intOrString', KEEP],
    4: ['unhealthyPodEvictionPolicy', 'string'],
  },
  DaemonSet: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'DaemonSetSpec'], 3: ['status', 'ignore'] },
  DaemonSetSpec: {
    1: ['selector', 'LabelSelector'], 2: ['template', 'PodTemplateSpec'], 3: ['updateStrategy', 'DaemonSetUpdateStrategy'],
    4: ['minReadySeconds', 'int32'], 6: ['revisionHistoryLimit', 'int32', KEEP],
  },
  DaemonSetUpdateStrategy: { 1: ['type', 'string'], 2: ['rollingUpdate', 'RollingUpdateDaemonSet'] },
  RollingUpdateDaemonSet: { 1: ['maxUnavailable', 'intOrString', KEEP], 2: ['maxSurge', 'intOrString', KEEP] },
  StatefulSet: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'StatefulSetSpec'], 3: ['status', 'ignore'] },
  StatefulSetSpec: {
    1: ['replicas', 'int32', KEEP], 2: ['selector', 'LabelSelector'], 3: ['template', 'PodTemplateSpec'], 5: ['serviceName', 'string'],
    6: ['podManagementPolicy', 'string'], 7: ['updateStrategy', 'StatefulSetUpdateStrategy'], 8: ['revisionHistoryLimit', 'int32', KEEP],
    9: ['minReadySeconds', 'int32'], 11: ['ordinals', 'StatefulSetOrdinals'],
  },
  StatefulSetUpdateStrategy: { 1: ['type', 'string'], 2: ['rollingUpdate', 'RollingUpdateStatefulSetStrategy'] },
  RollingUpdateStatefulSetStrategy: { 1: ['partition', 'int32', KEEP], 2: ['maxUnavailable', 'intOrString', KEEP] },
  StatefulSetOrdinals: { 1: ['start', 'int32'] },
  Job: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'JobSpec'], 3: ['status', 'ignore'] },
  JobSpec: {
    1: ['parallelism', 'int32', KEEP], 2: ['completions', 'int32', KEEP], 3: ['activeDeadlineSeconds', 'int64', KEEP], 4: ['selector', 'LabelSelector'],
    5: ['manualSelector', 'bool', KEEP], 6: ['template', 'PodTemplateSpec'], 7: ['backoffLimit', 'int32', KEEP], 8: ['ttlSecondsAfterFinished', 'int32', KEEP],
    9: ['completionMode', 'string'], 10: ['suspend', 'bool', KEEP], 14: ['podReplacementPolicy', 'string'],
  },
};

// DeleteOptions is registered in every group version (metav1.AddToGroupVersion): a client encodes
// it with the version of the resource it deletes.
const DELETE_GVS = ['v1', 'meta.k8s.io/v1', 'apps/v1', 'policy/v1', 'policy/v1beta1', 'batch/v1', 'discovery.k8s.io/v1', 'networking.k8s.io/v1',
  'coordination.k8s.io/v1', 'rbac.authorization.k8s.io/v1', 'apiextensions.k8s.io/v1', 'autoscaling/v1'];
const top: Record<string, string> = {
  'apps/v1/DaemonSet': 'DaemonSet', 'apps/v1/StatefulSet': 'StatefulSet', 'batch/v1/Job': 'Job', 'policy/v1/Eviction': 'Eviction', 'policy/v1beta1/Eviction': 'Eviction', 'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
};
for (const gv of DELETE_GVS) top[`${gv}/DeleteOptions`] = 'DeleteOptions';
registerProtobufMessages(MESSAGES, top);
