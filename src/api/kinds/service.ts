/** v1 Service: defaults, validation (ValidateService/ValidateServiceUpdate for what we serve), printService. */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNS1035Label, translateTimestampSince } from './common.js';
import { PROTOCOLS } from './podspec.js';
import {
  CIDR_MSG, IP_MSG, PORT_RANGE_MSG, asArr, asObj, asStr, duplicate, forbidden, formatLabels, invalid,
  isDNS1123Label, isFullyQualifiedDomainName, isInt, isMap, isQualifiedName, isValidCIDR, type Writable, isValidIP, isValidPortName, isValidPortNum,
  notSupported, required, validateLabels,
} from '../validation/index.js';
import { familyOf } from '../../util/addr.js';

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
const AFFINITIES = ['ClientIP', 'None'] as const;
const TRAFFIC = ['Cluster', 'Local'] as const;
const FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'] as const;
const FAMILIES = ['IPv4', 'IPv6'] as const;

function defaultService(obj: KObject): void {
  const svc = obj as unknown as Writable<Service>;
  if (!isMap(svc.spec) || !svc.spec) svc.spec = {};
  const spec = svc.spec;
  if (!spec.type) spec.type = 'ClusterIP';
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  for (const p of asArr(spec.ports) as typeof spec.ports & unknown[]) {
    if (!isMap(p)) continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.type !== 'ExternalName' && !spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.clusterIP && (!spec.clusterIPs || spec.clusterIPs.length === 0)) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
  if (spec.type !== 'ExternalName') {
    if (!spec.ipFamilies || spec.ipFamilies.length === 0) {
      const f = spec.clusterIP && spec.clusterIP !== 'None' ? familyOf(spec.clusterIP) : 4;
      spec.ipFamilies = [f === 6 ? 'IPv6' : 'IPv4'];
    }
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  svc.status ??= {};
  if (isMap(svc.status) && svc.status) svc.status.loadBalancer ??= {};
}

function validateServiceSpec(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  const type = spec.type === undefined ? 'ClusterIP' : spec.type;
  if (!(TYPES as readonly unknown[]).includes(type)) errs.push(notSupported('spec.type', type, TYPES));
  const clusterIP = asStr(spec.clusterIP);
  const headless = clusterIP === 'None';
  const ports = asArr(spec.ports);

  if (type === 'ExternalName') {
    const en = asStr(spec.externalName);
    if (!en) errs.push(required('spec.externalName'));
    else for (const m of isFullyQualifiedDomainName(en)) errs.push(invalid('spec.externalName', en, m));
    if (clusterIP !== '') errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
  } else {
    if (spec.externalName) {
      errs.push(forbidden('spec.externalName', 'may not be set when `type` is not \'ExternalName\''));
    }
    if (ports.length === 0 && !headless) errs.push(required('spec.ports'));
    // cluster IPs
    const ips = asArr(spec.clusterIPs).length ? asArr(spec.clusterIPs).map(asStr) : clusterIP ? [clusterIP] : [];
    if (clusterIP && ips[0] !== clusterIP) errs.push(invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
    if (ips.length > 2) errs.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
    ips.forEach((ip, i) => {
      if (ip === 'None') {
        if (i > 0 || ips.length > 1) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, 'must not have "None" as a secondary value'));
        return;
      }
      if (ip !== '' && !isValidIP(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, IP_MSG));
    });
    if (ips.length === 2 && isValidIP(ips[0]!) && isValidIP(ips[1]!) && familyOf(ips[0]!) === familyOf(ips[1]!)) {
      errs.push(invalid('spec.clusterIPs[1]', ips[1], 'may not have the same family as spec.clusterIPs[0]'));
    }
    if (headless && (type === 'NodePort' || type === 'LoadBalancer')) {
      errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
    }
  }

  const portNames = new Set<string>();
  const portKeys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((raw, i) => {
    const p = asObj(raw);
    const pp = `spec.ports[${i}]`;
    const name = asStr(p.name);
    if (ports.length > 1 && !name) errs.push(required(`${pp}.name`));
    if (name) {
      for (const m of isDNS1123Label(name)) errs.push(invalid(`${pp}.name`, name, m));
      if (portNames.has(name)) errs.push(duplicate(`${pp}.name`, name));
      portNames.add(name);
    }
    if (!isValidPortNum(p.port)) errs.push(invalid(`${pp}.port`, p.port ?? 0, PORT_RANGE_MSG));
    const proto = p.protocol === undefined ? 'TCP' : p.protocol;
    if (!(PROTOCOLS as readonly unknown[]).includes(proto)) errs.push(notSupported(`${pp}.protocol`, proto, PROTOCOLS));
    const tp = p.targetPort;
    if (typeof tp === 'string') {
      for (const m of isValidPortName(tp)) errs.push(invalid(`${pp}.targetPort`, tp, m));
    } else if (tp !== undefined && !isValidPortNum(tp)) errs.push(invalid(`${pp}.targetPort`, tp, PORT_RANGE_MSG));
    if (p.appProtocol !== undefined && p.appProtocol !== '') {
      for (const m of isQualifiedName(asStr(p.appProtocol))) errs.push(invalid(`${pp}.appProtocol`, p.appProtocol, m));
    }
    const np = p.nodePort;
    if (np !== undefined && np !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName') {
        errs.push(forbidden(`${pp}.nodePort`, `may not be used when \`type\` is '${String(type)}'`));
      } else if (!isValidPortNum(np)) {
        errs.push(invalid(`${pp}.nodePort`, np, PORT_RANGE_MSG));
      } else {
        const k = `${String(np)}/${String(proto)}`;
        if (nodePorts.has(k)) errs.push(duplicate(`${pp}.nodePort`, np));
        nodePorts.add(k);
      }
    }
    const key = `${String(p.port)}/${String(proto)}`;
    if (isInt(p.port)) {
      if (portKeys.has(key)) errs.push(duplicate(pp, { port: p.port, protocol: proto }));
      portKeys.add(key);
    }
  });

  errs.push(...validateLabels(spec.selector, 'spec.selector'));

  const aff = spec.sessionAffinity === undefined ? 'None' : spec.sessionAffinity;
  if (!(AFFINITIES as readonly unknown[]).includes(aff)) errs.push(notSupported('spec.sessionAffinity', aff, AFFINITIES));
  if (aff === 'ClientIP') {
    const t = asObj(asObj(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (t !== undefined && (!isInt(t) || t <= 0 || t > 86400)) {
      errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
    }
  } else if (aff === 'None' && spec.sessionAffinityConfig !== undefined && spec.sessionAffinityConfig !== null) {
    errs.push(invalid('spec.sessionAffinityConfig', spec.sessionAffinityConfig, `must not be set when session affinity is ${String(aff)}`));
  }
  if (type === 'ExternalName' && aff === 'ClientIP') errs.push(forbidden('spec.sessionAffinity', 'may not be used when `type` is \'ExternalName\''));

  const etp = spec.externalTrafficPolicy;
  if (type === 'NodePort' || type === 'LoadBalancer') {
    if (etp !== undefined && etp !== '' && !(TRAFFIC as readonly unknown[]).includes(etp)) errs.push(notSupported('spec.externalTrafficPolicy', etp, TRAFFIC));
  } else if (etp !== undefined && etp !== '') {
    errs.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  }
  if (spec.healthCheckNodePort !== undefined && spec.healthCheckNodePort !== 0) {
    if (type !== 'LoadBalancer' || etp !== 'Local') errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
    else if (!isValidPortNum(spec.healthCheckNodePort)) errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, PORT_RANGE_MSG));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp !== undefined && itp !== '' && !(TRAFFIC as readonly unknown[]).includes(itp)) errs.push(notSupported('spec.internalTrafficPolicy', itp, TRAFFIC));
  if (spec.ipFamilyPolicy !== undefined && !(FAMILY_POLICIES as readonly unknown[]).includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, FAMILY_POLICIES));
  }
  asArr(spec.ipFamilies).forEach((f, i) => {
    if (!(FAMILIES as readonly unknown[]).includes(f)) errs.push(notSupported(`spec.ipFamilies[${i}]`, f, FAMILIES));
  });
  const fams = asArr(spec.ipFamilies);
  if (fams.length === 2 && fams[0] === fams[1]) errs.push(duplicate('spec.ipFamilies[1]', fams[1]));
  if (spec.ipFamilyPolicy === 'SingleStack' && fams.length > 1) errs.push(invalid('spec.ipFamilies', fams, 'when spec.ipFamilyPolicy is SingleStack, spec.ipFamilies must not have more than one entry'));
  asArr(spec.externalIPs).forEach((ip, i) => {
    if (!isValidIP(asStr(ip))) errs.push(invalid(`spec.externalIPs[${i}]`, ip, IP_MSG));
  });
  if (spec.loadBalancerIP !== undefined && spec.loadBalancerIP !== '') {
    if (type !== 'LoadBalancer') errs.push(forbidden('spec.loadBalancerIP', 'may not be used when `type` is not \'LoadBalancer\''));
    else if (!isValidIP(asStr(spec.loadBalancerIP))) errs.push(invalid('spec.loadBalancerIP', spec.loadBalancerIP, IP_MSG));
  }
  asArr(spec.loadBalancerSourceRanges).forEach((r, i) => {
    if (type !== 'LoadBalancer') return;
    const v = asStr(r).trim();
    if (!isValidCIDR(v)) errs.push(invalid(`spec.loadBalancerSourceRanges[${i}]`, r, CIDR_MSG));
  });
  if (asArr(spec.loadBalancerSourceRanges).length && type !== 'LoadBalancer') {
    errs.push(forbidden('spec.loadBalancerSourceRanges', 'may only be used when `type` is \'LoadBalancer\''));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && type !== 'LoadBalancer') {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', 'may only be used when `type` is \'LoadBalancer\''));
  }
  return errs;
}

