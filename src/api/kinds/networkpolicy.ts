/** networking.k8s.io/v1 NetworkPolicy: defaults (policyTypes, port protocol), ValidateNetworkPolicy, printNetworkPolicy. */
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSSubdomain, translateTimestampSince } from './common.js';
import { PROTOCOLS } from './podspec.js';
import {
  CIDR_MSG, PORT_RANGE_MSG, asArr, asObj, asStr, duplicate, forbidden, formatLabelSelector, invalid, isMap, isObj,
  isValidPortName, isValidPortNum, notSupported, parseCIDR, required, tooMany, validateLabelSelector,
} from '../validation/index.js';
import { containsCidr } from '../../util/addr.js';

const POLICY_TYPES = ['Ingress', 'Egress'] as const;

function validatePorts(ports: unknown, p: string, errs: FieldError[]): void {
  asArr(ports).forEach((raw, i) => {
    const port = asObj(raw);
    const pp = `${p}[${i}]`;
    if (port.protocol !== undefined && !(PROTOCOLS as readonly unknown[]).includes(port.protocol)) {
      errs.push(notSupported(`${pp}.protocol`, port.protocol, PROTOCOLS));
    }
    const v = port.port;
    if (v !== undefined && v !== null) {
      if (typeof v === 'string') {
        for (const m of isValidPortName(v)) errs.push(invalid(`${pp}.port`, v, m));
        if (port.endPort !== undefined) errs.push(forbidden(`${pp}.endPort`, 'may not be specified when `port` is non-numeric'));
      } else if (!isValidPortNum(v)) errs.push(invalid(`${pp}.port`, v, PORT_RANGE_MSG));
      else if (port.endPort !== undefined) {
        if (!isValidPortNum(port.endPort)) errs.push(invalid(`${pp}.endPort`, port.endPort, PORT_RANGE_MSG));
        else if ((port.endPort as number) < (v as number)) errs.push(invalid(`${pp}.endPort`, port.endPort, 'must be greater than or equal to `port`'));
      }
    } else if (port.endPort !== undefined) {
      errs.push(required(`${pp}.port`, 'must be specified when `endPort` is specified'));
    }
  });
}

function validatePeers(peers: unknown, p: string, errs: FieldError[]): void {
  asArr(peers).forEach((raw, i) => {
    const peer = asObj(raw);
    const pp = `${p}[${i}]`;
    let n = 0;
    if (peer.podSelector !== undefined && peer.podSelector !== null) { n++; errs.push(...validateLabelSelector(peer.podSelector, `${pp}.podSelector`)); }
    if (peer.namespaceSelector !== undefined && peer.namespaceSelector !== null) { n++; errs.push(...validateLabelSelector(peer.namespaceSelector, `${pp}.namespaceSelector`)); }
    if (peer.ipBlock !== undefined && peer.ipBlock !== null) {
      n++;
      const b = asObj(peer.ipBlock);
      const cidr = asStr(b.cidr);
      if (!cidr) errs.push(required(`${pp}.ipBlock.cidr`));
      else {
        const c = parseCIDR(cidr);
        if (!c) errs.push(invalid(`${pp}.ipBlock.cidr`, cidr, CIDR_MSG));
        asArr(b.except).forEach((e, j) => {
          const s = asStr(e);
          const ec = parseCIDR(s);
          if (!ec) errs.push(invalid(`${pp}.ipBlock.except[${j}]`, e, CIDR_MSG));
          else if (c && (!containsCidr(c, ec) || ec.prefix <= c.prefix)) errs.push(invalid(`${pp}.ipBlock.except[${j}]`, s, 'must be a strict subset of `cidr`'));
        });
      }
    }
    if (n === 0) errs.push(required(pp, 'must specify a peer'));
    else if (peer.ipBlock && n > 1) errs.push(forbidden(pp, 'may not specify both ipBlock and another peer'));
  });
}

function validateNetworkPolicy(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  if (!isObj(spec.podSelector)) errs.push(required('spec.podSelector'));
  else errs.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  asArr(spec.ingress).forEach((r, i) => {
    const rule = asObj(r);
    validatePorts(rule.ports, `spec.ingress[${i}].ports`, errs);
    validatePeers(rule.from, `spec.ingress[${i}].from`, errs);
  });
  asArr(spec.egress).forEach((r, i) => {
    const rule = asObj(r);
    validatePorts(rule.ports, `spec.egress[${i}].ports`, errs);
    validatePeers(rule.to, `spec.egress[${i}].to`, errs);
  });
  const types = asArr(spec.policyTypes);
  const seen = new Set<unknown>();
  types.forEach((t, i) => {
    if (!(POLICY_TYPES as readonly unknown[]).includes(t)) errs.push(notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES));
    if (seen.has(t)) errs.push(duplicate(`spec.policyTypes[${i}]`, t));
    seen.add(t);
  });
  if (types.length > 2) errs.push(tooMany('spec.policyTypes', types.length, 2));
  return errs;
}

export const networkPolicyKind = defineKind({
  group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true,
  shortNames: ['netpol'], nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    const np = obj as unknown as NetworkPolicy;
    if (!isMap(np.spec) || !np.spec) return;
    const spec = np.spec;
    for (const r of spec.ingress ?? []) for (const p of r.ports ?? []) if (isMap(p)) p.protocol ??= 'TCP';
    for (const r of spec.egress ?? []) for (const p of r.ports ?? []) if (isMap(p)) p.protocol ??= 'TCP';
    if (!spec.policyTypes || spec.policyTypes.length === 0) {
      spec.policyTypes = ['Ingress'];
      if (spec.egress && spec.egress.length) spec.policyTypes.push('Egress');
    }
  },
  validateSpec: validateNetworkPolicy,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Pod-Selector', 'string', 'podSelector selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. An empty podSelector matches all pods in this namespace.'),
        ageCol(),
      ],
      rows: items.map((o) => ({
        cells: [o.metadata?.name ?? '', formatLabelSelector(asObj(o.spec).podSelector), translateTimestampSince(o.metadata?.creationTimestamp, now)],
        object: o,
      })),
    };
  },
  hasGeneration: true,
});
