/** v1 Pod: defaults, validation (create and update), printPod's columns, field selectors. */
import type { Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import type { FieldError, KObject, TableRow } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSSubdomain, translateTimestampSince } from './common.js';
import { defaultPodSpec, validatePodSpec } from './podspec.js';
import { IP_MSG, type Writable, asArr, asObj, asStr, duplicate, forbidden, invalid, isMap, isObj, isValidIP, notSupported } from '../validation/index.js';

function qosClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Defaults as upstream's SetDefaults_Pod + PodSpec, the create strategy (phase Pending, qosClass) and default admission (tolerations, priority). */
function defaultPod(obj: KObject): void {
  const pod = obj as unknown as Writable<Pod>;
  if (!isMap(pod.spec) || !pod.spec) return;
  const spec = pod.spec;
  spec.enableServiceLinks ??= true;
  defaultPodSpec(spec);
  spec.serviceAccountName ||= 'default';
  spec.serviceAccount ||= spec.serviceAccountName;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  const tol: Toleration[] = spec.tolerations ?? [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tol.some((t) => t.key === key || (t.operator === 'Exists' && !t.key))) {
      tol.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
  spec.tolerations = tol;
  pod.status ??= {};
  if (isMap(pod.status) && pod.status) {
    pod.status.phase ??= 'Pending';
    pod.status.qosClass ??= qosClass(spec);
  }
}

const MUTABLE_MSG = 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations (and nodeName from unset) may change. */
function validatePodUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const n = structuredClone(asObj(obj.spec));
  const o = structuredClone(asObj(old.spec));
  if (o.nodeName && n.nodeName !== o.nodeName) {
    errs.push(forbidden('spec.nodeName', 'may not change nodeName once set'));
  }
  const ad = n.activeDeadlineSeconds;
  if (o.activeDeadlineSeconds !== undefined && (ad === undefined || (ad as number) > (o.activeDeadlineSeconds as number))) {
    errs.push(forbidden('spec.activeDeadlineSeconds', 'must be less than or equal to previous value'));
  }
  // Blank what may change, then compare the rest.
  // ephemeralContainers change only through pods/ephemeralcontainers (checked there)
  delete n.ephemeralContainers; delete o.ephemeralContainers;
  for (const k of ['containers', 'initContainers']) {
    const na = asArr(n[k]);
    const oa = asArr(o[k]);
    na.forEach((c, i) => { if (isObj(c) && isObj(oa[i])) c.image = (oa[i] as Record<string, unknown>).image; });
  }
  const oldTol = asArr(o.tolerations).map(stable);
  const newTol = asArr(n.tolerations).map(stable);
  if (!oldTol.every((t) => newTol.includes(t))) errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  delete n.tolerations; delete o.tolerations;
  delete n.activeDeadlineSeconds; delete o.activeDeadlineSeconds;
  if (!o.nodeName) { delete n.nodeName; delete o.nodeName; }
  if ((o.terminationGracePeriodSeconds as number) < 0 && n.terminationGracePeriodSeconds === 1) {
    delete n.terminationGracePeriodSeconds;
    delete o.terminationGracePeriodSeconds;
  }
  if (o.nodeName && n.nodeName !== o.nodeName) { delete n.nodeName; delete o.nodeName; }
  if (stable(n) !== stable(o)) errs.push(forbidden('spec', MUTABLE_MSG));
  return errs;
}

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

/** The status fields other components write (kubelet, scheduler): phase and IPs. */
function validatePodStatus(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const st = asObj(obj.status);
  if (st.phase !== undefined && st.phase !== '' && !(PHASES as readonly unknown[]).includes(st.phase)) errs.push(notSupported('status.phase', st.phase, PHASES));
  for (const f of ['podIPs', 'hostIPs'] as const) {
    const seen = new Set<string>();
    asArr(st[f]).forEach((raw, i) => {
      const ip = asStr(asObj(raw).ip);
      if (!isValidIP(ip)) errs.push(invalid(`status.${f}[${i}].ip`, ip, IP_MSG));
      if (seen.has(ip)) errs.push(duplicate(`status.${f}[${i}].ip`, ip));
      seen.add(ip);
    });
  }
  for (const f of ['podIP', 'hostIP'] as const) {
    if (st[f] !== undefined && st[f] !== '' && !isValidIP(asStr(st[f]))) errs.push(invalid(`status.${f}`, st[f], IP_MSG));
  }
  const first = asStr(asObj(asArr(st.podIPs)[0]).ip);
  if (st.podIP && first && st.podIP !== first) errs.push(invalid('status.podIPs', st.podIPs, 'must match `podIP` as its first entry'));
  return errs;
}

