/**
 * Decodes Kubernetes' protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the
 * JSON form the rest of the server works with. kubectl's typed clients (`kubectl create namespace`,
 * `create deployment`, `create configmap`, `create service …`) send this encoding.
 *
 * The envelope: the 4 bytes "k8s\0", then a runtime.Unknown message {1: typeMeta {1: apiVersion,
 * 2: kind}, 2: raw (the object), 3: contentEncoding, 4: contentType}. The object is protobuf of the
 * built-in type; the table below lists, per message, field number → JSON name and type, for the
 * kinds podnet serves. Go marshals non-pointer scalars even when zero, so zero scalars are dropped
 * (as JSON's omitempty would) unless the field is a pointer in Go (marked `keep`), where 0 or false
 * means something. `status` is skipped: the main resource ignores it on create and update, as
 * upstream does. Any other field the table does not know is refused, never silently dropped.
 */
import { ApiStatusError } from './status.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class ProtobufDecodeError extends ApiStatusError {
  constructor(message: string) { super(400, 'BadRequest', `the protobuf request body could not be decoded: ${message}`); }
}

/**
 * [json name, type, options]. type: string | int32 | int64 | bool | bytes (base64, as JSON has it),
 * buffer (kept as bytes), intOrString | time | quantity | ignore, or a message name; `T[]` repeated; `map:T` map<string, T>.
 */
type Field = readonly [string, string, { keep?: boolean; inline?: boolean }?];
type Message = Readonly<Record<number, Field>>;

const KEEP = { keep: true } as const;

