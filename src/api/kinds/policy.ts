/**
 * policy/v1 PodDisruptionBudget: defaults, validation, printPodDisruptionBudget. Its status is
 * computed by the disruption controller (src/controllers/disruption.ts) and spent by the
 * pods/eviction subresource (src/api/server/eviction.ts).
 */
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameIsDNSSubdomain, nameCol, translateTimestampSince } from './common.js';
import { asObj, invalid, isInt, isObj, notSupported, validateLabelSelector } from '../validation/index.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'] as const;

/** IntOrString: a non-negative integer, or a percentage 0%–100%. */
function validateIntOrPercent(v: unknown, field: string, errs: FieldError[]): void {
  if (v === undefined || v === null) return;
  if (isInt(v)) { if (v < 0) errs.push(invalid(field, v, 'must be greater than or equal to 0')); return; }
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) { errs.push(invalid(field, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")); return; }
    if (Number(m[1]) > 100) errs.push(invalid(field, v, 'must not be greater than 100%'));
    return;
  }
  errs.push(invalid(field, v, 'must be an integer or percentage (e.g \'5%\')'));
}

function validatePdb(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  const hasMin = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const hasMax = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  if (hasMin && hasMax) errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  validateIntOrPercent(spec.minAvailable, 'spec.minAvailable', errs);
  validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', errs);
  if (spec.selector !== undefined && spec.selector !== null) {
    if (!isObj(spec.selector)) errs.push(invalid('spec.selector', spec.selector, 'must be a label selector'));
    else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  }
  const p = spec.unhealthyPodEvictionPolicy;
  if (p !== undefined && p !== null && !(EVICTION_POLICIES as readonly unknown[]).includes(p)) errs.push(notSupported('spec.unhealthyPodEvictionPolicy', p, EVICTION_POLICIES));
  return errs;
}

const show = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));

export const podDisruptionBudgetKind = defineKind({
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', namespaced: true,
  shortNames: ['pdb'], subresources: ['status'],
  nameFn: nameIsDNSSubdomain,
  validateSpec: validatePdb,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Min Available', 'string', 'The minimum number of pods that must be available.'),
        col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
        col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
        ageCol(),
      ],
      rows: items.map((o) => {
        const spec = asObj(o.spec);
        const st = asObj(o.status);
        return {
          cells: [o.metadata?.name ?? '', show(spec.minAvailable), show(spec.maxUnavailable), isInt(st.disruptionsAllowed) ? st.disruptionsAllowed : 0,
            translateTimestampSince(o.metadata?.creationTimestamp, now)],
          object: o,
        };
      }),
    };
  },
  hasGeneration: true,
});