// ---------------------------------------------------------------- printing (printPod)

interface CState { waiting?: { reason?: string }; running?: unknown; terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string } }
interface CStatus { name?: string; ready?: boolean; started?: boolean; restartCount?: number; state?: CState; lastState?: CState }

function podRow(o: KObject, now: Date): unknown[] {
  const pod = o as unknown as Pod;
  const spec = pod.spec ?? ({ containers: [] } as PodSpec);
  const status = pod.status ?? {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = (spec.containers ?? []).length;
  let ready = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  let reason = status.reason || status.phase || '';
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const inits = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  const isSidecar = (n: string | undefined): boolean => inits.get(n ?? '')?.restartPolicy === 'Always';
  for (const c of spec.initContainers ?? []) if (c.restartPolicy === 'Always') total++;
  const finished = (s: CStatus): number => {
    const f = s.lastState?.terminated?.finishedAt;
    return f ? Date.parse(f) : 0;
  };
  let initializing = false;
  const initStatuses = (status.initContainerStatuses ?? []) as CStatus[];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finished(c));
    if (isSidecar(c.name)) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finished(c));
    }
    const t = c.state?.terminated;
    const w = c.state?.waiting;
    if (t && (t.exitCode ?? 0) === 0) continue;
    if (isSidecar(c.name) && c.started) { if (c.ready) ready++; continue; }
    if (t) {
      if (!t.reason) reason = t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode ?? 0}`;
      else reason = `Init:${t.reason}`;
    } else if (w && w.reason && w.reason !== 'PodInitializing') reason = `Init:${w.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
    break;
  }
  const initializedTrue = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const cs = (status.containerStatuses ?? []) as CStatus[];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finished(c));
      const w = c.state?.waiting;
      const t = c.state?.terminated;
      if (w && w.reason) reason = w.reason;
      else if (t && t.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`;
      else if (c.ready && c.state?.running) { hasRunning = true; ready++; }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart > 0) restartsStr = `${restarts} (${translateTimestampSince(new Date(lastRestart).toISOString(), now)} ago)`;

  const podIP = status.podIPs?.[0]?.ip || status.podIP || '<none>';
  const gates = spec.readinessGates ?? [];
  let gatesStr = '<none>';
  if (gates.length) {
    let t = 0;
    for (const g of gates) {
      const c = (status.conditions ?? []).find((x) => x.type === g.conditionType);
      if (c?.status === 'True') t++;
    }
    gatesStr = `${t}/${gates.length}`;
  }
  return [
    pod.metadata?.name ?? '', `${ready}/${total}`, reason, restartsStr, translateTimestampSince(pod.metadata?.creationTimestamp, now),
    podIP, spec.nodeName || '<none>', status.nominatedNodeName || '<none>', gatesStr,
  ];
}

export const podKind = defineKind({
  group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true,
  shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'log', 'exec', 'eviction', 'attach', 'portforward', 'ephemeralcontainers'],
  nameFn: nameIsDNSSubdomain,
  defaults: defaultPod,
  validateSpec(obj, old) {
    const errs = validatePodSpec(obj.spec, 'spec');
    errs.push(...validatePodStatus(obj));
    if (old) errs.push(...validatePodUpdate(obj, old));
    return errs;
  },
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
        col('Status', 'string', 'The aggregate status of the containers in this pod.'),
        col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
        ageCol(),
        col('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
        col('Node', 'string', 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod.', 1),
        col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', 1),
        col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True"', 1),
      ],
      rows: items.map((o): TableRow => {
        const phase = asObj(o.status).phase;
        const row: TableRow = { cells: podRow(o, now), object: o };
        if (phase === 'Succeeded') row.conditions = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
        else if (phase === 'Failed') row.conditions = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
        return row;
      }),
    };
  },
  fields(obj) {
    const s = asObj(obj.spec);
    const st = asObj(obj.status);
    return {
      'spec.nodeName': asStr(s.nodeName),
      'spec.restartPolicy': asStr(s.restartPolicy),
      'spec.schedulerName': asStr(s.schedulerName),
      'spec.serviceAccountName': asStr(s.serviceAccountName),
      'spec.hostNetwork': String(s.hostNetwork === true),
      'status.phase': asStr(st.phase),
      'status.podIP': asStr(asObj(asArr(st.podIPs)[0]).ip) || asStr(st.podIP),
      'status.nominatedNodeName': asStr(st.nominatedNodeName),
    };
  },
  hasGeneration: false,
});
