/**
 * PodSpec defaults and validation shared by Pod and the pod templates of Deployment/ReplicaSet
 * (upstream pkg/apis/core/v1/defaults.go and ValidatePodSpec).
 */
import type { Container, ContainerPort, PodSpec, Probe, Volume } from 'kubernetes-types/core/v1.js';
import type { FieldError } from './types.js';
import {
  PORT_RANGE_MSG, asArr, asObj, asStr, duplicate, forbidden, inclusiveRangeMsg, invalid, isDNS1123Label,
  isDNS1123Subdomain, isInt, isMap, isObj, isQualifiedName, isValidIP, isValidPortName, isValidPortNum, notFound,
  notSupported, required, tooMany, validateLabels,
} from '../validation/index.js';

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const TOLERATION_OPS = ['Exists', 'Equal'] as const;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;


// ---------------------------------------------------------------- defaults

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

/** imagePullPolicy: Always for `:latest` or untagged images (no digest), otherwise IfNotPresent. */
function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const tail = image.slice(lastSlash + 1);
  const colon = tail.lastIndexOf(':');
  const tag = colon >= 0 ? tail.slice(colon + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Container): void {
  if (!isMap(c)) return;
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === '') c.imagePullPolicy = defaultPullPolicy(c.image ?? '');
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  // limits without requests: requests default to the limits
  if (c.resources.limits && Object.keys(c.resources.limits).length) {
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(c.resources.limits)) if (c.resources.requests[k] === undefined) c.resources.requests[k] = v;
  }
  for (const p of (c.ports ?? []) as ContainerPort[]) if (isMap(p)) p.protocol ??= 'TCP';
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

function defaultVolume(v: Volume): void {
  if (!isMap(v)) return;
  if (v.configMap) v.configMap.defaultMode ??= 420;
  if (v.secret) v.secret.defaultMode ??= 420;
  if (v.projected) v.projected.defaultMode ??= 420;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= 420;
  if (v.hostPath) v.hostPath.type ??= '';
  const sources = ['hostPath', 'emptyDir', 'secret', 'configMap', 'persistentVolumeClaim', 'projected', 'downwardAPI', 'nfs', 'csi', 'ephemeral', 'image'];
  if (!sources.some((s) => (v as unknown as Record<string, unknown>)[s] !== undefined)) v.emptyDir = {};
}