/** clusterIP may not change once set (except to/from ExternalName); an empty new value means "keep" (the server copies it). */
function validateServiceUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const n = asObj(obj.spec);
  const o = asObj(old.spec);
  if (n.type === 'ExternalName' || o.type === 'ExternalName') return errs;
  const nip = asStr(n.clusterIP);
  const oip = asStr(o.clusterIP);
  if (oip !== '' && nip !== '' && nip !== oip) errs.push(invalid('spec.clusterIPs[0]', asArr(n.clusterIPs).length ? n.clusterIPs : [nip], 'may not change once set'));
  return errs;
}

function servicePorts(ports: ServicePort[] | undefined): string {
  const s = (ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
  return s === '' ? '<none>' : s;
}

function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const ext = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s !== ''))].sort();
      if (ext.length) return [...lb, ...ext].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export const serviceKind = defineKind({
  group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true,
  shortNames: ['svc'], categories: ['all'], subresources: ['status', 'proxy'],
  nameFn: nameIsDNS1035Label,
  defaults: defaultService,
  validateSpec(obj, old) {
    const errs = validateServiceSpec(obj);
    if (old) errs.push(...validateServiceUpdate(obj, old));
    return errs;
  },
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
        col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
        col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
        col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
        ageCol(),
        col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify.', 1),
      ],
      rows: items.map((o) => {
        const svc = o as unknown as Service;
        const spec = svc.spec ?? {};
        const cip = spec.clusterIPs?.[0] || spec.clusterIP || '<none>';
        return {
          cells: [svc.metadata?.name ?? '', spec.type ?? '', cip, externalIP(svc), servicePorts(spec.ports),
            translateTimestampSince(svc.metadata?.creationTimestamp, now), formatLabels(spec.selector)],
          object: o,
        };
      }),
    };
  },
  fields(obj) {
    const s = asObj(obj.spec);
    return { 'spec.clusterIP': asStr(s.clusterIP), 'spec.type': asStr(s.type) };
  },
  hasGeneration: false,
});

