/**
 * A compact field table of the types podnet serves, from which OpenAPI v2/v3 schemas are generated
 * and unknown fields are detected (strict field validation). Descriptions are short summaries of
 * the fields' meaning.
 *
 * Field tuple: [name, type, description?, patch?]. Types: `string`, `integer` (int32), `int64`,
 * `boolean`, `number`, `map` (string→string), `map<Quantity>`, `object` (free-form), `[]T`, or a
 * definition's short name (refs). `patch` is `merge`, `merge:<key>`, `retainKeys`, `merge,retainKeys:<key>`.
 */

import { RBAC_DEFINITIONS } from '../authz/openapi.js';
import { listTypeFields, OBJECT_TYPE_FIELDS } from './fields.js';
import { SERVICEACCOUNT_DEFINITIONS } from '../serviceaccount/openapi.js';
import { DAEMONSET_DEFINITIONS, JOB_DEFINITIONS, POLICY_DEFINITIONS, STATEFULSET_DEFINITIONS } from './policy.js';

export type FieldTuple = [name: string, type: string, description?: string, patch?: string];
export interface Definition {
  full: string;
  description: string;
  fields?: FieldTuple[];
  /** Scalars/special types: a raw schema instead of fields. */
  raw?: Record<string, unknown>;
  /** Raw schema for OpenAPI v3 when it differs (int-or-string and quantities use anyOf/oneOf there). */
  rawV3?: Record<string, unknown>;
  gvk?: { group: string; version: string; kind: string };
  required?: string[];
  /** Strategy for the struct itself (DeploymentStrategy → retainKeys). */
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';

const d = (full: string, description: string, fields: FieldTuple[], extra: Partial<Definition> = {}): Definition => ({ full, description, fields, ...extra });
const kindFields = (kind: string, group: string, specType?: string, statusType?: string): FieldTuple[] => {
  const f: FieldTuple[] = [...OBJECT_TYPE_FIELDS];
  if (specType) f.push(['spec', specType, `Specification of the desired behavior of the ${kind}.`]);
  if (statusType) f.push(['status', statusType, `Most recently observed status of the ${kind}. Populated by the system. Read-only.`]);
  void group;
  return f;
};
const listFields = (item: string): FieldTuple[] => listTypeFields(item, `List of ${item} objects.`);

const probeFields: FieldTuple[] = [
  ['exec', 'ExecAction', 'Exec specifies a command to execute in the container.'],
  ['httpGet', 'HTTPGetAction', 'HTTPGet specifies an HTTP GET request to perform.'],
  ['tcpSocket', 'TCPSocketAction', 'TCPSocket specifies a connection to a TCP port.'],
  ['grpc', 'object', 'GRPC specifies a GRPC HealthCheckRequest.'],
  ['initialDelaySeconds', 'integer', 'Number of seconds after the container has started before probes are initiated.'],
  ['timeoutSeconds', 'integer', 'Number of seconds after which the probe times out. Defaults to 1 second.'],
  ['periodSeconds', 'integer', 'How often (in seconds) to perform the probe. Default to 10 seconds.'],
  ['successThreshold', 'integer', 'Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1.'],
  ['failureThreshold', 'integer', 'Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3.'],
  ['terminationGracePeriodSeconds', 'int64', 'Optional duration in seconds the pod needs to terminate gracefully upon probe failure.'],
];

const containerFields: FieldTuple[] = [
  ['name', 'string', 'Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name. Cannot be updated.'],
  ['image', 'string', 'Container image name.'],
  ['imagePullPolicy', 'string', 'Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.'],
  ['command', '[]string', "Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided."],
  ['args', '[]string', "Arguments to the entrypoint. The container image's CMD is used if this is not provided."],
  ['workingDir', 'string', "Container's working directory."],
  ['ports', '[]ContainerPort', 'List of ports to expose from the container.', 'merge:containerPort'],
  ['env', '[]EnvVar', 'List of environment variables to set in the container.', 'merge:name'],
  ['envFrom', '[]EnvFromSource', 'List of sources to populate environment variables in the container.'],
  ['resources', 'ResourceRequirements', 'Compute Resources required by this container.'],
  ['resizePolicy', '[]object', 'Resources resize policy for the container.'],
  ['restartPolicy', 'string', 'RestartPolicy defines the restart behavior of individual containers in a pod (only "Always" for init containers).'],
  ['volumeMounts', '[]VolumeMount', "Pod volumes to mount into the container's filesystem.", 'merge:mountPath'],
  ['volumeDevices', '[]object', 'volumeDevices is the list of block devices to be used by the container.', 'merge:devicePath'],
  ['livenessProbe', 'Probe', 'Periodic probe of container liveness. Container will be restarted if the probe fails.'],
  ['readinessProbe', 'Probe', 'Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails.'],
  ['startupProbe', 'Probe', 'StartupProbe indicates that the Pod has successfully initialized.'],
  ['lifecycle', 'Lifecycle', 'Actions that the management system should take in response to container lifecycle events.'],
  ['terminationMessagePath', 'string', "Path at which the file to which the container's termination message will be written is mounted."],
  ['terminationMessagePolicy', 'string', 'Indicate how the termination message should be populated. File or FallbackToLogsOnError.'],
  ['securityContext', 'SecurityContext', 'SecurityContext defines the security options the container should be run with.'],
  ['stdin', 'boolean', 'Whether this container should allocate a buffer for stdin in the container runtime.'],
  ['stdinOnce', 'boolean', 'Whether the container runtime should close the stdin channel after it has been opened by a single attach.'],
  ['tty', 'boolean', "Whether this container should allocate a TTY for itself, also requires 'stdin' to be true."],
];

const VOLUME_SOURCE_TYPES: Record<string, string> = {
  configMap: 'ConfigMapVolumeSource', secret: 'SecretVolumeSource', hostPath: 'HostPathVolumeSource', emptyDir: 'EmptyDirVolumeSource',
  persistentVolumeClaim: 'PersistentVolumeClaimVolumeSource', downwardAPI: 'DownwardAPIVolumeSource', projected: 'ProjectedVolumeSource',
};
const nameOptional = (what: string): FieldTuple[] => [
  ['name', 'string', `Name of the referent ${what}.`],
  ['optional', 'boolean', `Specify whether the ${what} must be defined`],
];
const podAffinityFields: FieldTuple[] = [
  ['preferredDuringSchedulingIgnoredDuringExecution', '[]WeightedPodAffinityTerm', 'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.'],
  ['requiredDuringSchedulingIgnoredDuringExecution', '[]PodAffinityTerm', 'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.'],
];

export const DEFINITIONS: Record<string, Definition> = {
  // ------------------------------------------------------------ apimachinery
  Time: { full: `${META}.Time`, description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON (RFC3339).', raw: { type: 'string', format: 'date-time' } },
  MicroTime: { full: `${META}.MicroTime`, description: 'MicroTime is version of Time with microsecond level precision.', raw: { type: 'string', format: 'date-time' } },
  Quantity: { full: 'io.k8s.apimachinery.pkg.api.resource.Quantity', description: "Quantity is a fixed-point representation of a number, e.g. '500m' or '1Gi'.", raw: { type: 'string' }, rawV3: { oneOf: [{ type: 'string' }, { type: 'number' }] } },
  IntOrString: { full: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString', description: 'IntOrString is a type that can hold an int32 or a string.', raw: { type: 'string', format: 'int-or-string' },
    rawV3: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } },
  Patch: { full: `${META}.Patch`, description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', raw: { type: 'object' } },
  ObjectMeta: d(`${META}.ObjectMeta`, 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.', [
    ['annotations', 'map', 'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'],
    ['creationTimestamp', 'Time', 'CreationTimestamp is a timestamp representing the server time when this object was created. Read-only.'],
    ['deletionGracePeriodSeconds', 'int64', 'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Read-only.'],
    ['deletionTimestamp', 'Time', 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. Read-only.'],
    ['finalizers', '[]string', 'Must be empty before the object is deleted from the registry.', 'merge'],
    ['generateName', 'string', 'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'],
    ['generation', 'int64', 'A sequence number representing a specific generation of the desired state. Read-only.'],
    ['labels', 'map', 'Map of string keys and values that can be used to organize and categorize (scope and select) objects.'],
    ['managedFields', '[]object', 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.'],
    ['name', 'string', 'Name must be unique within a namespace. Cannot be updated.'],
    ['namespace', 'string', 'Namespace defines the space within which each name must be unique. Cannot be updated.'],
    ['ownerReferences', '[]OwnerReference', 'List of objects depended by this object.', 'merge:uid'],
    ['resourceVersion', 'string', 'An opaque value that represents the internal version of this object, used for optimistic concurrency. Read-only.'],
    ['selfLink', 'string', 'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'],
    ['uid', 'string', 'UID is the unique in time and space value for this object. Read-only.'],
  ]),
  ListMeta: d(`${META}.ListMeta`, 'ListMeta describes metadata that synthetic resources must have, including lists.', [
    ['continue', 'string', 'continue may be set if the user set a limit on the number of items returned.'],
    ['remainingItemCount', 'int64', 'The number of subsequent items in the list which are not included in this list response.'],
    ['resourceVersion', 'string', 'String that identifies the server\'s internal version of this object.'],
    ['selfLink', 'string', 'Deprecated.'],
  ]),
  OwnerReference: d(`${META}.OwnerReference`, 'OwnerReference contains enough information to let you identify an owning object.', [
    ['apiVersion', 'string', 'API version of the referent.'],
    ['blockOwnerDeletion', 'boolean', 'If true, the owner cannot be deleted from storage until this reference is removed.'],
    ['controller', 'boolean', 'If true, this reference points to the managing controller.'],
    ['kind', 'string', 'Kind of the referent.'],
    ['name', 'string', 'Name of the referent.'],
    ['uid', 'string', 'UID of the referent.'],
  ], { required: ['apiVersion', 'kind', 'name', 'uid'] }),
  LabelSelector: d(`${META}.LabelSelector`, 'A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.', [
    ['matchExpressions', '[]LabelSelectorRequirement', 'matchExpressions is a list of label selector requirements. The requirements are ANDed.'],
    ['matchLabels', 'map', 'matchLabels is a map of {key,value} pairs.'],
  ]),
  LabelSelectorRequirement: d(`${META}.LabelSelectorRequirement`, 'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', [
    ['key', 'string', 'key is the label key that the selector applies to.'],
    ['operator', 'string', "operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."],
    ['values', '[]string', 'values is an array of string values.'],
  ], { required: ['key', 'operator'] }),
  Condition: d(`${META}.Condition`, 'Condition contains details for one aspect of the current state of this API Resource.', [
    ['lastTransitionTime', 'Time', 'lastTransitionTime is the last time the condition transitioned from one status to another.'],
    ['message', 'string', 'message is a human readable message indicating details about the transition.'],
    ['observedGeneration', 'int64', 'observedGeneration represents the .metadata.generation that the condition was set based upon.'],
    ['reason', 'string', "reason contains a programmatic identifier indicating the reason for the condition's last transition."],
    ['status', 'string', 'status of the condition, one of True, False, Unknown.'],
    ['type', 'string', 'type of condition in CamelCase or in foo.example.com/CamelCase.'],
  ]),

  // ------------------------------------------------------------ core: Pod
  Pod: d(`${CORE}.Pod`, 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
    kindFields('Pod', '', 'PodSpec', 'PodStatus'), { gvk: { group: '', version: 'v1', kind: 'Pod' } }),
  PodList: d(`${CORE}.PodList`, 'PodList is a list of Pods.', listFields('Pod'), { gvk: { group: '', version: 'v1', kind: 'PodList' } }),
  PodSpec: d(`${CORE}.PodSpec`, 'PodSpec is a description of a pod.', [
    ['activeDeadlineSeconds', 'int64', 'Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers.'],
    ['affinity', 'Affinity', "If specified, the pod's scheduling constraints."],
    ['automountServiceAccountToken', 'boolean', 'AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.'],
    ['containers', '[]Container', 'List of containers belonging to the pod. There must be at least one container in a Pod. Cannot be updated.', 'merge:name'],
    ['dnsConfig', 'PodDNSConfig', 'Specifies the DNS parameters of a pod. Parameters specified here will be merged to the generated DNS configuration based on DNSPolicy.'],
    ['dnsPolicy', 'string', "Set DNS policy for the pod. Defaults to \"ClusterFirst\". Valid values are 'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'."],
    ['enableServiceLinks', 'boolean', "EnableServiceLinks indicates whether information about services should be injected into pod's environment variables. Defaults to true."],
    ['ephemeralContainers', '[]object', 'List of ephemeral containers run in this pod.', 'merge:name'],
    ['hostAliases', '[]HostAlias', "HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file.", 'merge:ip'],
    ['hostIPC', 'boolean', "Use the host's ipc namespace. Optional: Default to false."],
    ['hostNetwork', 'boolean', "Host networking requested for this pod. Use the host's network namespace. Default to false."],
    ['hostPID', 'boolean', "Use the host's pid namespace. Optional: Default to false."],
    ['hostUsers', 'boolean', "Use the host's user namespace. Optional: Default to true."],
    ['hostname', 'string', "Specifies the hostname of the Pod. If not specified, the pod's hostname will be set to a system-defined value."],
    ['imagePullSecrets', '[]LocalObjectReference', 'ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images.', 'merge:name'],
    ['initContainers', '[]Container', 'List of initialization containers belonging to the pod, executed in order prior to containers being started.', 'merge:name'],
    ['nodeName', 'string', 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.'],
    ['nodeSelector', 'map', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."],
    ['os', 'object', 'Specifies the OS of the containers in the pod.'],
    ['overhead', 'map<Quantity>', 'Overhead represents the resource overhead associated with running a pod for a given RuntimeClass.'],
    ['preemptionPolicy', 'string', 'PreemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority.'],
    ['priority', 'integer', 'The priority value. Various system components use this field to find the priority of the pod.'],
    ['priorityClassName', 'string', "If specified, indicates the pod's priority."],
    ['readinessGates', '[]PodReadinessGate', 'If specified, all readiness gates will be evaluated for pod readiness.'],
    ['resourceClaims', '[]object', 'ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.', 'merge,retainKeys:name'],
    ['resources', 'ResourceRequirements', 'Resources is the total amount of CPU and Memory resources required by all containers in the pod.'],
    ['restartPolicy', 'string', 'Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always.'],
    ['runtimeClassName', 'string', 'RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group, which should be used to run this pod.'],
    ['schedulerName', 'string', 'If specified, the pod will be dispatched by specified scheduler. If not specified, the pod will be dispatched by default scheduler.'],
    ['schedulingGates', '[]object', 'SchedulingGates is an opaque list of values that if specified will block scheduling the pod.', 'merge:name'],
    ['securityContext', 'PodSecurityContext', 'SecurityContext holds pod-level security attributes and common container settings.'],
    ['serviceAccount', 'string', 'DeprecatedServiceAccount is a deprecated alias for ServiceAccountName.'],
    ['serviceAccountName', 'string', 'ServiceAccountName is the name of the ServiceAccount to use to run this pod.'],
    ['setHostnameAsFQDN', 'boolean', "If true the pod's hostname will be configured as the pod's FQDN, rather than the leaf name (the default)."],
    ['shareProcessNamespace', 'boolean', 'Share a single process namespace between all of the containers in a pod.'],
    ['subdomain', 'string', 'If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>".'],
    ['terminationGracePeriodSeconds', 'int64', 'Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds.'],
    ['tolerations', '[]Toleration', "If specified, the pod's tolerations."],
    ['topologySpreadConstraints', '[]TopologySpreadConstraint', 'TopologySpreadConstraints describes how a group of pods ought to spread across topology domains.', 'merge:topologyKey'],
    ['volumes', '[]Volume', 'List of volumes that can be mounted by containers belonging to the pod.', 'merge,retainKeys:name'],
  ], { required: ['containers'] }),
  Container: d(`${CORE}.Container`, 'A single application container that you want to run within a pod.', containerFields, { required: ['name'] }),
  ContainerPort: d(`${CORE}.ContainerPort`, 'ContainerPort represents a network port in a single container.', [
    ['containerPort', 'integer', "Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536."],
    ['hostIP', 'string', 'What host IP to bind the external port to.'],
    ['hostPort', 'integer', 'Number of port to expose on the host. If specified, this must be a valid port number, 0 < x < 65536.'],
    ['name', 'string', 'If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in a pod must have a unique name.'],
    ['protocol', 'string', 'Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'],
  ], { required: ['containerPort'] }),
  EnvVar: d(`${CORE}.EnvVar`, 'EnvVar represents an environment variable present in a Container.', [
    ['name', 'string', 'Name of the environment variable.'],
    ['value', 'string', 'Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables.'],
    ['valueFrom', 'EnvVarSource', "Source for the environment variable's value. Cannot be used if value is not empty."],
  ], { required: ['name'] }),
  EnvVarSource: d(`${CORE}.EnvVarSource`, 'EnvVarSource represents a source for the value of an EnvVar.', [
    ['configMapKeyRef', 'ConfigMapKeySelector', 'Selects a key of a ConfigMap.'],
    ['fieldRef', 'ObjectFieldSelector', 'Selects a field of the pod: supports metadata.name, metadata.namespace, metadata.labels, metadata.annotations, spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.'],
    ['resourceFieldRef', 'ResourceFieldSelector', 'Selects a resource of the container: only resources limits and requests are currently supported.'],
    ['secretKeyRef', 'SecretKeySelector', "Selects a key of a secret in the pod's namespace"],
  ]),
  EnvFromSource: d(`${CORE}.EnvFromSource`, 'EnvFromSource represents the source of a set of ConfigMaps or Secrets', [
    ['configMapRef', 'ConfigMapEnvSource', 'The ConfigMap to select from'],
    ['prefix', 'string', 'Optional text to prepend to the name of each environment variable.'],
    ['secretRef', 'SecretEnvSource', 'The Secret to select from'],
  ]),
  ResourceRequirements: d(`${CORE}.ResourceRequirements`, 'ResourceRequirements describes the compute resource requirements.', [
    ['claims', '[]object', 'Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.'],
    ['limits', 'map<Quantity>', 'Limits describes the maximum amount of compute resources allowed.'],
    ['requests', 'map<Quantity>', 'Requests describes the minimum amount of compute resources required.'],
  ]),
  VolumeMount: d(`${CORE}.VolumeMount`, 'VolumeMount describes a mounting of a Volume within a container.', [
    ['mountPath', 'string', "Path within the container at which the volume should be mounted. Must not contain ':'."],
    ['mountPropagation', 'string', 'mountPropagation determines how mounts are propagated from the host to container and the other way around.'],
    ['name', 'string', 'This must match the Name of a Volume.'],
    ['readOnly', 'boolean', 'Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false.'],
    ['recursiveReadOnly', 'string', 'RecursiveReadOnly specifies whether read-only mounts should be handled recursively.'],
    ['subPath', 'string', "Path within the volume from which the container's volume should be mounted."],
    ['subPathExpr', 'string', "Expanded path within the volume from which the container's volume should be mounted."],
  ], { required: ['name', 'mountPath'] }),
  Volume: d(`${CORE}.Volume`, 'Volume represents a named volume in a pod that may be accessed by any container in the pod.', [
    ['name', 'string', "name of the volume. Must be a DNS_LABEL and unique within the pod."],
    ...['awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'fc', 'flexVolume',
      'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath', 'image', 'iscsi', 'nfs', 'persistentVolumeClaim', 'photonPersistentDisk',
      'portworxVolume', 'projected', 'quobyte', 'rbd', 'scaleIO', 'secret', 'storageos', 'vsphereVolume']
      .map((s): FieldTuple => [s, VOLUME_SOURCE_TYPES[s] ?? 'object', `${s} volume source.`]),
  ], { required: ['name'] }),
  Probe: d(`${CORE}.Probe`, 'Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.', probeFields),
  ExecAction: d(`${CORE}.ExecAction`, 'ExecAction describes a "run in container" action.', [
    ['command', '[]string', 'Command is the command line to execute inside the container.'],
  ]),
  HTTPGetAction: d(`${CORE}.HTTPGetAction`, 'HTTPGetAction describes an action based on HTTP Get requests.', [
    ['host', 'string', 'Host name to connect to, defaults to the pod IP.'],
    ['httpHeaders', '[]HTTPHeader', 'Custom headers to set in the request. HTTP allows repeated headers.'],
    ['path', 'string', 'Path to access on the HTTP server.'],
    ['port', 'IntOrString', 'Name or number of the port to access on the container.'],
    ['scheme', 'string', 'Scheme to use for connecting to the host. Defaults to HTTP.'],
  ], { required: ['port'] }),
  TCPSocketAction: d(`${CORE}.TCPSocketAction`, 'TCPSocketAction describes an action based on opening a socket', [
    ['host', 'string', 'Optional: Host name to connect to, defaults to the pod IP.'],
    ['port', 'IntOrString', 'Number or name of the port to access on the container.'],
  ], { required: ['port'] }),
  PodDNSConfig: d(`${CORE}.PodDNSConfig`, 'PodDNSConfig defines the DNS parameters of a pod in addition to those generated from DNSPolicy.', [
    ['nameservers', '[]string', 'A list of DNS name server IP addresses.'],
    ['options', '[]PodDNSConfigOption', 'A list of DNS resolver options.'],
    ['searches', '[]string', 'A list of DNS search domains for host-name lookup.'],
  ]),
  HostAlias: d(`${CORE}.HostAlias`, "HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod's hosts file.", [
    ['hostnames', '[]string', 'Hostnames for the above IP address.'],
    ['ip', 'string', 'IP address of the host file entry.'],
  ]),
  LocalObjectReference: d(`${CORE}.LocalObjectReference`, 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.', [
    ['name', 'string', 'Name of the referent.'],
  ]),
  PodReadinessGate: d(`${CORE}.PodReadinessGate`, 'PodReadinessGate contains the reference to a pod condition', [
    ['conditionType', 'string', "ConditionType refers to a condition in the pod's condition list with matching type."],
  ]),
  Toleration: d(`${CORE}.Toleration`, 'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.', [
    ['effect', 'string', 'Effect indicates the taint effect to match. Empty means match all taint effects.'],
    ['key', 'string', 'Key is the taint key that the toleration applies to. Empty means match all taint keys.'],
    ['operator', 'string', "Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal."],
    ['tolerationSeconds', 'int64', 'TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute) tolerates the taint.'],
    ['value', 'string', 'Value is the taint value the toleration matches to.'],
  ]),
  PodStatus: d(`${CORE}.PodStatus`, 'PodStatus represents information about the status of a pod.', [
    ['conditions', '[]PodCondition', 'Current service state of pod.', 'merge:type'],
    ['containerStatuses', '[]object', 'The list has one entry per container in the manifest.'],
    ['ephemeralContainerStatuses', '[]object', 'Status for any ephemeral containers that have run in this pod.'],
    ['hostIP', 'string', 'hostIP holds the IP address of the host to which the pod is assigned.'],
    ['hostIPs', '[]object', 'hostIPs holds the IP addresses allocated to the host.', 'merge:ip'],
    ['initContainerStatuses', '[]object', 'The list has one entry per init container in the manifest.'],
    ['message', 'string', 'A human readable message indicating details about why the pod is in this condition.'],
    ['nominatedNodeName', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node.'],
    ['phase', 'string', 'The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: Pending, Running, Succeeded, Failed, Unknown.'],
    ['podIP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster.'],
    ['podIPs', '[]PodIP', 'podIPs holds the IP addresses allocated to the pod.', 'merge:ip'],
    ['qosClass', 'string', 'The Quality of Service (QOS) classification assigned to the pod based on resource requirements.'],
    ['reason', 'string', "A brief CamelCase message indicating details about why the pod is in this state. e.g. 'Evicted'"],
    ['resize', 'string', 'Status of resources resize desired for pod\'s containers.'],
    ['resourceClaimStatuses', '[]object', 'Status of resource claims.', 'merge,retainKeys:name'],
    ['startTime', 'Time', 'RFC 3339 date and time at which the object was acknowledged by the Kubelet.'],
  ]),
  PodCondition: d(`${CORE}.PodCondition`, 'PodCondition contains details for the current condition of this pod.', [
    ['lastProbeTime', 'Time', 'Last time we probed the condition.'],
    ['lastTransitionTime', 'Time', 'Last time the condition transitioned from one status to another.'],
    ['message', 'string', 'Human-readable message indicating details about last transition.'],
    ['reason', 'string', "Unique, one-word, CamelCase reason for the condition's last transition."],
    ['status', 'string', 'Status is the status of the condition. Can be True, False, Unknown.'],
    ['type', 'string', 'Type is the type of the condition.'],
  ]),
  PodIP: d(`${CORE}.PodIP`, 'PodIP represents a single IP address allocated to the pod.', [['ip', 'string', 'IP is the IP address assigned to the pod']]),
  PodTemplateSpec: d(`${CORE}.PodTemplateSpec`, 'PodTemplateSpec describes the data a pod should have when created from a template', [
    ['metadata', 'ObjectMeta', "Standard object's metadata."],
    ['spec', 'PodSpec', 'Specification of the desired behavior of the pod.'],
  ]),

  Affinity: d(`${CORE}.Affinity`, 'Affinity is a group of affinity scheduling rules.', [
    ['nodeAffinity', 'NodeAffinity', 'Describes node affinity scheduling rules for the pod.'],
    ['podAffinity', 'PodAffinity', 'Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).'],
    ['podAntiAffinity', 'PodAntiAffinity', 'Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).'],
  ]),
  NodeAffinity: d(`${CORE}.NodeAffinity`, 'Node affinity is a group of node affinity scheduling rules.', [
    ['preferredDuringSchedulingIgnoredDuringExecution', '[]PreferredSchedulingTerm', 'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field.'],
    ['requiredDuringSchedulingIgnoredDuringExecution', 'NodeSelector', 'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.'],
  ]),
  NodeSelector: d(`${CORE}.NodeSelector`, 'A node selector represents the union of the results of one or more label queries over a set of nodes.', [
    ['nodeSelectorTerms', '[]NodeSelectorTerm', 'Required. A list of node selector terms. The terms are ORed.'],
  ], { required: ['nodeSelectorTerms'] }),
  NodeSelectorTerm: d(`${CORE}.NodeSelectorTerm`, 'A null or empty node selector term matches no objects. The requirements of them are ANDed.', [
    ['matchExpressions', '[]NodeSelectorRequirement', "A list of node selector requirements by node's labels."],
    ['matchFields', '[]NodeSelectorRequirement', "A list of node selector requirements by node's fields."],
  ]),
  NodeSelectorRequirement: d(`${CORE}.NodeSelectorRequirement`, 'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', [
    ['key', 'string', 'The label key that the selector applies to.'],
    ['operator', 'string', "Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt."],
    ['values', '[]string', 'An array of string values.'],
  ], { required: ['key', 'operator'] }),
  PreferredSchedulingTerm: d(`${CORE}.PreferredSchedulingTerm`, 'An empty preferred scheduling term matches all objects with implicit weight 0.', [
    ['preference', 'NodeSelectorTerm', 'A node selector term, associated with the corresponding weight.'],
    ['weight', 'integer', 'Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.'],
  ], { required: ['weight', 'preference'] }),
  PodAffinity: d(`${CORE}.PodAffinity`, 'Pod affinity is a group of inter pod affinity scheduling rules.', podAffinityFields),
  PodAntiAffinity: d(`${CORE}.PodAntiAffinity`, 'Pod anti affinity is a group of inter pod anti affinity scheduling rules.', podAffinityFields),
  PodAffinityTerm: d(`${CORE}.PodAffinityTerm`, 'Defines a set of pods that this pod should be co-located (affinity) or not co-located (anti-affinity) with.', [
    ['labelSelector', 'LabelSelector', 'A label query over a set of resources, in this case pods.'],
    ['matchLabelKeys', '[]string', 'MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'],
    ['mismatchLabelKeys', '[]string', 'MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'],
    ['namespaceSelector', 'LabelSelector', 'A label query over the set of namespaces that the term applies to.'],
    ['namespaces', '[]string', 'namespaces specifies a static list of namespace names that the term applies to.'],
    ['topologyKey', 'string', 'This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces.'],
  ], { required: ['topologyKey'] }),
  WeightedPodAffinityTerm: d(`${CORE}.WeightedPodAffinityTerm`, 'The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)', [
    ['podAffinityTerm', 'PodAffinityTerm', 'Required. A pod affinity term, associated with the corresponding weight.'],
    ['weight', 'integer', 'weight associated with matching the corresponding podAffinityTerm, in the range 1-100.'],
  ], { required: ['weight', 'podAffinityTerm'] }),
  TopologySpreadConstraint: d(`${CORE}.TopologySpreadConstraint`, 'TopologySpreadConstraint specifies how to spread matching pods among the given topology.', [
    ['labelSelector', 'LabelSelector', 'LabelSelector is used to find matching pods.'],
    ['matchLabelKeys', '[]string', 'MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated.'],
    ['maxSkew', 'integer', 'MaxSkew describes the degree to which pods may be unevenly distributed.'],
    ['minDomains', 'integer', 'MinDomains indicates a minimum number of eligible domains.'],
    ['nodeAffinityPolicy', 'string', "NodeAffinityPolicy indicates how we will treat Pod's nodeAffinity/nodeSelector when calculating pod topology spread skew."],
    ['nodeTaintsPolicy', 'string', 'NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew.'],
    ['topologyKey', 'string', 'TopologyKey is the key of node labels.'],
    ['whenUnsatisfiable', 'string', "WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint: DoNotSchedule or ScheduleAnyway."],
  ], { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] }),
  PodSecurityContext: d(`${CORE}.PodSecurityContext`, 'PodSecurityContext holds pod-level security attributes and common container settings.', [
    ['appArmorProfile', 'object', 'appArmorProfile is the AppArmor options to use by the containers in this pod.'],
    ['fsGroup', 'int64', 'A special supplemental group that applies to all containers in a pod.'],
    ['fsGroupChangePolicy', 'string', 'fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod.'],
    ['runAsGroup', 'int64', 'The GID to run the entrypoint of the container process.'],
    ['runAsNonRoot', 'boolean', 'Indicates that the container must run as a non-root user.'],
    ['runAsUser', 'int64', 'The UID to run the entrypoint of the container process.'],
    ['seLinuxChangePolicy', 'string', 'seLinuxChangePolicy defines how the container\'s SELinux label is applied to all volumes used by the Pod.'],
    ['seLinuxOptions', 'object', 'The SELinux context to be applied to all containers.'],
    ['seccompProfile', 'object', 'The seccomp options to use by the containers in this pod.'],
    ['supplementalGroups', '[]int64', 'A list of groups applied to the first process run in each container.'],
    ['supplementalGroupsPolicy', 'string', 'Defines how supplemental groups of the first container processes are calculated.'],
    ['sysctls', '[]object', 'Sysctls hold a list of namespaced sysctls used for the pod.'],
    ['windowsOptions', 'object', 'The Windows specific settings applied to all containers.'],
  ]),
  SecurityContext: d(`${CORE}.SecurityContext`, 'SecurityContext holds security configuration that will be applied to a container.', [
    ['allowPrivilegeEscalation', 'boolean', 'AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process.'],
    ['appArmorProfile', 'object', "appArmorProfile is the AppArmor options to use by this container."],
    ['capabilities', 'Capabilities', 'The capabilities to add/drop when running containers.'],
    ['privileged', 'boolean', 'Run container in privileged mode. Defaults to false.'],
    ['procMount', 'string', 'procMount denotes the type of proc mount to use for the containers.'],
    ['readOnlyRootFilesystem', 'boolean', 'Whether this container has a read-only root filesystem. Default is false.'],
    ['runAsGroup', 'int64', 'The GID to run the entrypoint of the container process.'],
    ['runAsNonRoot', 'boolean', 'Indicates that the container must run as a non-root user.'],
    ['runAsUser', 'int64', 'The UID to run the entrypoint of the container process.'],
    ['seLinuxOptions', 'object', 'The SELinux context to be applied to the container.'],
    ['seccompProfile', 'object', 'The seccomp options to use by this container.'],
    ['windowsOptions', 'object', 'The Windows specific settings applied to all containers.'],
  ]),
  Capabilities: d(`${CORE}.Capabilities`, 'Adds and removes POSIX capabilities from running containers.', [
    ['add', '[]string', 'Added capabilities'],
    ['drop', '[]string', 'Removed capabilities'],
  ]),
  Lifecycle: d(`${CORE}.Lifecycle`, 'Lifecycle describes actions that the management system should take in response to container lifecycle events.', [
    ['postStart', 'LifecycleHandler', 'PostStart is called immediately after a container is created.'],
    ['preStop', 'LifecycleHandler', 'PreStop is called immediately before a container is terminated.'],
    ['stopSignal', 'string', 'StopSignal defines which signal will be sent to a container when it is being stopped.'],
  ]),
  LifecycleHandler: d(`${CORE}.LifecycleHandler`, 'LifecycleHandler defines a specific action that should be taken in a lifecycle hook.', [
    ['exec', 'ExecAction', 'Exec specifies a command to execute in the container.'],
    ['httpGet', 'HTTPGetAction', 'HTTPGet specifies an HTTP GET request to perform.'],
    ['sleep', 'object', 'Sleep represents a duration that the container should sleep.'],
    ['tcpSocket', 'TCPSocketAction', 'Deprecated. TCPSocket is NOT supported as a LifecycleHandler.'],
  ]),
  HTTPHeader: d(`${CORE}.HTTPHeader`, 'HTTPHeader describes a custom header to be used in HTTP probes', [
    ['name', 'string', 'The header field name.'],
    ['value', 'string', 'The header field value'],
  ], { required: ['name', 'value'] }),
  PodDNSConfigOption: d(`${CORE}.PodDNSConfigOption`, 'PodDNSConfigOption defines DNS resolver options of a pod.', [
    ['name', 'string', 'Name is this DNS resolver option\'s name. Required.'],
    ['value', 'string', 'Value is this DNS resolver option\'s value.'],
  ]),
  ConfigMapKeySelector: d(`${CORE}.ConfigMapKeySelector`, 'Selects a key from a ConfigMap.', [['key', 'string', 'The key to select.'], ...nameOptional('ConfigMap or its key')], { required: ['key'] }),
  SecretKeySelector: d(`${CORE}.SecretKeySelector`, 'SecretKeySelector selects a key of a Secret.', [['key', 'string', 'The key of the secret to select from.'], ...nameOptional('Secret or its key')], { required: ['key'] }),
  ObjectFieldSelector: d(`${CORE}.ObjectFieldSelector`, 'ObjectFieldSelector selects an APIVersioned field of an object.', [
    ['apiVersion', 'string', 'Version of the schema the FieldPath is written in terms of, defaults to "v1".'],
    ['fieldPath', 'string', 'Path of the field to select in the specified API version.'],
  ], { required: ['fieldPath'] }),
  ResourceFieldSelector: d(`${CORE}.ResourceFieldSelector`, 'ResourceFieldSelector represents container resources (cpu, memory) and their output format', [
    ['containerName', 'string', 'Container name: required for volumes, optional for env vars'],
    ['divisor', 'Quantity', 'Specifies the output format of the exposed resources, defaults to "1"'],
    ['resource', 'string', 'Required: resource to select'],
  ], { required: ['resource'] }),
  ConfigMapEnvSource: d(`${CORE}.ConfigMapEnvSource`, "ConfigMapEnvSource selects a ConfigMap to populate the environment variables with.", nameOptional('ConfigMap')),
  SecretEnvSource: d(`${CORE}.SecretEnvSource`, 'SecretEnvSource selects a Secret to populate the environment variables with.', nameOptional('Secret')),
  KeyToPath: d(`${CORE}.KeyToPath`, 'Maps a string key to a path within a volume.', [
    ['key', 'string', 'key is the key to project.'],
    ['mode', 'integer', 'mode is Optional: mode bits used to set permissions on this file.'],
    ['path', 'string', 'path is the relative path of the file to map the key to.'],
  ], { required: ['key', 'path'] }),
  ConfigMapVolumeSource: d(`${CORE}.ConfigMapVolumeSource`, "Adapts a ConfigMap into a volume.", [
    ['defaultMode', 'integer', 'defaultMode is optional: mode bits used to set permissions on created files by default. Defaults to 0644.'],
    ['items', '[]KeyToPath', 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume.'],
    ...nameOptional('ConfigMap or its keys'),
  ]),
  SecretVolumeSource: d(`${CORE}.SecretVolumeSource`, 'Adapts a Secret into a volume.', [
    ['defaultMode', 'integer', 'defaultMode is Optional: mode bits used to set permissions on created files by default. Defaults to 0644.'],
    ['items', '[]KeyToPath', 'items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume.'],
    ['optional', 'boolean', 'optional field specify whether the Secret or its keys must be defined'],
    ['secretName', 'string', "secretName is the name of the secret in the pod's namespace to use."],
  ]),
  HostPathVolumeSource: d(`${CORE}.HostPathVolumeSource`, 'Represents a host path mapped into a pod.', [
    ['path', 'string', 'path of the directory on the host.'],
    ['type', 'string', 'type for HostPath Volume. Defaults to ""'],
  ], { required: ['path'] }),
  EmptyDirVolumeSource: d(`${CORE}.EmptyDirVolumeSource`, 'Represents an empty directory for a pod.', [
    ['medium', 'string', 'medium represents what type of storage medium should back this directory.'],
    ['sizeLimit', 'Quantity', 'sizeLimit is the total amount of local storage required for this EmptyDir volume.'],
  ]),
  PersistentVolumeClaimVolumeSource: d(`${CORE}.PersistentVolumeClaimVolumeSource`, "PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace.", [
    ['claimName', 'string', 'claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.'],
    ['readOnly', 'boolean', 'readOnly Will force the ReadOnly setting in VolumeMounts. Default false.'],
  ], { required: ['claimName'] }),
  DownwardAPIVolumeSource: d(`${CORE}.DownwardAPIVolumeSource`, 'DownwardAPIVolumeSource represents a volume containing downward API info.', [
    ['defaultMode', 'integer', 'Optional: mode bits to use on created files by default.'],
    ['items', '[]object', 'Items is a list of downward API volume file'],
  ]),
  ProjectedVolumeSource: d(`${CORE}.ProjectedVolumeSource`, 'Represents a projected volume source', [
    ['defaultMode', 'integer', 'defaultMode are the mode bits used to set permissions on created files by default.'],
    ['sources', '[]object', 'sources is the list of volume projections.'],
  ]),

  // ------------------------------------------------------------ core: Service
  Service: d(`${CORE}.Service`, 'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
    kindFields('Service', '', 'ServiceSpec', 'ServiceStatus'), { gvk: { group: '', version: 'v1', kind: 'Service' } }),
  ServiceList: d(`${CORE}.ServiceList`, 'ServiceList holds a list of services.', listFields('Service'), { gvk: { group: '', version: 'v1', kind: 'ServiceList' } }),
  ServiceSpec: d(`${CORE}.ServiceSpec`, 'ServiceSpec describes the attributes that a user creates on a service.', [
    ['allocateLoadBalancerNodePorts', 'boolean', 'allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer. Default is "true".'],
    ['clusterIP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly. "None" makes a headless service.'],
    ['clusterIPs', '[]string', 'ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.'],
    ['externalIPs', '[]string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'],
    ['externalName', 'string', 'externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record). Requires `type` to be "ExternalName".'],
    ['externalTrafficPolicy', 'string', 'externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service\'s "externally-facing" addresses (NodePorts, ExternalIPs, and LoadBalancer IPs). "Local" or "Cluster".'],
    ['healthCheckNodePort', 'integer', 'healthCheckNodePort specifies the healthcheck nodePort for the service.'],
    ['internalTrafficPolicy', 'string', 'InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP. "Local" or "Cluster".'],
    ['ipFamilies', '[]string', 'IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.'],
    ['ipFamilyPolicy', 'string', 'IPFamilyPolicy represents the dual-stack-ness requested or required by this Service: SingleStack, PreferDualStack, RequireDualStack.'],
    ['loadBalancerClass', 'string', 'loadBalancerClass is the class of the load balancer implementation this Service belongs to.'],
    ['loadBalancerIP', 'string', 'Only applies to Service Type: LoadBalancer. Deprecated.'],
    ['loadBalancerSourceRanges', '[]string', 'If specified and supported by the platform, traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.'],
    ['ports', '[]ServicePort', 'The list of ports that are exposed by this service.', 'merge:port'],
    ['publishNotReadyAddresses', 'boolean', "publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready."],
    ['selector', 'map', 'Route service traffic to pods with label keys and values matching this selector.'],
    ['sessionAffinity', 'string', 'Supports "ClientIP" and "None". Used to maintain session affinity. Defaults to None.'],
    ['sessionAffinityConfig', 'SessionAffinityConfig', 'sessionAffinityConfig contains the configurations of session affinity.'],
    ['trafficDistribution', 'string', 'TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.'],
    ['type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'],
  ]),
  ServicePort: d(`${CORE}.ServicePort`, "ServicePort contains information on service's port.", [
    ['appProtocol', 'string', 'The application protocol for this port.'],
    ['name', 'string', 'The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names.'],
    ['nodePort', 'integer', 'The port on each node on which this service is exposed when type is NodePort or LoadBalancer. Usually assigned by the system.'],
    ['port', 'integer', 'The port that will be exposed by this service.'],
    ['protocol', 'string', 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.'],
    ['targetPort', 'IntOrString', "Number or name of the port to access on the pods targeted by the service. Defaults to the value of the 'port' field."],
  ], { required: ['port'] }),
  SessionAffinityConfig: d(`${CORE}.SessionAffinityConfig`, 'SessionAffinityConfig represents the configurations of session affinity.', [
    ['clientIP', 'ClientIPConfig', 'clientIP contains the configurations of Client IP based session affinity.'],
  ]),
  ClientIPConfig: d(`${CORE}.ClientIPConfig`, 'ClientIPConfig represents the configurations of Client IP based session affinity.', [
    ['timeoutSeconds', 'integer', 'timeoutSeconds specifies the seconds of ClientIP type session sticky time. 0 < x <= 86400 (1 day). Default value is 10800 (3 hours).'],
  ]),
  ServiceStatus: d(`${CORE}.ServiceStatus`, 'ServiceStatus represents the current status of a service.', [
    ['conditions', '[]Condition', 'Current service state', 'merge:type'],
    ['loadBalancer', 'LoadBalancerStatus', 'LoadBalancer contains the current status of the load-balancer, if one is present.'],
  ]),
  LoadBalancerStatus: d(`${CORE}.LoadBalancerStatus`, 'LoadBalancerStatus represents the status of a load-balancer.', [
    ['ingress', '[]object', 'Ingress is a list containing ingress points for the load-balancer.'],
  ]),

  // ------------------------------------------------------------ core: Endpoints, ConfigMap, Namespace, Node, Event
  Endpoints: d(`${CORE}.Endpoints`, 'Endpoints is a collection of endpoints that implement the actual service.', [
    ...kindFields('Endpoints', ''),
    ['subsets', '[]EndpointSubset', 'The set of all endpoints is the union of all subsets.'],
  ], { gvk: { group: '', version: 'v1', kind: 'Endpoints' } }),
  EndpointsList: d(`${CORE}.EndpointsList`, 'EndpointsList is a list of endpoints.', listFields('Endpoints'), { gvk: { group: '', version: 'v1', kind: 'EndpointsList' } }),
  EndpointSubset: d(`${CORE}.EndpointSubset`, 'EndpointSubset is a group of addresses with a common set of ports.', [
    ['addresses', '[]EndpointAddress', 'IP addresses which offer the related ports that are marked as ready.'],
    ['notReadyAddresses', '[]EndpointAddress', 'IP addresses which offer the related ports but are not currently marked as ready.'],
    ['ports', '[]EndpointPort', 'Port numbers available on the related IP addresses.'],
  ]),
  EndpointAddress: d(`${CORE}.EndpointAddress`, 'EndpointAddress is a tuple that describes single IP address.', [
    ['hostname', 'string', 'The Hostname of this endpoint'],
    ['ip', 'string', 'The IP of this endpoint.'],
    ['nodeName', 'string', 'Optional: Node hosting this endpoint.'],
    ['targetRef', 'object', 'Reference to object providing the endpoint.'],
  ], { required: ['ip'] }),
  EndpointPort: d(`${CORE}.EndpointPort`, 'EndpointPort is a tuple that describes a single port.', [
    ['appProtocol', 'string', 'The application protocol for this port.'],
    ['name', 'string', "The name of this port. This must match the 'name' field in the corresponding ServicePort."],
    ['port', 'integer', 'The port number of the endpoint.'],
    ['protocol', 'string', 'The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.'],
  ], { required: ['port'] }),
  ConfigMap: d(`${CORE}.ConfigMap`, 'ConfigMap holds configuration data for pods to consume.', [
    ...kindFields('ConfigMap', ''),
    ['binaryData', 'map', 'BinaryData contains the binary data (base64).'],
    ['data', 'map', 'Data contains the configuration data.'],
    ['immutable', 'boolean', 'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.'],
  ], { gvk: { group: '', version: 'v1', kind: 'ConfigMap' } }),
  ConfigMapList: d(`${CORE}.ConfigMapList`, 'ConfigMapList is a resource containing a list of ConfigMap objects.', listFields('ConfigMap'), { gvk: { group: '', version: 'v1', kind: 'ConfigMapList' } }),
  Namespace: d(`${CORE}.Namespace`, 'Namespace provides a scope for Names. Use of multiple namespaces is optional.',
    kindFields('Namespace', '', 'NamespaceSpec', 'NamespaceStatus'), { gvk: { group: '', version: 'v1', kind: 'Namespace' } }),
  NamespaceList: d(`${CORE}.NamespaceList`, 'NamespaceList is a list of Namespaces.', listFields('Namespace'), { gvk: { group: '', version: 'v1', kind: 'NamespaceList' } }),
  NamespaceSpec: d(`${CORE}.NamespaceSpec`, 'NamespaceSpec describes the attributes on a Namespace.', [
    ['finalizers', '[]string', 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.'],
  ]),
  NamespaceStatus: d(`${CORE}.NamespaceStatus`, 'NamespaceStatus is information about the current status of a Namespace.', [
    ['conditions', '[]object', "Represents the latest available observations of a namespace's current state.", 'merge:type'],
    ['phase', 'string', 'Phase is the current lifecycle phase of the namespace: Active or Terminating.'],
  ]),
  Node: d(`${CORE}.Node`, 'Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).',
    kindFields('Node', '', 'NodeSpec', 'NodeStatus'), { gvk: { group: '', version: 'v1', kind: 'Node' } }),
  NodeList: d(`${CORE}.NodeList`, 'NodeList is the whole list of all Nodes which have been registered with master.', listFields('Node'), { gvk: { group: '', version: 'v1', kind: 'NodeList' } }),
  NodeSpec: d(`${CORE}.NodeSpec`, 'NodeSpec describes the attributes that a node is created with.', [
    ['configSource', 'object', 'Deprecated: Previously used to specify the source of the node\'s configuration.'],
    ['externalID', 'string', 'Deprecated. Not all kubelets will set this field.'],
    ['podCIDR', 'string', 'PodCIDR represents the pod IP range assigned to the node.'],
    ['podCIDRs', '[]string', 'podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.', 'merge'],
    ['providerID', 'string', 'ID of the node assigned by the cloud provider.'],
    ['taints', '[]Taint', "If specified, the node's taints."],
    ['unschedulable', 'boolean', 'Unschedulable controls node schedulability of new pods. By default, node is schedulable.'],
  ]),
  Taint: d(`${CORE}.Taint`, 'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.', [
    ['effect', 'string', 'Required. The effect of the taint on pods that do not tolerate the taint: NoSchedule, PreferNoSchedule and NoExecute.'],
    ['key', 'string', 'Required. The taint key to be applied to a node.'],
    ['timeAdded', 'Time', 'TimeAdded represents the time at which the taint was added.'],
    ['value', 'string', 'The taint value corresponding to the taint key.'],
  ], { required: ['key', 'effect'] }),
  NodeStatus: d(`${CORE}.NodeStatus`, 'NodeStatus is information about the current status of a node.', [
    ['addresses', '[]NodeAddress', 'List of addresses reachable to the node.', 'merge:type'],
    ['allocatable', 'map<Quantity>', 'Allocatable represents the resources of a node that are available for scheduling.'],
    ['capacity', 'map<Quantity>', 'Capacity represents the total resources of a node.'],
    ['conditions', '[]NodeCondition', 'Conditions is an array of current observed node conditions.', 'merge:type'],
    ['config', 'object', 'Status of the config assigned to the node via the dynamic Kubelet config feature.'],
    ['daemonEndpoints', 'object', 'Endpoints of daemons running on the Node.'],
    ['features', 'object', 'Features describes the set of features implemented by the CRI implementation.'],
    ['images', '[]object', 'List of container images on this node'],
    ['nodeInfo', 'NodeSystemInfo', 'Set of ids/uuids to uniquely identify the node.'],
    ['phase', 'string', 'NodePhase is the recently observed lifecycle phase of the node. Deprecated.'],
    ['runtimeHandlers', '[]object', 'The available runtime handlers.'],
    ['volumesAttached', '[]object', 'List of volumes that are attached to the node.'],
    ['volumesInUse', '[]string', 'List of attachable volumes in use (mounted) by the node.'],
  ]),
  NodeAddress: d(`${CORE}.NodeAddress`, "NodeAddress contains information for the node's address.", [
    ['address', 'string', 'The node address.'],
    ['type', 'string', 'Node address type, one of Hostname, ExternalIP or InternalIP.'],
  ], { required: ['type', 'address'] }),
  NodeCondition: d(`${CORE}.NodeCondition`, 'NodeCondition contains condition information for a node.', [
    ['lastHeartbeatTime', 'Time', 'Last time we got an update on a given condition.'],
    ['lastTransitionTime', 'Time', 'Last time the condition transit from one status to another.'],
    ['message', 'string', 'Human readable message indicating details about last transition.'],
    ['reason', 'string', "(brief) reason for the condition's last transition."],
    ['status', 'string', 'Status of the condition, one of True, False, Unknown.'],
    ['type', 'string', 'Type of node condition.'],
  ], { required: ['type', 'status'] }),
  NodeSystemInfo: d(`${CORE}.NodeSystemInfo`, 'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.', [
    ['architecture', 'string', 'The Architecture reported by the node'],
    ['bootID', 'string', 'Boot ID reported by the node.'],
    ['containerRuntimeVersion', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'],
    ['kernelVersion', 'string', "Kernel Version reported by the node from 'uname -r'."],
    ['kubeProxyVersion', 'string', 'Deprecated: KubeProxy Version reported by the node.'],
    ['kubeletVersion', 'string', 'Kubelet Version reported by the node.'],
    ['machineID', 'string', 'MachineID reported by the node.'],
    ['operatingSystem', 'string', 'The Operating System reported by the node'],
    ['osImage', 'string', 'OS Image reported by the node from /etc/os-release.'],
    ['systemUUID', 'string', 'SystemUUID reported by the node.'],
  ]),
  Event: d(`${CORE}.Event`, 'Event is a report of an event somewhere in the cluster.', [
    ...kindFields('Event', ''),
    ['action', 'string', 'What action was taken/failed regarding to the Regarding object.'],
    ['count', 'integer', 'The number of times this event has occurred.'],
    ['eventTime', 'MicroTime', 'Time when this Event was first observed.'],
    ['firstTimestamp', 'Time', 'The time at which the event was first recorded.'],
    ['involvedObject', 'ObjectReference', 'The object that this event is about.'],
    ['lastTimestamp', 'Time', 'The time at which the most recent occurrence of this event was recorded.'],
    ['message', 'string', 'A human-readable description of the status of this operation.'],
    ['reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."],
    ['related', 'ObjectReference', 'Optional secondary object for more complex actions.'],
    ['reportingComponent', 'string', 'Name of the controller that emitted this Event.'],
    ['reportingInstance', 'string', 'ID of the controller instance.'],
    ['series', 'object', "Data about the Event series this event represents or nil if it's a singleton Event."],
    ['source', 'EventSource', 'The component reporting this event.'],
    ['type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'],
  ], { gvk: { group: '', version: 'v1', kind: 'Event' } }),
  EventList: d(`${CORE}.EventList`, 'EventList is a list of events.', listFields('Event'), { gvk: { group: '', version: 'v1', kind: 'EventList' } }),
  EventSource: d(`${CORE}.EventSource`, 'EventSource contains information for an event.', [
    ['component', 'string', 'Component from which the event is generated.'],
    ['host', 'string', 'Node name on which the event is generated.'],
  ]),
  ObjectReference: d(`${CORE}.ObjectReference`, 'ObjectReference contains enough information to let you inspect or modify the referred object.', [
    ['apiVersion', 'string', 'API version of the referent.'],
    ['fieldPath', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'],
    ['kind', 'string', 'Kind of the referent.'],
    ['name', 'string', 'Name of the referent.'],
    ['namespace', 'string', 'Namespace of the referent.'],
    ['resourceVersion', 'string', 'Specific resourceVersion to which this reference is made, if any.'],
    ['uid', 'string', 'UID of the referent.'],
  ]),

  // ------------------------------------------------------------ discovery.k8s.io/v1
  EndpointSlice: d('io.k8s.api.discovery.v1.EndpointSlice', 'EndpointSlice represents a subset of the endpoints that implement a service.', [
    ['addressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice: IPv4, IPv6 or FQDN. Immutable.'],
    ...kindFields('EndpointSlice', 'discovery.k8s.io'),
    ['endpoints', '[]DiscoveryEndpoint', 'endpoints is a list of unique endpoints in this slice.'],
    ['ports', '[]DiscoveryEndpointPort', 'ports specifies the list of network ports exposed by each endpoint in this slice.'],
  ], { gvk: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }, required: ['addressType', 'endpoints'] }),
  EndpointSliceList: d('io.k8s.api.discovery.v1.EndpointSliceList', 'EndpointSliceList represents a list of endpoint slices', listFields('EndpointSlice'),
    { gvk: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSliceList' } }),
  DiscoveryEndpoint: d('io.k8s.api.discovery.v1.Endpoint', 'Endpoint represents a single logical "backend" implementing a service.', [
    ['addresses', '[]string', 'addresses of this endpoint, interpreted according to the EndpointSlice addressType.'],
    ['conditions', 'EndpointConditions', 'conditions contains information about the current status of the endpoint.'],
    ['deprecatedTopology', 'map', 'deprecatedTopology contains topology information part of the v1beta1 API.'],
    ['hints', 'object', 'hints contains information associated with how an endpoint should be consumed.'],
    ['hostname', 'string', 'hostname of this endpoint.'],
    ['nodeName', 'string', 'nodeName represents the name of the Node hosting this endpoint.'],
    ['targetRef', 'ObjectReference', 'targetRef is a reference to a Kubernetes object that represents this endpoint.'],
    ['zone', 'string', 'zone is the name of the Zone this endpoint exists in.'],
  ], { required: ['addresses'] }),
  EndpointConditions: d('io.k8s.api.discovery.v1.EndpointConditions', 'EndpointConditions represents the current condition of an endpoint.', [
    ['ready', 'boolean', 'ready indicates that this endpoint is ready to receive traffic.'],
    ['serving', 'boolean', 'serving indicates that this endpoint is able to receive traffic, regardless of termination state.'],
    ['terminating', 'boolean', 'terminating indicates that this endpoint is terminating.'],
  ]),
  DiscoveryEndpointPort: d('io.k8s.api.discovery.v1.EndpointPort', 'EndpointPort represents a Port used by an EndpointSlice', [
    ['appProtocol', 'string', 'The application protocol for this port.'],
    ['name', 'string', 'name represents the name of this port.'],
    ['port', 'integer', 'port represents the port number of the endpoint.'],
    ['protocol', 'string', 'protocol represents the IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP.'],
  ]),

  // ------------------------------------------------------------ apps/v1
  Deployment: d('io.k8s.api.apps.v1.Deployment', 'Deployment enables declarative updates for Pods and ReplicaSets.',
    kindFields('Deployment', 'apps', 'DeploymentSpec', 'DeploymentStatus'), { gvk: { group: 'apps', version: 'v1', kind: 'Deployment' } }),
  DeploymentList: d('io.k8s.api.apps.v1.DeploymentList', 'DeploymentList is a list of Deployments.', listFields('Deployment'), { gvk: { group: 'apps', version: 'v1', kind: 'DeploymentList' } }),
  DeploymentSpec: d('io.k8s.api.apps.v1.DeploymentSpec', 'DeploymentSpec is the specification of the desired behavior of the Deployment.', [
    ['minReadySeconds', 'integer', 'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'],
    ['paused', 'boolean', 'Indicates that the deployment is paused.'],
    ['progressDeadlineSeconds', 'integer', 'The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.'],
    ['replicas', 'integer', 'Number of desired pods. Defaults to 1.'],
    ['revisionHistoryLimit', 'integer', 'The number of old ReplicaSets to retain to allow rollback. Defaults to 10.'],
    ['selector', 'LabelSelector', "Label selector for pods. It must match the pod template's labels."],
    ['strategy', 'DeploymentStrategy', 'The deployment strategy to use to replace existing pods with new ones.', 'retainKeys'],
    ['template', 'PodTemplateSpec', 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".'],
  ], { required: ['selector', 'template'] }),
  DeploymentStrategy: d('io.k8s.api.apps.v1.DeploymentStrategy', 'DeploymentStrategy describes how to replace existing pods with new ones.', [
    ['rollingUpdate', 'RollingUpdateDeployment', 'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.'],
    ['type', 'string', 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'],
  ]),
  RollingUpdateDeployment: d('io.k8s.api.apps.v1.RollingUpdateDeployment', 'Spec to control the desired behavior of rolling update.', [
    ['maxSurge', 'IntOrString', 'The maximum number of pods that can be scheduled above the desired number of pods. Defaults to 25%.'],
    ['maxUnavailable', 'IntOrString', 'The maximum number of pods that can be unavailable during the update. Defaults to 25%.'],
  ]),
  DeploymentStatus: d('io.k8s.api.apps.v1.DeploymentStatus', 'DeploymentStatus is the most recently observed status of the Deployment.', [
    ['availableReplicas', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'],
    ['collisionCount', 'integer', 'Count of hash collisions for the Deployment.'],
    ['conditions', '[]object', "Represents the latest available observations of a deployment's current state.", 'merge:type'],
    ['observedGeneration', 'int64', 'The generation observed by the deployment controller.'],
    ['readyReplicas', 'integer', 'readyReplicas is the number of pods targeted by this Deployment with a Ready Condition.'],
    ['replicas', 'integer', 'Total number of non-terminated pods targeted by this deployment (their labels match the selector).'],
    ['terminatingReplicas', 'integer', 'Total number of terminating pods targeted by this deployment.'],
    ['unavailableReplicas', 'integer', 'Total number of unavailable pods targeted by this deployment.'],
    ['updatedReplicas', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'],
  ]),
  ReplicaSet: d('io.k8s.api.apps.v1.ReplicaSet', 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.',
    kindFields('ReplicaSet', 'apps', 'ReplicaSetSpec', 'ReplicaSetStatus'), { gvk: { group: 'apps', version: 'v1', kind: 'ReplicaSet' } }),
  ReplicaSetList: d('io.k8s.api.apps.v1.ReplicaSetList', 'ReplicaSetList is a collection of ReplicaSets.', listFields('ReplicaSet'), { gvk: { group: 'apps', version: 'v1', kind: 'ReplicaSetList' } }),
  ReplicaSetSpec: d('io.k8s.api.apps.v1.ReplicaSetSpec', 'ReplicaSetSpec is the specification of a ReplicaSet.', [
    ['minReadySeconds', 'integer', 'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'],
    ['replicas', 'integer', 'Replicas is the number of desired pods. Defaults to 1.'],
    ['selector', 'LabelSelector', 'Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set.'],
    ['template', 'PodTemplateSpec', 'Template is the object that describes the pod that will be created if insufficient replicas are detected.'],
  ], { required: ['selector'] }),
  ReplicaSetStatus: d('io.k8s.api.apps.v1.ReplicaSetStatus', 'ReplicaSetStatus represents the current status of a ReplicaSet.', [
    ['availableReplicas', 'integer', 'The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set.'],
    ['conditions', '[]object', "Represents the latest available observations of a replica set's current state.", 'merge:type'],
    ['fullyLabeledReplicas', 'integer', 'The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset.'],
    ['observedGeneration', 'int64', 'ObservedGeneration reflects the generation of the most recently observed ReplicaSet.'],
    ['readyReplicas', 'integer', 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'],
    ['replicas', 'integer', 'Replicas is the most recently observed number of non-terminating pods.'],
    ['terminatingReplicas', 'integer', 'The number of terminating pods for this replica set.'],
  ], { required: ['replicas'] }),
  Scale: d('io.k8s.api.autoscaling.v1.Scale', 'Scale represents a scaling request for a resource.', [
    ...kindFields('Scale', 'autoscaling', 'ScaleSpec', 'ScaleStatus'),
  ], { gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' } }),
  ScaleSpec: d('io.k8s.api.autoscaling.v1.ScaleSpec', 'ScaleSpec describes the attributes of a scale subresource.', [
    ['replicas', 'integer', 'replicas is the desired number of instances for the scaled object.'],
  ]),
  ScaleStatus: d('io.k8s.api.autoscaling.v1.ScaleStatus', 'ScaleStatus represents the current status of a scale subresource.', [
    ['replicas', 'integer', 'replicas is the actual number of observed instances of the scaled object.'],
    ['selector', 'string', 'selector is the label query over pods that should match the replicas count.'],
  ], { required: ['replicas'] }),

  // ------------------------------------------------------------ coordination.k8s.io/v1
  Lease: d('io.k8s.api.coordination.v1.Lease', 'Lease defines a lease concept.', kindFields('Lease', 'coordination.k8s.io', 'LeaseSpec'),
    { gvk: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' } }),
  LeaseList: d('io.k8s.api.coordination.v1.LeaseList', 'LeaseList is a list of Lease objects.', listFields('Lease'), { gvk: { group: 'coordination.k8s.io', version: 'v1', kind: 'LeaseList' } }),
  LeaseSpec: d('io.k8s.api.coordination.v1.LeaseSpec', 'LeaseSpec is a specification of a Lease.', [
    ['acquireTime', 'MicroTime', 'acquireTime is a time when the current lease was acquired.'],
    ['holderIdentity', 'string', 'holderIdentity contains the identity of the holder of a current lease.'],
    ['leaseDurationSeconds', 'integer', 'leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'],
    ['leaseTransitions', 'integer', 'leaseTransitions is the number of transitions of a lease between holders.'],
    ['preferredHolder', 'string', 'PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up.'],
    ['renewTime', 'MicroTime', 'renewTime is a time when the current holder of a lease has last updated the lease.'],
    ['strategy', 'string', 'Strategy indicates the strategy for picking the leader for coordinated leader election.'],
  ]),

  // ------------------------------------------------------------ networking.k8s.io/v1
  NetworkPolicy: d('io.k8s.api.networking.v1.NetworkPolicy', 'NetworkPolicy describes what network traffic is allowed for a set of Pods',
    kindFields('NetworkPolicy', 'networking.k8s.io', 'NetworkPolicySpec'), { gvk: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' } }),
  NetworkPolicyList: d('io.k8s.api.networking.v1.NetworkPolicyList', 'NetworkPolicyList is a list of NetworkPolicy objects.', listFields('NetworkPolicy'),
    { gvk: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicyList' } }),
  NetworkPolicySpec: d('io.k8s.api.networking.v1.NetworkPolicySpec', 'NetworkPolicySpec provides the specification of a NetworkPolicy', [
    ['egress', '[]NetworkPolicyEgressRule', 'egress is a list of egress rules to be applied to the selected pods.'],
    ['ingress', '[]NetworkPolicyIngressRule', 'ingress is a list of ingress rules to be applied to the selected pods.'],
    ['podSelector', 'LabelSelector', 'podSelector selects the pods to which this NetworkPolicy object applies. An empty podSelector matches all pods in this namespace.'],
    ['policyTypes', '[]string', 'policyTypes is a list of rule types that the NetworkPolicy relates to: "Ingress", "Egress", or both.'],
  ]),
  NetworkPolicyIngressRule: d('io.k8s.api.networking.v1.NetworkPolicyIngressRule', 'NetworkPolicyIngressRule describes a particular set of traffic that is allowed to the pods matched by a NetworkPolicySpec\'s podSelector.', [
    ['from', '[]NetworkPolicyPeer', 'from is a list of sources which should be able to access the pods selected for this rule.'],
    ['ports', '[]NetworkPolicyPort', 'ports is a list of ports which should be made accessible on the pods selected for this rule.'],
  ]),
  NetworkPolicyEgressRule: d('io.k8s.api.networking.v1.NetworkPolicyEgressRule', 'NetworkPolicyEgressRule describes a particular set of traffic that is allowed out of pods matched by a NetworkPolicySpec\'s podSelector.', [
    ['ports', '[]NetworkPolicyPort', 'ports is a list of destination ports for outgoing traffic.'],
    ['to', '[]NetworkPolicyPeer', 'to is a list of destinations for outgoing traffic of pods selected for this rule.'],
  ]),
  NetworkPolicyPeer: d('io.k8s.api.networking.v1.NetworkPolicyPeer', 'NetworkPolicyPeer describes a peer to allow traffic to/from.', [
    ['ipBlock', 'IPBlock', 'ipBlock defines policy on a particular IPBlock.'],
    ['namespaceSelector', 'LabelSelector', 'namespaceSelector selects namespaces using cluster-scoped labels.'],
    ['podSelector', 'LabelSelector', 'podSelector is a label selector which selects pods.'],
  ]),
  NetworkPolicyPort: d('io.k8s.api.networking.v1.NetworkPolicyPort', 'NetworkPolicyPort describes a port to allow traffic on', [
    ['endPort', 'integer', 'endPort indicates that the range of ports from port to endPort if set, inclusive, should be allowed by the policy.'],
    ['port', 'IntOrString', 'port represents the port on the given protocol. This can either be a numerical or named port on a pod.'],
    ['protocol', 'string', 'protocol represents the protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this field defaults to TCP.'],
  ]),
  IPBlock: d('io.k8s.api.networking.v1.IPBlock', 'IPBlock describes a particular CIDR (Ex. "192.168.1.0/24","2001:db8::/64") that is allowed to the pods matched by a NetworkPolicySpec\'s podSelector.', [
    ['cidr', 'string', 'cidr is a string representing the IPBlock. Valid examples are "192.168.1.0/24" or "2001:db8::/64"'],
    ['except', '[]string', 'except is a slice of CIDRs that should not be included within an IPBlock.'],
  ], { required: ['cidr'] }),
  ...RBAC_DEFINITIONS,
  ...SERVICEACCOUNT_DEFINITIONS,
  ...POLICY_DEFINITIONS,
  ...DAEMONSET_DEFINITIONS,
  ...STATEFULSET_DEFINITIONS,
  ...JOB_DEFINITIONS,
};
