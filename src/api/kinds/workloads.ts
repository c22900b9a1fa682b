/** apps/v1 Deployment and ReplicaSet: defaults, validation, printDeployment/printReplicaSet. */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSSubdomain, translateTimestampSince } from './common.js';
import { defaultPodSpec, validatePodSpec } from './podspec.js';
import {
  asObj, forbidden, formatLabelSelector, invalid, isInt, isMap, isObj, notSupported, required, selectorMatches,
  validateAnnotations, validateLabelSelector, validateLabels,
} from '../validation/index.js';

export function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (!isMap(t) || !t) return;
  if (isMap(t.spec) && t.spec) defaultPodSpec(t.spec);
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function nonNegative(v: unknown, field: string, errs: FieldError[]): void {
  if (v !== undefined && v !== null && (!isInt(v) || v < 0)) errs.push(invalid(field, v, 'must be greater than or equal to 0'));
}

/** Shared by Deployment and ReplicaSet: selector, template, replicas. */
export function validateWorkload(obj: KObject, old: KObject | undefined, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  nonNegative(spec.replicas, 'spec.replicas', errs);
  nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errs);
  const sel = spec.selector;
  if (!isObj(sel)) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (Object.keys(asObj(sel.matchLabels)).length === 0 && (!Array.isArray(sel.matchExpressions) || sel.matchExpressions.length === 0)) {
      errs.push(invalid('spec.selector', sel, `empty selector is invalid for ${kind}`));
    }
  }
  const tpl = asObj(spec.template);
  const tmeta = asObj(tpl.metadata);
  errs.push(...validateLabels(tmeta.labels, 'spec.template.metadata.labels'));
  errs.push(...validateAnnotations(tmeta.annotations, 'spec.template.metadata.annotations'));
  if (isObj(sel) && !selectorMatches(sel, tmeta.labels as Record<string, string> | undefined)) {
    errs.push(invalid('spec.template.metadata.labels', tmeta.labels ?? {}, '`selector` does not match template `labels`'));
  }
  if (!isObj(tpl.spec)) errs.push(required('spec.template.spec'));
  else {
    errs.push(...validatePodSpec(tpl.spec, 'spec.template.spec'));
    const rp = tpl.spec.restartPolicy;
    if (rp !== undefined && rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
    if (tpl.spec.activeDeadlineSeconds !== undefined) errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  if (old && isObj(old.spec) && stable(asObj(old.spec).selector) !== stable(sel)) {
    errs.push(invalid('spec.selector', sel ?? null, 'field is immutable'));
  }
  return errs;
}

/** Parses an IntOrString `25%`/`1` against a total; undefined when malformed. */
function intOrPercent(v: unknown): { n: number; percent: boolean } | undefined {
  if (isInt(v)) return { n: v, percent: false };
  if (typeof v === 'string') {
    const m = /^(-?\d+)%$/.exec(v);
    if (m) return { n: Number(m[1]), percent: true };
  }
  return undefined;
}

function validateDeployment(obj: KObject, old?: KObject): FieldError[] {
  const errs = validateWorkload(obj, old, 'deployment');
  const spec = asObj(obj.spec);
  const strategy = asObj(spec.strategy);
  const type = strategy.type;
  if (type !== undefined && type !== 'Recreate' && type !== 'RollingUpdate') {
    errs.push(notSupported('spec.strategy.type', type, ['Recreate', 'RollingUpdate']));
  }
  if (type === 'Recreate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  }
  if (type === 'RollingUpdate' && isObj(strategy.rollingUpdate)) {
    const ru = strategy.rollingUpdate;
    const parsed: Record<string, { n: number; percent: boolean } | undefined> = {};
    for (const f of ['maxUnavailable', 'maxSurge']) {
      if (ru[f] === undefined) continue;
      const p = intOrPercent(ru[f]);
      parsed[f] = p;
      const path = `spec.strategy.rollingUpdate.${f}`;
      if (!p) errs.push(invalid(path, ru[f], "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
      else if (p.n < 0) errs.push(invalid(path, ru[f], 'must be greater than or equal to 0'));
      else if (f === 'maxUnavailable' && p.percent && p.n > 100) errs.push(invalid(path, ru[f], 'must not be greater than 100%'));
    }
    if (parsed.maxUnavailable?.n === 0 && parsed.maxSurge?.n === 0) {
      errs.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', errs);
  const pds = spec.progressDeadlineSeconds;
  if (pds !== undefined) {
    nonNegative(pds, 'spec.progressDeadlineSeconds', errs);
    if (isInt(pds) && isInt(spec.minReadySeconds) && pds <= spec.minReadySeconds) {
      errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}


export function containersAndImages(spec: PodSpec | undefined): [string, string] {
  const cs = spec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image ?? '').join(',')];
}

export const deploymentKind = defineKind({
  group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true,
  shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'],
  nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    const d = obj as unknown as Deployment;
    if (!isMap(d.spec) || !d.spec) return;
    const spec = d.spec;
    spec.replicas ??= 1;
    spec.strategy ??= {};
    if (!spec.strategy.type) spec.strategy.type = 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultTemplate(spec.template);
  },
  validateSpec: validateDeployment,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Ready', 'string', 'Number of the pod with ready state'),
        col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
        col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
        ageCol(),
        col('Containers', 'string', 'Names of each container in the template.', 1),
        col('Images', 'string', 'Images referenced by each container in the template.', 1),
        col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
      ],
      rows: items.map((o) => {
        const d = o as unknown as Deployment;
        const [cn, im] = containersAndImages(d.spec?.template?.spec);
        const st = d.status ?? {};
        return {
          cells: [d.metadata?.name ?? '', `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0,
            translateTimestampSince(d.metadata?.creationTimestamp, now), cn, im, formatLabelSelector(d.spec?.selector)],
          object: o,
        };
      }),
    };
  },
  hasGeneration: true,
});

export const replicaSetKind = defineKind({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true,
  shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'],
  nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    const r = obj as unknown as ReplicaSet;
    if (!isMap(r.spec) || !r.spec) return;
    r.spec.replicas ??= 1;
    defaultTemplate(r.spec.template);
  },
  validateSpec: (obj, old) => validateWorkload(obj, old, 'replicaset'),
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Desired', 'integer', 'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.'),
        col('Current', 'integer', 'Replicas is the most recently observed number of non-terminating pods.'),
        col('Ready', 'integer', 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
        ageCol(),
        col('Containers', 'string', 'Names of each container in the template.', 1),
        col('Images', 'string', 'Images referenced by each container in the template.', 1),
        col('Selector', 'string', 'Label selector for pods. Label keys and values that must match in order to be controlled by this replica set.', 1),
      ],
      rows: items.map((o) => {
        const r = o as unknown as ReplicaSet;
        const [cn, im] = containersAndImages(r.spec?.template?.spec);
        return {
          cells: [r.metadata?.name ?? '', r.spec?.replicas ?? 0, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0,
            translateTimestampSince(r.metadata?.creationTimestamp, now), cn, im, formatLabelSelector(r.spec?.selector)],
          object: o,
        };
      }),
    };
  },
  fields(obj) {
    return { 'status.replicas': String(asObj(obj.status).replicas ?? 0) };
  },
  hasGeneration: true,
});