const SCHEMA: Record<string, Message> = {
  // meta/v1
  ObjectMeta: {
    1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 4: ['selfLink', 'string'],
    5: ['uid', 'string'], 6: ['resourceVersion', 'string'], 7: ['generation', 'int64'], 8: ['creationTimestamp', 'time'],
    9: ['deletionTimestamp', 'time'], 10: ['deletionGracePeriodSeconds', 'int64', KEEP], 11: ['labels', 'map:string'],
    12: ['annotations', 'map:string'], 13: ['ownerReferences', 'OwnerReference[]'], 14: ['finalizers', 'string[]'],
    // managedFields a client sends back (an object it read) are not taken from protobuf: the server keeps its own
    17: ['managedFields', 'ignore'],
  },
  OwnerReference: { 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool', KEEP], 7: ['blockOwnerDeletion', 'bool', KEEP] },
  LabelSelector: { 1: ['matchLabels', 'map:string'], 2: ['matchExpressions', 'LabelSelectorRequirement[]'] },
  LabelSelectorRequirement: { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'string[]'] },
  // core/v1
  Namespace: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'NamespaceSpec'], 3: ['status', 'NamespaceStatus'] },
  NamespaceSpec: { 1: ['finalizers', 'string[]'] },
  NamespaceStatus: { 1: ['phase', 'string'] },
  ConfigMap: { 1: ['metadata', 'ObjectMeta'], 2: ['data', 'map:string'], 3: ['binaryData', 'map:bytes'], 4: ['immutable', 'bool', KEEP] },
  Service: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'ServiceSpec'], 3: ['status', 'ignore'] },
  ServiceSpec: {
    1: ['ports', 'ServicePort[]'], 2: ['selector', 'map:string'], 3: ['clusterIP', 'string'], 4: ['type', 'string'],
    5: ['externalIPs', 'string[]'], 7: ['sessionAffinity', 'string'], 8: ['loadBalancerIP', 'string'],
    9: ['loadBalancerSourceRanges', 'string[]'], 10: ['externalName', 'string'], 11: ['externalTrafficPolicy', 'string'],
    12: ['healthCheckNodePort', 'int32'], 13: ['publishNotReadyAddresses', 'bool'], 14: ['sessionAffinityConfig', 'SessionAffinityConfig'],
    17: ['ipFamilyPolicy', 'string'], 18: ['clusterIPs', 'string[]'], 19: ['ipFamilies', 'string[]'],
    20: ['allocateLoadBalancerNodePorts', 'bool', KEEP], 21: ['loadBalancerClass', 'string'], 22: ['internalTrafficPolicy', 'string'],
    23: ['trafficDistribution', 'string'],
  },
  ServicePort: { 1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int32'], 4: ['targetPort', 'intOrString'], 5: ['nodePort', 'int32'], 6: ['appProtocol', 'string'] },
  SessionAffinityConfig: { 1: ['clientIP', 'ClientIPConfig'] },
  ClientIPConfig: { 1: ['timeoutSeconds', 'int32', KEEP] },
  Pod: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodSpec'], 3: ['status', 'ignore'] },
  PodTemplateSpec: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodSpec'] },
  PodSpec: {
    1: ['volumes', 'Volume[]'], 2: ['containers', 'Container[]'], 3: ['restartPolicy', 'string'], 4: ['terminationGracePeriodSeconds', 'int64', KEEP],
    5: ['activeDeadlineSeconds', 'int64', KEEP], 6: ['dnsPolicy', 'string'], 7: ['nodeSelector', 'map:string'],
    8: ['serviceAccountName', 'string'], 9: ['serviceAccount', 'string'], 10: ['nodeName', 'string'], 11: ['hostNetwork', 'bool'],
    12: ['hostPID', 'bool'], 13: ['hostIPC', 'bool'], 14: ['securityContext', 'PodSecurityContext'], 16: ['hostname', 'string'], 17: ['subdomain', 'string'],
    19: ['schedulerName', 'string'], 20: ['initContainers', 'Container[]'], 21: ['automountServiceAccountToken', 'bool', KEEP],
    22: ['tolerations', 'Toleration[]'], 23: ['hostAliases', 'HostAlias[]'], 24: ['priorityClassName', 'string'],
    25: ['priority', 'int32', KEEP], 26: ['dnsConfig', 'PodDNSConfig'], 27: ['shareProcessNamespace', 'bool', KEEP],
    30: ['enableServiceLinks', 'bool', KEEP], 31: ['preemptionPolicy', 'string'], 35: ['setHostnameAsFQDN', 'bool', KEEP],
  },
  Container: {
    1: ['name', 'string'], 2: ['image', 'string'], 3: ['command', 'string[]'], 4: ['args', 'string[]'], 5: ['workingDir', 'string'],
    6: ['ports', 'ContainerPort[]'], 7: ['env', 'EnvVar[]'], 8: ['resources', 'ResourceRequirements'], 9: ['volumeMounts', 'VolumeMount[]'], 10: ['livenessProbe', 'Probe'],
    11: ['readinessProbe', 'Probe'], 13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 15: ['securityContext', 'SecurityContext'], 16: ['stdin', 'bool'],
    17: ['stdinOnce', 'bool'], 18: ['tty', 'bool'], 20: ['terminationMessagePolicy', 'string'], 22: ['startupProbe', 'Probe'],
    24: ['restartPolicy', 'string'],
  },
  // volumes as kubectl sends them back (debug --copy-to copies a pod with its kube-api-access projected volume; debug node/N mounts hostPath /)
  Volume: { 1: ['name', 'string'], 2: ['volumeSource', 'VolumeSource', { inline: true }] },
  VolumeSource: {
    1: ['hostPath', 'HostPathVolumeSource'], 2: ['emptyDir', 'EmptyDirVolumeSource'], 6: ['secret', 'SecretVolumeSource'],
    10: ['persistentVolumeClaim', 'PersistentVolumeClaimVolumeSource'], 16: ['downwardAPI', 'DownwardAPIVolumeSource'],
    19: ['configMap', 'ConfigMapVolumeSource'], 26: ['projected', 'ProjectedVolumeSource'],
  },
  HostPathVolumeSource: { 1: ['path', 'string'], 2: ['type', 'string', KEEP] },
  EmptyDirVolumeSource: { 1: ['medium', 'string'], 2: ['sizeLimit', 'quantity'] },
  SecretVolumeSource: { 1: ['secretName', 'string'], 2: ['items', 'KeyToPath[]'], 3: ['defaultMode', 'int32', KEEP], 4: ['optional', 'bool', KEEP] },
  PersistentVolumeClaimVolumeSource: { 1: ['claimName', 'string'], 2: ['readOnly', 'bool'] },
  DownwardAPIVolumeSource: { 1: ['items', 'DownwardAPIVolumeFile[]'], 2: ['defaultMode', 'int32', KEEP] },
  ConfigMapVolumeSource: { 1: ['ref', 'LocalObjectReference', { inline: true }], 2: ['items', 'KeyToPath[]'], 3: ['defaultMode', 'int32', KEEP], 4: ['optional', 'bool', KEEP] },
  ProjectedVolumeSource: { 1: ['sources', 'VolumeProjection[]'], 2: ['defaultMode', 'int32', KEEP] },
  VolumeProjection: { 1: ['secret', 'SecretProjection'], 2: ['downwardAPI', 'DownwardAPIProjection'], 3: ['configMap', 'ConfigMapProjection'], 4: ['serviceAccountToken', 'ServiceAccountTokenProjection'] },
  SecretProjection: { 1: ['ref', 'LocalObjectReference', { inline: true }], 2: ['items', 'KeyToPath[]'], 4: ['optional', 'bool', KEEP] },
  ConfigMapProjection: { 1: ['ref', 'LocalObjectReference', { inline: true }], 2: ['items', 'KeyToPath[]'], 4: ['optional', 'bool', KEEP] },
  DownwardAPIProjection: { 1: ['items', 'DownwardAPIVolumeFile[]'] },
  DownwardAPIVolumeFile: { 1: ['path', 'string'], 2: ['fieldRef', 'ObjectFieldSelector'], 3: ['resourceFieldRef', 'ResourceFieldSelector'], 4: ['mode', 'int32', KEEP] },
  ResourceFieldSelector: { 1: ['containerName', 'string'], 2: ['resource', 'string'], 3: ['divisor', 'quantity'] },
  ServiceAccountTokenProjection: { 1: ['audience', 'string'], 2: ['expirationSeconds', 'int64', KEEP], 3: ['path', 'string'] },
  LocalObjectReference: { 1: ['name', 'string'] },
  KeyToPath: { 1: ['key', 'string'], 2: ['path', 'string'], 3: ['mode', 'int32', KEEP] },
  VolumeMount: {
    1: ['name', 'string'], 2: ['readOnly', 'bool'], 3: ['mountPath', 'string'], 4: ['subPath', 'string'], 5: ['mountPropagation', 'string', KEEP],
    6: ['subPathExpr', 'string'], 7: ['recursiveReadOnly', 'string', KEEP],
  },
  PodSecurityContext: {
    2: ['runAsUser', 'int64', KEEP], 3: ['runAsNonRoot', 'bool', KEEP], 4: ['supplementalGroups', 'int64[]'], 5: ['fsGroup', 'int64', KEEP],
    6: ['runAsGroup', 'int64', KEEP], 7: ['sysctls', 'Sysctl[]'], 9: ['fsGroupChangePolicy', 'string', KEEP], 10: ['seccompProfile', 'SeccompProfile'],
    12: ['supplementalGroupsPolicy', 'string', KEEP],
  },
  SecurityContext: {
    1: ['capabilities', 'Capabilities'], 2: ['privileged', 'bool', KEEP], 4: ['runAsUser', 'int64', KEEP], 5: ['runAsNonRoot', 'bool', KEEP],
    6: ['readOnlyRootFilesystem', 'bool', KEEP], 7: ['allowPrivilegeEscalation', 'bool', KEEP], 8: ['runAsGroup', 'int64', KEEP],
    9: ['procMount', 'string', KEEP], 11: ['seccompProfile', 'SeccompProfile'],
  },
  Capabilities: { 1: ['add', 'string[]'], 2: ['drop', 'string[]'] },
  SeccompProfile: { 1: ['type', 'string'], 2: ['localhostProfile', 'string', KEEP] },
  Sysctl: { 1: ['name', 'string'], 2: ['value', 'string'] },
  ContainerPort: { 1: ['name', 'string'], 2: ['hostPort', 'int32'], 3: ['containerPort', 'int32'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] },
  EnvVar: { 1: ['name', 'string'], 2: ['value', 'string'], 3: ['valueFrom', 'EnvVarSource'] },
  EnvVarSource: { 1: ['fieldRef', 'ObjectFieldSelector'] },
  ObjectFieldSelector: { 1: ['apiVersion', 'string'], 2: ['fieldPath', 'string'] },
  ResourceRequirements: { 1: ['limits', 'map:quantity'], 2: ['requests', 'map:quantity'] },
  Probe: {
    1: ['handler', 'ProbeHandler', { inline: true }], 2: ['initialDelaySeconds', 'int32'], 3: ['timeoutSeconds', 'int32'], 4: ['periodSeconds', 'int32'],
    5: ['successThreshold', 'int32'], 6: ['failureThreshold', 'int32'], 7: ['terminationGracePeriodSeconds', 'int64', KEEP],
  },
  ProbeHandler: { 1: ['exec', 'ExecAction'], 2: ['httpGet', 'HTTPGetAction'], 3: ['tcpSocket', 'TCPSocketAction'] },
  ExecAction: { 1: ['command', 'string[]'] },
  HTTPGetAction: { 1: ['path', 'string'], 2: ['port', 'intOrString'], 3: ['host', 'string'], 4: ['scheme', 'string'], 5: ['httpHeaders', 'HTTPHeader[]'] },
  HTTPHeader: { 1: ['name', 'string'], 2: ['value', 'string'] },
  TCPSocketAction: { 1: ['port', 'intOrString'], 2: ['host', 'string'] },
  Toleration: { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['value', 'string'], 4: ['effect', 'string'], 5: ['tolerationSeconds', 'int64', KEEP] },
  HostAlias: { 1: ['ip', 'string'], 2: ['hostnames', 'string[]'] },
  PodDNSConfig: { 1: ['nameservers', 'string[]'], 2: ['searches', 'string[]'], 3: ['options', 'PodDNSConfigOption[]'] },
  PodDNSConfigOption: { 1: ['name', 'string'], 2: ['value', 'string', KEEP] },
  Endpoints: { 1: ['metadata', 'ObjectMeta'], 2: ['subsets', 'EndpointSubset[]'] },
  EndpointSubset: { 1: ['addresses', 'EndpointAddress[]'], 2: ['notReadyAddresses', 'EndpointAddress[]'], 3: ['ports', 'EndpointPort[]'] },
  EndpointAddress: { 1: ['ip', 'string'], 2: ['targetRef', 'ObjectReference'], 3: ['hostname', 'string'], 4: ['nodeName', 'string'] },
  EndpointPort: { 1: ['name', 'string'], 2: ['port', 'int32'], 3: ['protocol', 'string'], 4: ['appProtocol', 'string'] },
  ObjectReference: { 1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['resourceVersion', 'string'], 7: ['fieldPath', 'string'] },
  // apps/v1
  Deployment: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'DeploymentSpec'], 3: ['status', 'ignore'] },
  DeploymentSpec: {
    1: ['replicas', 'int32', KEEP], 2: ['selector', 'LabelSelector'], 3: ['template', 'PodTemplateSpec'], 4: ['strategy', 'DeploymentStrategy'],
    5: ['minReadySeconds', 'int32'], 6: ['revisionHistoryLimit', 'int32', KEEP], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int32', KEEP],
  },
  DeploymentStrategy: { 1: ['type', 'string'], 2: ['rollingUpdate', 'RollingUpdateDeployment'] },
  RollingUpdateDeployment: { 1: ['maxUnavailable', 'intOrString', KEEP], 2: ['maxSurge', 'intOrString', KEEP] },
  ReplicaSet: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'ReplicaSetSpec'], 3: ['status', 'ignore'] },
  ReplicaSetSpec: { 1: ['replicas', 'int32', KEEP], 2: ['selector', 'LabelSelector'], 3: ['template', 'PodTemplateSpec'], 4: ['minReadySeconds', 'int32'] },
  // autoscaling/v1
  Scale: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'ScaleSpec'], 3: ['status', 'ScaleStatus'] },
  ScaleSpec: { 1: ['replicas', 'int32', KEEP] },
  ScaleStatus: { 1: ['replicas', 'int32', KEEP], 2: ['selector', 'string'] },
  // runtime
  Unknown: { 1: ['typeMeta', 'TypeMeta'], 2: ['raw', 'buffer'], 3: ['contentEncoding', 'string'], 4: ['contentType', 'string'] },
  TypeMeta: { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] },
};

