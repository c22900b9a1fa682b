/** v1 Namespace, Node, ConfigMap and Event. */
import type { ConfigMap, Event, Namespace, Node } from 'kubernetes-types/core/v1.js';
import type { FieldError, KObject } from './types.js';
import {
  ageCol, col, defineKind, nameCol, nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment, translateTimestampSince,
} from './common.js';
import {
  CIDR_MSG, IP_MSG, type Writable, asArr, asObj, asStr, duplicate, forbidden, invalid, isConfigMapKey, isMap, isObj, isQualifiedName,
  isValidCIDR, isValidIP, notSupported, parseCIDR, required, tooLong,
} from '../validation/index.js';

// ---------------------------------------------------------------- Namespace

export const namespaceKind = defineKind({
  group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false,
  shortNames: ['ns'], subresources: ['status', 'finalize'],
  nameFn: nameIsDNSLabel,
  defaults(obj) {
    const ns = obj as unknown as Writable<Namespace>;
    const name = ns.metadata?.name;
    if (name) {
      ns.metadata!.labels ??= {};
      ns.metadata!.labels['kubernetes.io/metadata.name'] = name;
    }
    if (!isMap(ns.spec) || !ns.spec) ns.spec = {};
    ns.spec.finalizers ??= ['kubernetes'];
    if (!isMap(ns.status) || !ns.status) ns.status = {};
    ns.status.phase ??= 'Active';
  },
  validateSpec(obj) {
    const errs: FieldError[] = [];
    asArr(asObj(obj.spec).finalizers).forEach((f, i) => {
      const s = asStr(f);
      if (s === 'kubernetes') return;
      const msgs = isQualifiedName(s);
      if (msgs.length === 0 && !s.includes('/')) msgs.push('name is neither a standard finalizer name nor is it fully qualified');
      for (const m of msgs) errs.push(invalid(`spec.finalizers[${i}]`, s, m));
    });
    const phase = asObj(obj.status).phase;
    if (phase !== undefined && phase !== 'Active' && phase !== 'Terminating') errs.push(notSupported('status.phase', phase, ['Active', 'Terminating']));
    return errs;
  },
  table(items, now) {
    return {
      columnDefinitions: [nameCol(), col('Status', 'string', 'The status of the namespace'), ageCol()],
      rows: items.map((o) => ({
        cells: [o.metadata?.name ?? '', asStr(asObj(o.status).phase), translateTimestampSince(o.metadata?.creationTimestamp, now)],
        object: o,
      })),
    };
  },
  fields(obj) {
    return { 'status.phase': asStr(asObj(obj.status).phase) };
  },
  hasGeneration: false,
});

// ---------------------------------------------------------------- Node

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