/**
 * Upstream's patchAllocatedValues for Service updates (PUT without the allocated fields, e.g.
 * `kubectl replace`): copy clusterIP(s), ipFamilies/ipFamilyPolicy, nodePorts (matched by port and
 * protocol) and healthCheckNodePort from the stored object when the new one leaves them empty.
 * Call before defaults/validate on update; no-op when the type moves to/from ExternalName.
 */
export function patchAllocatedValues(obj: KObject, old: KObject): void {
  const n = (obj as unknown as Writable<Service>).spec;
  const o = (old as unknown as Service).spec;
  if (!n || !o || n.type === 'ExternalName' || o.type === 'ExternalName') return;
  if (!n.clusterIP && o.clusterIP) {
    n.clusterIP = o.clusterIP;
    if (!n.clusterIPs?.length && o.clusterIPs?.length) n.clusterIPs = [...o.clusterIPs];
  }
  if (!n.ipFamilies?.length && o.ipFamilies?.length && n.clusterIP === o.clusterIP) n.ipFamilies = [...o.ipFamilies];
  if (!n.ipFamilyPolicy && o.ipFamilyPolicy && n.clusterIP === o.clusterIP) n.ipFamilyPolicy = o.ipFamilyPolicy;
  const needsNodePorts = n.type === 'NodePort' || n.type === 'LoadBalancer';
  if (needsNodePorts) {
    for (const p of n.ports ?? []) {
      if (p.nodePort) continue;
      const prev = (o.ports ?? []).find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (prev?.nodePort) p.nodePort = prev.nodePort;
    }
    if (!n.healthCheckNodePort && o.healthCheckNodePort && n.externalTrafficPolicy === 'Local' && n.type === 'LoadBalancer') n.healthCheckNodePort = o.healthCheckNodePort;
  }
}