/** apiVersion/kind → top-level message, for the kinds whose protobuf bodies are accepted. */
const TOP: Record<string, string> = {
  'v1/Namespace': 'Namespace', 'v1/ConfigMap': 'ConfigMap', 'v1/Service': 'Service', 'v1/Pod': 'Pod', 'v1/Endpoints': 'Endpoints',
  'apps/v1/Deployment': 'Deployment', 'apps/v1/ReplicaSet': 'ReplicaSet', 'autoscaling/v1/Scale': 'Scale',
};

/** Adds the messages of more kinds (e.g. src/api/authz/protobuf.ts); `top` maps apiVersion/kind → message. */
export function registerProtobufMessages(messages: Readonly<Record<string, Message>>, top: Readonly<Record<string, string>>): void {
  Object.assign(SCHEMA, messages);
  Object.assign(TOP, top);
}
export type ProtobufMessage = Message;

/** A cursor over protobuf wire data. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer, private readonly where: string) {}
  done(): boolean { return this.pos >= this.buf.length; }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw new ProtobufDecodeError(`truncated varint in ${this.where}`);
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
    throw new ProtobufDecodeError(`varint too long in ${this.where}`);
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    if (n < 0 || this.pos + n > this.buf.length) throw new ProtobufDecodeError(`truncated field in ${this.where}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

const toInt = (v: bigint, bits: 32 | 64): number => Number(BigInt.asIntN(bits, v));

function isZero(v: unknown): boolean { return v === '' || v === 0 || v === false; }

function rfc3339(seconds: number, nanos: number): string | null {
  if (seconds === 0 && nanos === 0) return null;
  const d = new Date(seconds * 1000 + Math.floor(nanos / 1e6));
  if (Number.isNaN(d.getTime())) throw new ProtobufDecodeError(`timestamp ${seconds}s out of range`);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Decodes one value of `type` at the reader's position (the tag already read). */
