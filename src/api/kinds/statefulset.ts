/** apps/v1 StatefulSet: defaults, validation, printStatefulSet. The controller is src/controllers/statefulset.ts. */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSLabel, translateTimestampSince } from './common.js';
import { containersAndImages, defaultTemplate, validateWorkload } from './workloads.js';
import { asObj, forbidden, invalid, isDNS1123Label, isInt, isMap, notSupported } from '../validation/index.js';

function validateStatefulSet(obj: KObject, old?: KObject): FieldError[] {
  const errs = validateWorkload(obj, old, 'statefulset');
  const spec = asObj(obj.spec);
  if (spec.podManagementPolicy !== undefined && spec.podManagementPolicy !== 'OrderedReady' && spec.podManagementPolicy !== 'Parallel') {
    errs.push(notSupported('spec.podManagementPolicy', spec.podManagementPolicy, ['OrderedReady', 'Parallel']));
  }
  const us = asObj(spec.updateStrategy);
  if (us.type !== undefined && us.type !== 'RollingUpdate' && us.type !== 'OnDelete') errs.push(notSupported('spec.updateStrategy.type', us.type, ['OnDelete', 'RollingUpdate']));
  if (typeof spec.serviceName === 'string' && spec.serviceName !== '') {
    for (const m of isDNS1123Label(spec.serviceName)) errs.push(invalid('spec.serviceName', spec.serviceName, m));
  }
  if (Array.isArray(spec.volumeClaimTemplates) && spec.volumeClaimTemplates.length) {
    errs.push(forbidden('spec.volumeClaimTemplates', 'podnet has no PersistentVolumeClaims; use emptyDir or hostPath volumes'));
  }
  const ord = asObj(spec.ordinals);
  if (ord.start !== undefined && (!isInt(ord.start) || ord.start < 0)) errs.push(invalid('spec.ordinals.start', ord.start, 'must be greater than or equal to 0'));
  if (old) {
    const o = asObj(old.spec);
    for (const f of ['serviceName', 'podManagementPolicy'] as const) {
      if (JSON.stringify(o[f] ?? null) !== JSON.stringify(spec[f] ?? null)) {
        errs.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
        break;
      }
    }
  }
  return errs;
}

export const statefulSetKind = defineKind({
  group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true,
  shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'],
  nameFn: nameIsDNSLabel,
  defaults(obj) {
    const s = obj as unknown as StatefulSet;
    if (!isMap(s.spec) || !s.spec) return;
    const spec = s.spec;
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.partition ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
    defaultTemplate(spec.template);
  },
  validateSpec: validateStatefulSet,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Ready', 'string', 'Number of the pod with ready state'),
        ageCol(),
        col('Containers', 'string', 'Names of each container in the template.', 1),
        col('Images', 'string', 'Images referenced by each container in the template.', 1),
      ],
      rows: items.map((o) => {
        const s = o as unknown as StatefulSet;
        const [cn, im] = containersAndImages(s.spec?.template?.spec);
        return {
          cells: [s.metadata?.name ?? '', `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`, translateTimestampSince(s.metadata?.creationTimestamp, now), cn, im],
          object: o,
        };
      }),
    };
  },
  hasGeneration: true,
});