function validateNode(obj: KObject, old?: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  if (spec.podCIDR !== undefined && spec.podCIDR !== '' && !isValidCIDR(asStr(spec.podCIDR))) {
    errs.push(invalid('spec.podCIDR', spec.podCIDR, CIDR_MSG));
  }
  const cidrs = asArr(spec.podCIDRs);
  cidrs.forEach((c, i) => {
    if (!isValidCIDR(asStr(c))) errs.push(invalid(`spec.podCIDRs[${i}]`, c, CIDR_MSG));
  });
  if (cidrs.length > 2) errs.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  if (cidrs.length === 2) {
    const a = parseCIDR(asStr(cidrs[0]));
    const b = parseCIDR(asStr(cidrs[1]));
    if (a && b && a.ip.family === b.ip.family) errs.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  }
  if (spec.podCIDR && cidrs.length && cidrs[0] !== spec.podCIDR) errs.push(invalid('spec.podCIDRs', cidrs, 'first value must match `podCIDR`'));
  const taintKeys = new Set<string>();
  asArr(spec.taints).forEach((raw, i) => {
    const t = asObj(raw);
    const tp = `spec.taints[${i}]`;
    const key = asStr(t.key);
    if (!key) errs.push(required(`${tp}.key`));
    else for (const m of isQualifiedName(key)) errs.push(invalid(`${tp}.key`, key, m));
    if (t.effect === undefined || t.effect === '') errs.push(required(`${tp}.effect`));
    else if (!(TAINT_EFFECTS as readonly unknown[]).includes(t.effect)) errs.push(notSupported(`${tp}.effect`, t.effect, TAINT_EFFECTS));
    const k = `${key}:${asStr(t.effect)}`;
    if (taintKeys.has(k)) errs.push(duplicate(`${tp}`, k));
    taintKeys.add(k);
  });
  asArr(asObj(obj.status).addresses).forEach((raw, i) => {
    const a = asObj(raw);
    if ((a.type === 'InternalIP' || a.type === 'ExternalIP') && !isValidIP(asStr(a.address))) {
      errs.push(invalid(`status.addresses[${i}].address`, a.address ?? '', IP_MSG));
    }
  });
  if (old) {
    const o = asObj(old.spec);
    if (o.podCIDR && spec.podCIDR !== o.podCIDR) {
      errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    } else if (asArr(o.podCIDRs).length && JSON.stringify(asArr(o.podCIDRs)) !== JSON.stringify(cidrs)) {
      errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    }
    if (o.providerID && spec.providerID !== o.providerID) errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

function nodeRoles(n: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const r = k.slice('node-role.kubernetes.io/'.length);
      if (r) roles.add(r);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  const s = [...roles].sort().join(',');
  return s || '<none>';
}

export const nodeKind = defineKind({
  group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false,
  shortNames: ['no'], subresources: ['status', 'proxy'],
  nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    const n = obj as unknown as Writable<Node>;
    if (!isMap(n.spec) || !n.spec) n.spec = {};
    const spec = n.spec;
    if (spec.podCIDR && (!spec.podCIDRs || spec.podCIDRs.length === 0)) spec.podCIDRs = [spec.podCIDR];
    if (isMap(n.status) && n.status?.capacity && !n.status.allocatable) n.status.allocatable = { ...n.status.capacity };
  },
  validateSpec: validateNode,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Status', 'string', 'The status of the node'),
        col('Roles', 'string', 'The roles of the node'),
        ageCol(),
        col('Version', 'string', 'Kubelet Version reported by the node.'),
        col('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
        col('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
        col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
        col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
        col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
      ],
      rows: items.map((o) => {
        const n = o as unknown as Node;
        const status: string[] = [];
        const ready = (n.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
        if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
        if (status.length === 0) status.push('Unknown');
        if (n.spec?.unschedulable) status.push('SchedulingDisabled');
        const addr = (t: string): string => (n.status?.addresses ?? []).find((a) => a.type === t)?.address ?? '<none>';
        const info = n.status?.nodeInfo;
        return {
          cells: [n.metadata?.name ?? '', status.join(','), nodeRoles(n), translateTimestampSince(n.metadata?.creationTimestamp, now), info?.kubeletVersion ?? '',
            addr('InternalIP'), addr('ExternalIP'), info?.osImage || '<unknown>', info?.kernelVersion || '<unknown>', info?.containerRuntimeVersion || '<unknown>'],
          object: o,
        };
      }),
    };
  },
  fields(obj) {
    return { 'spec.unschedulable': String(asObj(obj.spec).unschedulable === true) };
  },
  hasGeneration: false,
});

// ---------------------------------------------------------------- ConfigMap

const CONFIGMAP_MAX = 1024 * 1024;

export const configMapKind = defineKind({
  group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true,
  shortNames: ['cm'], nameFn: nameIsDNSSubdomain,
  validateSpec(obj, old) {
    const errs: FieldError[] = [];
    let size = 0;
    const data = obj.data;
    const bin = obj.binaryData;
    if (data !== undefined && data !== null && !isObj(data)) errs.push(invalid('data', data, 'must be a map of string to string'));
    for (const [k, v] of Object.entries(asObj(data))) {
      for (const m of isConfigMapKey(k)) errs.push(invalid('data', k, m));
      if (typeof v !== 'string') errs.push(invalid(`data[${k}]`, v, 'must be a string'));
      size += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
    }
    for (const [k, v] of Object.entries(asObj(bin))) {
      for (const m of isConfigMapKey(k)) errs.push(invalid('binaryData', k, m));
      if (Object.prototype.hasOwnProperty.call(asObj(data), k)) errs.push(invalid('data', k, 'duplicate of key present in binaryData'));
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) errs.push(invalid(`binaryData[${k}]`, '<binary>', 'must be base64-encoded'));
      size += k.length + Math.floor((asStr(v).length * 3) / 4);
    }
    if (size > CONFIGMAP_MAX) errs.push(tooLong('', CONFIGMAP_MAX));
    if (old && old.immutable === true) {
      if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (JSON.stringify(obj.data ?? {}) !== JSON.stringify(old.data ?? {})) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
      if (JSON.stringify(obj.binaryData ?? {}) !== JSON.stringify(old.binaryData ?? {})) errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
    }
    return errs;
  },
  table(items, now) {
    return {
      columnDefinitions: [nameCol(), col('Data', 'string', 'Data contains the configuration data.'), ageCol()],
      rows: items.map((o) => {
        const c = o as unknown as ConfigMap;
        return { cells: [c.metadata?.name ?? '', Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, translateTimestampSince(c.metadata?.creationTimestamp, now)], object: o };
      }),
    };
  },
  hasGeneration: false,
});