/** SetDefaults_PodSpec + containers, volumes. */
export function defaultPodSpec(spec: PodSpec): void {
  if (!isMap(spec)) return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

// ---------------------------------------------------------------- validation

function validatePorts(ports: unknown, p: string, errs: FieldError[]): void {
  const names = new Set<string>();
  asArr(ports).forEach((raw, i) => {
    const port = asObj(raw);
    const pp = `${p}[${i}]`;
    if (port.name !== undefined && port.name !== '') {
      const n = asStr(port.name);
      for (const m of isValidPortName(n)) errs.push(invalid(`${pp}.name`, port.name, m));
      if (names.has(n)) errs.push(duplicate(`${pp}.name`, n));
      names.add(n);
    }
    if (port.containerPort === undefined || port.containerPort === 0) errs.push(required(`${pp}.containerPort`));
    else if (!isValidPortNum(port.containerPort)) errs.push(invalid(`${pp}.containerPort`, port.containerPort, PORT_RANGE_MSG));
    if (port.hostPort !== undefined && port.hostPort !== 0 && !isValidPortNum(port.hostPort)) {
      errs.push(invalid(`${pp}.hostPort`, port.hostPort, PORT_RANGE_MSG));
    }
    if (port.protocol === undefined || port.protocol === '') errs.push(required(`${pp}.protocol`));
    else if (!(PROTOCOLS as readonly unknown[]).includes(port.protocol)) errs.push(notSupported(`${pp}.protocol`, port.protocol, PROTOCOLS));
    if (port.hostIP !== undefined && port.hostIP !== '' && !isValidIP(asStr(port.hostIP))) {
      errs.push(invalid(`${pp}.hostIP`, port.hostIP, 'must be a valid IP address'));
    }
  });
}

function validateContainers(list: unknown, p: string, volumes: Set<string>, errs: FieldError[], allNames: Set<string>, needed: boolean): void {
  const arr = asArr(list);
  if (needed && arr.length === 0) { errs.push(required(p)); return; }
  arr.forEach((raw, i) => {
    const c = asObj(raw);
    const cp = `${p}[${i}]`;
    const name = asStr(c.name);
    if (!name) errs.push(required(`${cp}.name`));
    else {
      for (const m of isDNS1123Label(name)) errs.push(invalid(`${cp}.name`, name, m));
      if (allNames.has(name)) errs.push(duplicate(`${cp}.name`, name));
      allNames.add(name);
    }
    if (!asStr(c.image)) errs.push(required(`${cp}.image`));
    if (c.imagePullPolicy !== undefined && !(PULL_POLICIES as readonly unknown[]).includes(c.imagePullPolicy)) {
      errs.push(notSupported(`${cp}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    }
    if (c.terminationMessagePolicy !== undefined && !['File', 'FallbackToLogsOnError'].includes(asStr(c.terminationMessagePolicy))) {
      errs.push(notSupported(`${cp}.terminationMessagePolicy`, c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError']));
    }
    validatePorts(c.ports, `${cp}.ports`, errs);
    asArr(c.env).forEach((e, j) => {
      const ev = asObj(e);
      if (!asStr(ev.name)) errs.push(required(`${cp}.env[${j}].name`));
      if (ev.value !== undefined && ev.valueFrom !== undefined && ev.value !== '') {
        errs.push(invalid(`${cp}.env[${j}].valueFrom`, '', 'may not be specified when `value` is not empty'));
      }
    });
    const mountPaths = new Set<string>();
    asArr(c.volumeMounts).forEach((m, j) => {
      const vm = asObj(m);
      const mp = `${cp}.volumeMounts[${j}]`;
      const vname = asStr(vm.name);
      if (!vname) errs.push(required(`${mp}.name`));
      else if (!volumes.has(vname)) errs.push(notFound(`${mp}.name`, vname));
      const path = asStr(vm.mountPath);
      if (!path) errs.push(required(`${mp}.mountPath`));
      else if (mountPaths.has(path)) errs.push(invalid(`${mp}.mountPath`, path, 'must be unique'));
      mountPaths.add(path);
    });
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const pr = c[probe];
      if (!isObj(pr)) continue;
      const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => pr[h] !== undefined);
      if (handlers.length === 0) errs.push(required(`${cp}.${probe}`, 'must specify a handler type'));
      else if (handlers.length > 1) errs.push(forbidden(`${cp}.${probe}.${handlers[1]}`, 'may not specify more than 1 handler type'));
      for (const f of ['timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold', 'initialDelaySeconds']) {
        if (pr[f] !== undefined && (!isInt(pr[f]) || (pr[f] as number) < 0)) errs.push(invalid(`${cp}.${probe}.${f}`, pr[f], 'must be greater than or equal to 0'));
      }
      for (const h of ['httpGet', 'tcpSocket']) {
        const hp = asObj(pr[h]).port;
        if (pr[h] === undefined) continue;
        if (typeof hp === 'string') { for (const m of isValidPortName(hp)) errs.push(invalid(`${cp}.${probe}.${h}.port`, hp, m)); }
        else if (!isValidPortNum(hp)) errs.push(invalid(`${cp}.${probe}.${h}.port`, hp, PORT_RANGE_MSG));
      }
      errs.push(...validateHttpScheme(pr.httpGet, `${cp}.${probe}.httpGet`));
    }
    const lc = asObj(c.lifecycle);
    for (const hook of ['postStart', 'preStop']) errs.push(...validateHttpScheme(asObj(lc[hook]).httpGet, `${cp}.lifecycle.${hook}.httpGet`));
  });
}

/** The schemes an HTTP probe or hook may use: the kubelet must never speak anything else. */
export const HTTP_SCHEMES = ['HTTP', 'HTTPS'] as const;

/** httpGet.scheme must be HTTP or HTTPS (after defaulting, an absent scheme is HTTP). */
function validateHttpScheme(httpGet: unknown, p: string): FieldError[] {
  if (!isObj(httpGet) || httpGet.scheme === undefined) return [];
  return (HTTP_SCHEMES as readonly unknown[]).includes(httpGet.scheme) ? [] : [notSupported(`${p}.scheme`, httpGet.scheme, HTTP_SCHEMES)];
}

/** ValidatePodSpec (the parts podnet serves). `p` is the spec's path (`spec`, `spec.template.spec`). */
export function validatePodSpec(specRaw: unknown, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(specRaw);
  const volumes = new Set<string>();
  asArr(spec.volumes).forEach((raw, i) => {
    const v = asObj(raw);
    const n = asStr(v.name);
    if (!n) errs.push(required(`${p}.volumes[${i}].name`));
    else {
      for (const m of isDNS1123Label(n)) errs.push(invalid(`${p}.volumes[${i}].name`, n, m));
      if (volumes.has(n)) errs.push(duplicate(`${p}.volumes[${i}].name`, n));
    }
    volumes.add(n);
    const srcs = Object.keys(v).filter((k) => k !== 'name');
    if (srcs.length > 1) errs.push(forbidden(`${p}.volumes[${i}].${srcs[1]}`, 'may not specify more than 1 volume type'));
  });
  const names = new Set<string>();
  validateContainers(spec.containers, `${p}.containers`, volumes, errs, names, true);
  validateContainers(spec.initContainers, `${p}.initContainers`, volumes, errs, names, false);

  if (spec.hostNetwork === true) {
    for (const k of ['containers', 'initContainers']) {
      asArr(spec[k]).forEach((c, i) => asArr(asObj(c).ports).forEach((raw, j) => {
        const port = asObj(raw);
        if (port.hostPort !== undefined && port.hostPort !== 0 && port.hostPort !== port.containerPort) {
          errs.push(invalid(`${p}.${k}[${i}].ports[${j}].containerPort`, port.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
        }
      }));
    }
  }
  if (spec.restartPolicy !== undefined && !(RESTART_POLICIES as readonly unknown[]).includes(spec.restartPolicy)) {
    errs.push(notSupported(`${p}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  }
  if (spec.dnsPolicy !== undefined && !(DNS_POLICIES as readonly unknown[]).includes(spec.dnsPolicy)) {
    errs.push(notSupported(`${p}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  }
  const dnsConfig = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!isObj(dnsConfig)) errs.push(required(`${p}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
    else if (asArr(dnsConfig.nameservers).length === 0) {
      errs.push(required(`${p}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
    }
  }
  if (isObj(dnsConfig)) {
    const ns = asArr(dnsConfig.nameservers);
    if (ns.length > 3) errs.push(invalid(`${p}.dnsConfig.nameservers`, ns, 'must not have more than 3 nameservers'));
    ns.forEach((s, i) => { if (!isValidIP(asStr(s))) errs.push(invalid(`${p}.dnsConfig.nameservers[${i}]`, s, 'must be valid IP address')); });
    const searches = asArr(dnsConfig.searches);
    if (searches.length > 32) errs.push(invalid(`${p}.dnsConfig.searches`, searches, 'must not have more than 32 search paths'));
    searches.forEach((s, i) => {
      let d = asStr(s);
      if (d === '.') return;
      if (d.endsWith('.')) d = d.slice(0, -1);
      for (const m of isDNS1123Subdomain(d)) errs.push(invalid(`${p}.dnsConfig.searches[${i}]`, s, m));
    });
    asArr(dnsConfig.options).forEach((o, i) => {
      if (!asStr(asObj(o).name)) errs.push(required(`${p}.dnsConfig.options[${i}]`, 'Option.Name must not be empty'));
    });
  }
  if (spec.terminationGracePeriodSeconds !== undefined && (!isInt(spec.terminationGracePeriodSeconds) || spec.terminationGracePeriodSeconds < 0)) {
    errs.push(invalid(`${p}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (spec.activeDeadlineSeconds !== undefined && (!isInt(spec.activeDeadlineSeconds) || spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2147483647)) {
    errs.push(invalid(`${p}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, inclusiveRangeMsg(1, 2147483647)));
  }
  if (spec.nodeName !== undefined && spec.nodeName !== '') {
    for (const m of isDNS1123Subdomain(asStr(spec.nodeName))) errs.push(invalid(`${p}.nodeName`, spec.nodeName, m));
  }
  for (const f of ['hostname', 'subdomain']) {
    if (spec[f] !== undefined && spec[f] !== '') for (const m of isDNS1123Label(asStr(spec[f]))) errs.push(invalid(`${p}.${f}`, spec[f], m));
  }
  if (spec.serviceAccountName !== undefined && spec.serviceAccountName !== '') {
    for (const m of isDNS1123Subdomain(asStr(spec.serviceAccountName))) errs.push(invalid(`${p}.serviceAccountName`, spec.serviceAccountName, m));
  }
  errs.push(...validateLabels(spec.nodeSelector, `${p}.nodeSelector`));
  asArr(spec.tolerations).forEach((raw, i) => {
    const t = asObj(raw);
    const tp = `${p}.tolerations[${i}]`;
    const key = asStr(t.key);
    if (key) for (const m of isQualifiedName(key)) errs.push(invalid(`${tp}.key`, key, m));
    const op = t.operator === undefined || t.operator === '' ? 'Equal' : t.operator;
    if (!key && op !== 'Exists') errs.push(invalid(`${tp}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (!(TOLERATION_OPS as readonly unknown[]).includes(op)) errs.push(notSupported(`${tp}.operator`, op, TOLERATION_OPS));
    if (op === 'Exists' && t.value) errs.push(invalid(`${tp}.operator`, t, 'value must be empty when `operator` is \'Exists\''));
    if (t.effect !== undefined && t.effect !== '' && !(TAINT_EFFECTS as readonly unknown[]).includes(t.effect)) {
      errs.push(notSupported(`${tp}.effect`, t.effect, TAINT_EFFECTS));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(`${tp}.effect`, t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    }
  });
  asArr(spec.hostAliases).forEach((raw, i) => {
    const ha = asObj(raw);
    if (!isValidIP(asStr(ha.ip))) errs.push(invalid(`${p}.hostAliases[${i}].ip`, ha.ip ?? '', 'must be valid IP address'));
  });
  if (asArr(spec.containers).length > 0 && asArr(spec.containers).length + asArr(spec.initContainers).length > 1000) {
    errs.push(tooMany(`${p}.containers`, asArr(spec.containers).length, 1000));
  }
  return errs;
}