function decodeValue(r: Reader, wire: number, type: string, where: string): unknown {
  const need = (w: number): void => { if (wire !== w) throw new ProtobufDecodeError(`${where}: wire type ${wire}, want ${w}`); };
  switch (type) {
    case 'string': need(2); return r.bytes().toString('utf8');
    case 'bytes': need(2); return r.bytes().toString('base64');
    case 'buffer': need(2); return r.bytes();
    case 'bool': need(0); return r.varint() !== 0n;
    case 'int32': need(0); return toInt(r.varint(), 32);
    case 'int64': need(0); return toInt(r.varint(), 64);
    case 'intOrString': {
      need(2);
      const m = decodeFields(r.bytes(), { 1: ['type', 'int64', KEEP], 2: ['intVal', 'int32', KEEP], 3: ['strVal', 'string', KEEP] }, where);
      return m.type === 1 ? (m.strVal ?? '') : (m.intVal ?? 0);
    }
    case 'time': {
      need(2);
      const m = decodeFields(r.bytes(), { 1: ['seconds', 'int64', KEEP], 2: ['nanos', 'int32', KEEP] }, where);
      return rfc3339(Number(m.seconds ?? 0), Number(m.nanos ?? 0));
    }
    case 'ignore': need(2); r.bytes(); return undefined;
    case 'quantity': {
      need(2);
      return decodeFields(r.bytes(), { 1: ['string', 'string', KEEP] }, where).string ?? '0';
    }
    default: {
      const msg = SCHEMA[type];
      if (!msg) throw new ProtobufDecodeError(`${where}: no decoder for ${type}`);
      need(2);
      return decodeFields(r.bytes(), msg, `${where}(${type})`);
    }
  }
}

