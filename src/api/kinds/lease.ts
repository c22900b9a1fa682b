/** coordination.k8s.io/v1 Lease (node heartbeats in kube-node-lease): validation, printLease. */
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSSubdomain, translateTimestampSince } from './common.js';
import { asObj, asStr, invalid, isInt, notSupported, forbidden } from '../validation/index.js';

const STRATEGIES = ['OldestEmulationVersion'] as const;

function validateLease(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  const d = spec.leaseDurationSeconds;
  if (d !== undefined && d !== null && (!isInt(d) || d <= 0)) errs.push(invalid('spec.leaseDurationSeconds', d, 'must be greater than 0'));
  const t = spec.leaseTransitions;
  if (t !== undefined && t !== null && (!isInt(t) || t < 0)) errs.push(invalid('spec.leaseTransitions', t, 'must be greater than or equal to 0'));
  if (spec.strategy !== undefined && spec.strategy !== null && !(STRATEGIES as readonly unknown[]).includes(spec.strategy)) {
    errs.push(notSupported('spec.strategy', spec.strategy, STRATEGIES));
  }
  if (spec.preferredHolder && !spec.strategy) errs.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return errs;
}

export const leaseKind = defineKind({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true,
  nameFn: nameIsDNSSubdomain,
  validateSpec: validateLease,
  table(items, now) {
    return {
      columnDefinitions: [nameCol(), col('Holder', 'string', 'The holder of the lease'), ageCol()],
      rows: items.map((o) => ({
        cells: [o.metadata?.name ?? '', asStr(asObj(o.spec).holderIdentity), translateTimestampSince(o.metadata?.creationTimestamp, now)],
        object: o,
      })),
    };
  },
  hasGeneration: false,
});
