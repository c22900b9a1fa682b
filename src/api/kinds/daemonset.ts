/** apps/v1 DaemonSet: defaults, validation, printDaemonSet. The controller is src/controllers/daemonset.ts. */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { FieldError, KObject } from './types.js';
import { ageCol, col, defineKind, nameCol, nameIsDNSSubdomain, translateTimestampSince } from './common.js';
import { containersAndImages, defaultTemplate, validateWorkload } from './workloads.js';
import { asObj, formatLabels, formatLabelSelector, invalid, isInt, isMap, isObj, notSupported } from '../validation/index.js';

function validateDaemonSet(obj: KObject, old?: KObject): FieldError[] {
  const errs = validateWorkload(obj, old, 'daemonset');
  const spec = asObj(obj.spec);
  const us = asObj(spec.updateStrategy);
  if (us.type !== undefined && us.type !== 'RollingUpdate' && us.type !== 'OnDelete') errs.push(notSupported('spec.updateStrategy.type', us.type, ['OnDelete', 'RollingUpdate']));
  if (isObj(us.rollingUpdate)) {
    const mu = us.rollingUpdate.maxUnavailable;
    const ok = isInt(mu) ? mu >= 0 : typeof mu === 'string' ? /^\d+%$/.test(mu) : mu === undefined;
    if (!ok) errs.push(invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', mu, 'must be greater than or equal to 0, or a percentage'));
    if ((mu === 0 || mu === '0%') && (us.rollingUpdate.maxSurge ?? 0) === 0) {
      errs.push(invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', mu, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  return errs;
}

export const daemonSetKind = defineKind({
  group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true,
  shortNames: ['ds'], categories: ['all'], subresources: ['status'],
  nameFn: nameIsDNSSubdomain,
  defaults(obj) {
    const d = obj as unknown as DaemonSet;
    if (!isMap(d.spec) || !d.spec) return;
    const spec = d.spec;
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultTemplate(spec.template);
  },
  validateSpec: validateDaemonSet,
  table(items, now) {
    return {
      columnDefinitions: [
        nameCol(),
        col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
        col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
        col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
        col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
        col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
        col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
        ageCol(),
        col('Containers', 'string', 'Names of each container in the template.', 1),
        col('Images', 'string', 'Images referenced by each container in the template.', 1),
        col('Selector', 'string', 'A label query over pods that are managed by the daemon set.', 1),
      ],
      rows: items.map((o) => {
        const d = o as unknown as DaemonSet;
        const st = d.status;
        const [cn, im] = containersAndImages(d.spec?.template?.spec);
        const ns = d.spec?.template?.spec?.nodeSelector;
        return {
          cells: [d.metadata?.name ?? '', st?.desiredNumberScheduled ?? 0, st?.currentNumberScheduled ?? 0, st?.numberReady ?? 0,
            st?.updatedNumberScheduled ?? 0, st?.numberAvailable ?? 0, ns && Object.keys(ns).length ? formatLabels(ns) : '<none>',
            translateTimestampSince(d.metadata?.creationTimestamp, now), cn, im, formatLabelSelector(d.spec?.selector)],
          object: o,
        };
      }),
    };
  },
  hasGeneration: true,
});