function decodeFields(buf: Buffer, msg: Message, where: string): Record<string, unknown> {
  const r = new Reader(buf, where);
  const out: Record<string, unknown> = {};
  while (!r.done()) {
    const tag = r.varint();
    const num = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    const f = msg[num];
    if (!f) throw new ProtobufDecodeError(`${where}: field ${num} is not supported by podnet; send the object as JSON`);
    const [name, type, opt] = f;
    const at = `${where}.${name}`;
    if (type.startsWith('map:')) {
      const entry = decodeFields(r.bytes(), { 1: ['key', 'string', KEEP], 2: ['value', type.slice(4), KEEP] }, at);
      const m = (out[name] ??= {}) as Record<string, unknown>;
      m[String(entry.key ?? '')] = entry.value ?? (type === 'map:quantity' ? '0' : '');
    } else if (type.endsWith('[]')) {
      const elem = type.slice(0, -2);
      const list = (out[name] ??= []) as unknown[];
      if (wire === 2 && (elem === 'int32' || elem === 'int64' || elem === 'bool')) { // packed
        const inner = new Reader(r.bytes(), at);
        while (!inner.done()) list.push(decodeValue(inner, 0, elem, at));
      } else {
        list.push(decodeValue(r, wire, elem, at));
      }
    } else {
      const v = decodeValue(r, wire, type, at);
      if (v === undefined) continue;
      if (opt?.inline && v && typeof v === 'object') Object.assign(out, v);
      else if (v === null) { if (name === 'creationTimestamp') out[name] = null; }
      else if (opt?.keep || !isZero(v)) out[name] = v;
      else delete out[name];
    }
  }
  return out;
}

