/** batch/v1 Job: defaults (selector from the uid), validation, printJob. The controller is src/controllers/job.ts. */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, humanDuration, nameCol, nameIsDNSSubdomain, translateTimestampSince } from './common.js';
import { containersAndImages, defaultTemplate } from './workloads.js';
import { validatePodSpec } from './podspec.js';
import { asObj, forbidden, formatLabelSelector, invalid, isInt, isMap, isObj, notSupported, required, selectorMatches, validateLabelSelector, validateLabels } from '../validation/index.js';

export const JOB_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

function stable(v: unknown): string { return JSON.stringify(v, (_k, x: unknown) => (isObj(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x)); }

function validateJob(obj: KObject, old?: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished'] as const) {
    const v = spec[f];
    if (v !== undefined && v !== null && (!isInt(v) || v < 0)) errs.push(invalid(`spec.${f}`, v, 'must be greater than or equal to 0'));
  }
  if (spec.completionMode !== undefined && spec.completionMode !== 'NonIndexed') errs.push(notSupported('spec.completionMode', spec.completionMode, ['NonIndexed']));
  const sel = spec.selector;
  const tpl = asObj(spec.template);
  const tmeta = asObj(tpl.metadata);
  if (!isObj(sel)) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (!selectorMatches(sel, tmeta.labels as Record<string, string> | undefined)) errs.push(invalid('spec.template.metadata.labels', tmeta.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels(tmeta.labels, 'spec.template.metadata.labels'));
  if (!isObj(tpl.spec)) errs.push(required('spec.template.spec'));
  else {
    errs.push(...validatePodSpec(tpl.spec, 'spec.template.spec'));
    const rp = tpl.spec.restartPolicy;
    if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['OnFailure', 'Never']));
  }
  if (old) {
    const o = asObj(old.spec);
    if (stable(o.selector) !== stable(sel)) errs.push(invalid('spec.selector', sel ?? null, 'field is immutable'));
    if (stable(o.template) !== stable(spec.template)) errs.push(invalid('spec.template', spec.template, 'field is immutable'));
    if (stable(o.completions) !== stable(spec.completions)) errs.push(invalid('spec.completions', spec.completions, 'field is immutable'));
  }
  if (spec.manualSelector === true && !isObj(sel)) errs.push(forbidden('spec.selector', '`selector` must be set when `manualSelector` is true'));
  return errs;
}

/** Complete / Failed / Suspended / Running, as `kubectl get job` prints it. */
function jobStatus(j: Job): string {
  const conds = j.status?.conditions ?? [];
  const is = (t: string): boolean => conds.some((c) => c.type === t && c.status === 'True');
  if (is('Complete')) return 'Complete';
  if (is('Failed')) return 'Failed';
  if (is('FailureTarget')) return 'FailureTarget';
  if (is('Suspended')) return 'Suspended';
  if (is('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export const jobKind = defineKind({
  group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', namespaced: true,
  categories: ['all'], subresources: ['status'],
  nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    const j = obj as unknown as Job;
    if (!isMap(j.spec) || !j.spec) return;
    const spec = j.spec;
    if (spec.completions === undefined && spec.parallelism === undefined) { spec.completions = 1; spec.parallelism = 1; }
    spec.parallelism ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= 'TerminatingOrFailed';
    const uid = j.metadata?.uid;
    if (uid && !spec.manualSelector) {
      spec.selector ??= { matchLabels: { [JOB_UID_LABEL]: uid } };
      spec.template ??= {};
      spec.template.metadata ??= {};
      spec.template.metadata.labels = { ...(spec.template.metadata.labels ?? {}), [JOB_UID_LABEL]: uid, [JOB_NAME_LABEL]: j.metadata!.name!, 'controller-uid': uid, 'job-name': j.metadata!.name! };
    }
    defaultTemplate(spec.template);
  },
  validateSpec: validateJob,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Status', 'string', 'Status of the job.'),
        col('Completions', 'string', 'The completion status of the job.'),
        col('Duration', 'string', 'Time required to complete the job.'),
        ageCol(),
        col('Containers', 'string', 'Names of each container in the template.', 1),
        col('Images', 'string', 'Images referenced by each container in the template.', 1),
        col('Selector', 'string', 'Label selector for pods.', 1),
      ],
      rows: items.map((o) => {
        const j = o as unknown as Job;
        const st = j.status ?? {};
        const succeeded = st.succeeded ?? 0;
        const completions = j.spec?.completions !== undefined && j.spec.completions !== null ? `${succeeded}/${j.spec.completions}`
          : (j.spec?.parallelism ?? 1) > 1 ? `${succeeded}/1 of ${j.spec?.parallelism}` : `${succeeded}/1`;
        const start = st.startTime ? Date.parse(st.startTime) : undefined;
        const end = st.completionTime ? Date.parse(st.completionTime) : now.getTime();
        const duration = start !== undefined ? humanDuration(end - start) : '';
        const [cn, im] = containersAndImages(j.spec?.template?.spec);
        return {
          cells: [j.metadata?.name ?? '', jobStatus(j), completions, duration, translateTimestampSince(j.metadata?.creationTimestamp, now), cn, im, formatLabelSelector(j.spec?.selector)],
          object: o,
        };
      }),
    };
  },
  hasGeneration: true,
});
