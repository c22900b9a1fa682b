/**
 * OpenAPI definitions of policy/v1 PodDisruptionBudget (and Eviction), merged into the server's
 * definition table (./schemas.ts) so /openapi/v2 and /openapi/v3 describe them and strict field
 * validation knows their fields.
 */
import type { Definition, FieldTuple } from './schemas.js';
import { listTypeFields, OBJECT_TYPE_FIELDS } from './fields.js';

const POLICY = 'io.k8s.api.policy.v1';
const GVK = (kind: string): Definition['gvk'] => ({ group: 'policy', version: 'v1', kind });
const TYPE = OBJECT_TYPE_FIELDS;
const def = (short: string, description: string, fields: FieldTuple[], extra: Partial<Definition> = {}): Definition => ({ full: `${POLICY}.${short}`, description, fields, ...extra });

export const POLICY_DEFINITIONS: Record<string, Definition> = {
  PodDisruptionBudget: def('PodDisruptionBudget', 'PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods', [
    ...TYPE,
    ['spec', 'PodDisruptionBudgetSpec', 'Specification of the desired behavior of the PodDisruptionBudget.'],
    ['status', 'PodDisruptionBudgetStatus', 'Most recently observed status of the PodDisruptionBudget.'],
  ], { gvk: GVK('PodDisruptionBudget') }),
  PodDisruptionBudgetList: def('PodDisruptionBudgetList', 'PodDisruptionBudgetList is a collection of PodDisruptionBudgets.', listTypeFields('PodDisruptionBudget', 'Items is a list of PodDisruptionBudgets', "Standard object's metadata."), { gvk: GVK('PodDisruptionBudgetList'), required: ['items'] }),
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

const APPS = 'io.k8s.api.apps.v1';
const APPS_GVK = (kind: string): Definition['gvk'] => ({ group: 'apps', version: 'v1', kind });
const apps = (short: string, description: string, fields: FieldTuple[], extra: Partial<Definition> = {}): Definition => ({ full: `${APPS}.${short}`, description, fields, ...extra });

/** apps/v1 DaemonSet (served with the lifecycle work: `drain --ignore-daemonsets` has something to ignore). */
export const DAEMONSET_DEFINITIONS: Record<string, Definition> = {
  DaemonSet: apps('DaemonSet', 'DaemonSet represents the configuration of a daemon set.', [
    ...TYPE,
    ['spec', 'DaemonSetSpec', 'The desired behavior of this daemon set.'],
    ['status', 'DaemonSetStatus', 'The current status of this daemon set.'],
  ], { gvk: APPS_GVK('DaemonSet') }),
  DaemonSetList: apps('DaemonSetList', 'DaemonSetList is a collection of daemon sets.', listTypeFields('DaemonSet', 'A list of daemon sets.'), { gvk: APPS_GVK('DaemonSetList'), required: ['items'] }),
  DaemonSetSpec: apps('DaemonSetSpec', 'DaemonSetSpec is the specification of a daemon set.', [
    ['minReadySeconds', 'integer', 'The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available.'],
    ['revisionHistoryLimit', 'integer', 'The number of old history to retain to allow rollback. Defaults to 10.'],
    ['selector', 'LabelSelector', 'A label query over pods that are managed by the daemon set. Must match in order to be controlled.'],
    ['template', 'PodTemplateSpec', 'An object that describes the pod that will be created. The DaemonSet will create exactly one copy of this pod on every node that matches the template\'s node selector.'],
    ['updateStrategy', 'DaemonSetUpdateStrategy', 'An update strategy to replace existing DaemonSet pods with new pods.'],
  ], { required: ['selector', 'template'] }),
  DaemonSetUpdateStrategy: apps('DaemonSetUpdateStrategy', 'DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.', [
    ['rollingUpdate', 'RollingUpdateDaemonSet', 'Rolling update config params. Present only if type = "RollingUpdate".'],
    ['type', 'string', 'Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.'],
  ]),
  RollingUpdateDaemonSet: apps('RollingUpdateDaemonSet', 'Spec to control the desired behavior of daemon set rolling update.', [
    ['maxSurge', 'IntOrString', 'The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during during an update.'],
    ['maxUnavailable', 'IntOrString', 'The maximum number of DaemonSet pods that can be unavailable during the update.'],
  ]),
  DaemonSetStatus: apps('DaemonSetStatus', 'DaemonSetStatus represents the current status of a daemon set.', [
    ['collisionCount', 'integer', 'Count of hash collisions for the DaemonSet.'],
    ['conditions', '[]object', "Represents the latest available observations of a DaemonSet's current state.", 'merge:type'],
    ['currentNumberScheduled', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'],
    ['desiredNumberScheduled', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'],
    ['numberAvailable', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'],
    ['numberMisscheduled', 'integer', 'The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod.'],
    ['numberReady', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'],
    ['numberUnavailable', 'integer', 'The number of nodes that should be running the daemon pod and have none of the daemon pod running and available.'],
    ['observedGeneration', 'int64', 'The most recent generation observed by the daemon set controller.'],
    ['updatedNumberScheduled', 'integer', 'The total number of nodes that are running updated daemon pod'],
  ], { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'] }),
};

/** apps/v1 StatefulSet (stable pod identities for headless-Service DNS names). */
export const STATEFULSET_DEFINITIONS: Record<string, Definition> = {
  StatefulSet: apps('StatefulSet', 'StatefulSet represents a set of pods with consistent identities.', [
    ...TYPE,
    ['spec', 'StatefulSetSpec', 'Spec defines the desired identities of pods in this set.'],
    ['status', 'StatefulSetStatus', 'Status is the current status of Pods in this StatefulSet.'],
  ], { gvk: APPS_GVK('StatefulSet') }),
  StatefulSetList: apps('StatefulSetList', 'StatefulSetList is a collection of StatefulSets.', listTypeFields('StatefulSet', 'Items is the list of stateful sets.', "Standard list's metadata."), { gvk: APPS_GVK('StatefulSetList'), required: ['items'] }),
  StatefulSetSpec: apps('StatefulSetSpec', 'A StatefulSetSpec is the specification of a StatefulSet.', [
    ['minReadySeconds', 'integer', 'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available.'],
    ['ordinals', 'StatefulSetOrdinals', 'ordinals controls the numbering of replica indices in a StatefulSet.'],
    ['persistentVolumeClaimRetentionPolicy', 'object', 'persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates.'],
    ['podManagementPolicy', 'string', 'podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down: OrderedReady or Parallel.'],
    ['replicas', 'integer', 'replicas is the desired number of replicas of the given Template.'],
    ['revisionHistoryLimit', 'integer', 'revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet\'s revision history.'],
    ['selector', 'LabelSelector', 'selector is a label query over pods that should match the replica count.'],
    ['serviceName', 'string', 'serviceName is the name of the service that governs this StatefulSet. Pods get DNS/hostnames that follow the pattern: pod-specific-string.serviceName.default.svc.cluster.local'],
    ['template', 'PodTemplateSpec', 'template is the object that describes the pod that will be created if insufficient replicas are detected.'],
    ['updateStrategy', 'StatefulSetUpdateStrategy', 'updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.'],
    ['volumeClaimTemplates', '[]object', 'volumeClaimTemplates is a list of claims that pods are allowed to reference (not supported by podnet).'],
  ], { required: ['selector', 'template'] }),
  StatefulSetOrdinals: apps('StatefulSetOrdinals', 'StatefulSetOrdinals describes the policy used for replica ordinal assignment in this StatefulSet.', [
    ['start', 'integer', 'start is the number representing the first replica\'s index.'],
  ]),
  StatefulSetUpdateStrategy: apps('StatefulSetUpdateStrategy', 'StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will use to perform updates.', [
    ['rollingUpdate', 'RollingUpdateStatefulSetStrategy', 'RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType.'],
    ['type', 'string', 'Type indicates the type of the StatefulSetUpdateStrategy. Default is RollingUpdate.'],
  ]),
  RollingUpdateStatefulSetStrategy: apps('RollingUpdateStatefulSetStrategy', 'RollingUpdateStatefulSetStrategy is used to communicate parameter for RollingUpdateStatefulSetStrategyType.', [
    ['maxUnavailable', 'IntOrString', 'The maximum number of pods that can be unavailable during the update.'],
    ['partition', 'integer', 'Partition indicates the ordinal at which the StatefulSet should be partitioned for updates.'],
  ]),
  StatefulSetStatus: apps('StatefulSetStatus', 'StatefulSetStatus represents the current state of a StatefulSet.', [
    ['availableReplicas', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset.'],
    ['collisionCount', 'integer', 'collisionCount is the count of hash collisions for the StatefulSet.'],
    ['conditions', '[]object', "Represents the latest available observations of a statefulset's current state.", 'merge:type'],
    ['currentReplicas', 'integer', 'currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision.'],
    ['currentRevision', 'string', 'currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).'],
    ['observedGeneration', 'int64', "observedGeneration is the most recent generation observed for this StatefulSet."],
    ['readyReplicas', 'integer', 'readyReplicas is the number of pods created for this StatefulSet with a Ready Condition.'],
    ['replicas', 'integer', 'replicas is the number of Pods created by the StatefulSet controller.'],
    ['updateRevision', 'string', 'updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)'],
    ['updatedReplicas', 'integer', 'updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision.'],
  ], { required: ['replicas'] }),
};

const BATCH = 'io.k8s.api.batch.v1';
const batch = (short: string, description: string, fields: FieldTuple[], extra: Partial<Definition> = {}): Definition => ({ full: `${BATCH}.${short}`, description, fields, ...extra });

/** batch/v1 Job. */
export const JOB_DEFINITIONS: Record<string, Definition> = {
  Job: batch('Job', 'Job represents the configuration of a single job.', [
    ...TYPE,
    ['spec', 'JobSpec', 'Specification of the desired behavior of a job.'],
    ['status', 'JobStatus', 'Current status of a job.'],
  ], { gvk: { group: 'batch', version: 'v1', kind: 'Job' } }),
  JobList: batch('JobList', 'JobList is a collection of jobs.', listTypeFields('Job', 'items is the list of Jobs.'), { gvk: { group: 'batch', version: 'v1', kind: 'JobList' }, required: ['items'] }),
  JobSpec: batch('JobSpec', 'JobSpec describes how the job execution will look like.', [
    ['activeDeadlineSeconds', 'int64', 'Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.'],
    ['backoffLimit', 'integer', 'Specifies the number of retries before marking this job failed. Defaults to 6'],
    ['completionMode', 'string', 'completionMode specifies how Pod completions are tracked. It can be `NonIndexed` (default) or `Indexed`.'],
    ['completions', 'integer', 'Specifies the desired number of successfully finished pods the job should be run with.'],
    ['manualSelector', 'boolean', 'manualSelector controls generation of pod labels and pod selectors.'],
    ['parallelism', 'integer', 'Specifies the maximum desired number of pods the job should run at any given time.'],
    ['podReplacementPolicy', 'string', 'podReplacementPolicy specifies when to create replacement Pods.'],
    ['selector', 'LabelSelector', 'A label query over pods that should match the pod count.'],
    ['suspend', 'boolean', 'suspend specifies whether the Job controller should create Pods or not.'],
    ['template', 'PodTemplateSpec', 'Describes the pod that will be created when executing a job. The only allowed template.spec.restartPolicy values are "Never" or "OnFailure".'],
    ['ttlSecondsAfterFinished', 'integer', 'ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed).'],
  ], { required: ['template'] }),
  JobCondition: batch('JobCondition', 'JobCondition describes current state of a job.', [
    ['lastProbeTime', 'Time', 'Last time the condition was checked.'],
    ['lastTransitionTime', 'Time', 'Last time the condition transit from one status to another.'],
    ['message', 'string', 'Human readable message indicating details about last transition.'],
    ['reason', 'string', "(brief) reason for the condition's last transition."],
    ['status', 'string', 'Status of the condition, one of True, False, Unknown.'],
    ['type', 'string', 'Type of job condition, Complete or Failed.'],
  ], { required: ['type', 'status'] }),
  JobStatus: batch('JobStatus', 'JobStatus represents the current state of a Job.', [
    ['active', 'integer', 'The number of pending and running pods which are not terminating.'],
    ['completedIndexes', 'string', 'completedIndexes holds the completed indexes when .spec.completionMode = "Indexed" in a text format.'],
    ['completionTime', 'Time', 'Represents time when the job was completed.'],
    ['conditions', '[]JobCondition', 'The latest available observations of an object\'s current state.'],
    ['failed', 'integer', 'The number of pods which reached phase Failed.'],
    ['ready', 'integer', 'The number of active pods which have a Ready condition and are not terminating.'],
    ['startTime', 'Time', 'Represents time when the job controller started processing a job.'],
    ['succeeded', 'integer', 'The number of pods which reached phase Succeeded.'],
    ['terminating', 'integer', 'The number of pods which are terminating.'],
    ['uncountedTerminatedPods', 'object', 'uncountedTerminatedPods holds the UIDs of Pods that have terminated but the job controller hasn\'t yet accounted for in the status counters.'],
  ]),
};