function isProtobufBody(buf: Buffer): boolean { return buf.length >= 4 && buf.subarray(0, 4).equals(PROTOBUF_MAGIC); }

/**
 * Decodes a protobuf request body into the object's JSON form (with apiVersion and kind). Throws
 * ApiStatusError 415 for a kind it has no table for, 400 for malformed data or unknown fields.
 */
export function decodeProtobufObject(buf: Buffer): Record<string, unknown> {
  if (!isProtobufBody(buf)) throw new ProtobufDecodeError('missing the "k8s\\0" prefix');
  const env = decodeFields(buf.subarray(4), SCHEMA.Unknown!, 'Unknown');
  const tm = (env.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  if (env.contentEncoding) throw new ProtobufDecodeError(`content encoding "${String(env.contentEncoding)}" is not supported`);
  const top = TOP[`${tm.apiVersion ?? ''}/${tm.kind ?? ''}`];
  if (!top) {
    throw new ApiStatusError(415, 'UnsupportedMediaType', `protobuf bodies for ${tm.apiVersion ?? '?'}/${tm.kind ?? '?'} are not supported by podnet; accepted media types include: application/json, application/yaml`);
  }
  const raw = Buffer.isBuffer(env.raw) ? env.raw : Buffer.alloc(0);
  return { apiVersion: tm.apiVersion, kind: tm.kind, ...decodeFields(raw, SCHEMA[top]!, top) };
}
