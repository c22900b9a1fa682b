/**
 * pods/ephemeralcontainers (what `kubectl debug` writes): only spec.ephemeralContainers changes,
 * containers may be added but never removed or changed, and an ephemeral container has no ports,
 * probes, resources or lifecycle; targetContainerName must name one of the pod's containers.
 */
import type { FieldError, KObject } from './types.js';
import { asArr, asObj, duplicate, forbidden, isObj, notFound, required } from '../validation/index.js';

const NOT_ALLOWED = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'resources', 'lifecycle'];

/** The pod after an ephemeralcontainers write: `next`'s spec.ephemeralContainers on `cur`, and the field errors. */
export function applyEphemeralContainers(cur: KObject, next: KObject): { pod: KObject; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const curSpec = asObj(cur.spec);
  const want = asArr(asObj(next.spec).ephemeralContainers);
  const had = asArr(curSpec.ephemeralContainers);
  const names = new Set<string>();
  for (const k of ['containers', 'initContainers']) for (const c of asArr(curSpec[k])) if (isObj(c) && typeof c.name === 'string') names.add(c.name);
  const regular = new Set([...asArr(curSpec.containers)].filter(isObj).map((c) => String(c.name)));
  want.forEach((c, i) => {
    const f = `spec.ephemeralContainers[${i}]`;
    if (!isObj(c)) { errs.push(required(f)); return; }
    if (typeof c.name !== 'string' || !c.name) errs.push(required(`${f}.name`));
    else if (names.has(c.name)) errs.push(duplicate(`${f}.name`, c.name));
    else names.add(c.name);
    if (typeof c.image !== 'string' || !c.image) errs.push(required(`${f}.image`));
    for (const k of NOT_ALLOWED) if (c[k] !== undefined && !(Array.isArray(c[k]) && (c[k] as unknown[]).length === 0) && !(k === 'resources' && isObj(c[k]) && Object.keys(c[k] as object).length === 0)) errs.push(forbidden(`${f}.${k}`, 'cannot be set for an Ephemeral Container'));
    if (c.targetContainerName !== undefined && !regular.has(String(c.targetContainerName))) errs.push(notFound(`${f}.targetContainerName`, c.targetContainerName));
  });
  for (const o of had) {
    if (!isObj(o)) continue;
    const n = want.find((c) => isObj(c) && c.name === o.name);
    if (!n) errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers "${String(o.name)}" may not be removed`));
    else if (JSON.stringify(stable(n)) !== JSON.stringify(stable(o))) errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers "${String(o.name)}" may not be changed`));
  }
  const pod = structuredClone(cur);
  (pod.spec as Record<string, unknown>).ephemeralContainers = want;
  if (!want.length) delete (pod.spec as Record<string, unknown>).ephemeralContainers;
  return { pod, errs };
}

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable(v[k])]));
  return v;
}