// ---------------------------------------------------------------- Event

const CLUSTER_SCOPED_KINDS = new Set(['Node', 'Namespace', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'CustomResourceDefinition']);

export const eventKind = defineKind({
  group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true,
  shortNames: ['ev'], nameFn: nameIsPathSegment,
  validateSpec(obj) {
    const errs: FieldError[] = [];
    const io = asObj(obj.involvedObject);
    const ns = obj.metadata?.namespace ?? '';
    const ions = asStr(io.namespace);
    if (!isObj(obj.involvedObject)) errs.push(required('involvedObject'));
    if (io.kind !== undefined && CLUSTER_SCOPED_KINDS.has(asStr(io.kind))) {
      if (ions !== '' && ions !== ns) errs.push(invalid('involvedObject.namespace', ions, 'does not match event.namespace'));
    } else if (ions !== '' && ions !== ns) {
      errs.push(invalid('involvedObject.namespace', ions, 'does not match event.namespace'));
    }
    if (obj.type !== undefined && obj.type !== '' && obj.type !== 'Normal' && obj.type !== 'Warning') {
      if (obj.reportingComponent || obj.reportingController) errs.push(notSupported('type', obj.type, ['Normal', 'Warning']));
    }
    return errs;
  },
  table(items, now) {
    return {
      columnDefinitions: [
        col('Last Seen', 'string', 'The last time the event occurred'),
        col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
        col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
        col('Object', 'string', 'The object that this event is about.'),
        col('Subobject', 'string', 'The specific sub-object the event is about (fieldPath of involvedObject).', 1),
        col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
        col('Message', 'string', 'A human-readable description of the status of this operation.'),
        col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
        col('Count', 'string', 'The number of times this event has occurred.', 1),
        col('Name', 'string', 'Name of the event.', 1, 'name'),
      ],
      rows: items.map((o) => {
        const e = o as unknown as Event;
        let first = translateTimestampSince(e.firstTimestamp, now);
        if (!e.firstTimestamp) first = translateTimestampSince(e.eventTime, now);
        let last = translateTimestampSince(e.lastTimestamp, now);
        if (!e.lastTimestamp) last = first;
        let count = e.count ?? 0;
        if (e.series) {
          last = translateTimestampSince(e.series.lastObservedTime, now);
          count = e.series.count ?? 0;
        } else if (count === 0) count = 1;
        const io = e.involvedObject ?? {};
        const target = io.name ? `${(io.kind ?? '').toLowerCase()}/${io.name}` : (io.kind ?? '').toLowerCase();
        const comp = e.source?.component || e.reportingComponent || '';
        const inst = e.source?.host || e.reportingInstance || '';
        const source = inst ? `${comp}, ${inst}` : comp;
        return {
          cells: [last, e.type ?? '', e.reason ?? '', target, io.fieldPath ?? '', source, (e.message ?? '').trim(), first, count, e.metadata?.name ?? ''],
          object: o,
        };
      }),
    };
  },
  fields(obj) {
    const io = asObj(obj.involvedObject);
    const src = asObj(obj.source);
    return {
      'involvedObject.kind': asStr(io.kind),
      'involvedObject.namespace': asStr(io.namespace),
      'involvedObject.name': asStr(io.name),
      'involvedObject.uid': asStr(io.uid),
      'involvedObject.apiVersion': asStr(io.apiVersion),
      'involvedObject.resourceVersion': asStr(io.resourceVersion),
      'involvedObject.fieldPath': asStr(io.fieldPath),
      reason: asStr(obj.reason),
      reportingComponent: asStr(obj.reportingComponent),
      source: asStr(src.component) || asStr(obj.reportingComponent),
      type: asStr(obj.type),
    };
  },
  hasGeneration: false,
});
