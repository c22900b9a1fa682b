/** Pure DaemonSet logic: which nodes run a daemon pod, what to create and delete, the status. */
import { createHash } from 'node:crypto';
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, PodTemplateSpec, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { podReady, stableJSON } from './util.js';

export const REVISION_LABEL = 'controller-revision-hash';

/** Tolerations the DaemonSet controller adds to every daemon pod (upstream's AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(t: PodTemplateSpec | undefined): Toleration[] {
  const own = [...(t?.spec?.tolerations ?? [])];
  const add: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (t?.spec?.hostNetwork) add.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  for (const a of add) if (!own.some((o) => o.key === a.key && o.effect === a.effect)) own.push(a);
  return own;
}

function tolerated(tols: Toleration[], t: Taint): boolean {
  return tols.some((tol) => {
    if (tol.effect && tol.effect !== t.effect) return false;
    if (tol.operator === 'Exists') return !tol.key || tol.key === t.key;
    return tol.key === t.key && (tol.value ?? '') === (t.value ?? '');
  });
}

/** Whether a daemon pod of template `t` belongs on `node`: node selector matches and every NoSchedule/NoExecute taint is tolerated. */
export function shouldRun(node: Node, t: PodTemplateSpec | undefined): boolean {
  for (const [k, v] of Object.entries(t?.spec?.nodeSelector ?? {})) if (node.metadata?.labels?.[k] !== v) return false;
  const tols = daemonTolerations(t);
  return (node.spec?.taints ?? []).every((x) => x.effect === 'PreferNoSchedule' || tolerated(tols, x));
}

/** The revision hash of a template (the label that tells old pods from new ones). */
export function templateHash(t: PodTemplateSpec | undefined): string {
  return createHash('sha256').update(stableJSON(t ?? {})).digest('hex').slice(0, 10);
}

export interface DaemonPlan { create: string[]; delete: string[]; status: DaemonSetStatus }

/**
 * One sync of a DaemonSet: a pod on each node that should run one (create where missing), none
 * elsewhere, one per node (extras and failed pods deleted), and with RollingUpdate at most
 * `maxUnavailable` nodes without an available pod while old-revision pods are replaced.
 */
export function planDaemonSet(ds: DaemonSet, nodes: Node[], pods: Pod[], hash: string): DaemonPlan {
  const create: string[] = [];
  const del: string[] = [];
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    const n = p.spec?.nodeName ?? '';
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  let desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, unavailable = 0;
  const oldOnNodes: Pod[] = [];
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const here = byNode.get(name) ?? [];
    byNode.delete(name);
    const run = shouldRun(node, ds.spec?.template);
    if (!run) {
      if (here.length) misscheduled++;
      del.push(...here.map((p) => p.metadata!.name!));
      continue;
    }
    desired++;
    const live = here.filter((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    del.push(...here.filter((p) => !live.includes(p)).map((p) => p.metadata!.name!));
    if (!live.length) { create.push(name); unavailable++; continue; }
    current++;
    // keep the newest-revision, oldest pod; delete the others
    const sorted = [...live].sort((a, b) => Number(b.metadata?.labels?.[REVISION_LABEL] === hash) - Number(a.metadata?.labels?.[REVISION_LABEL] === hash)
      || String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)));
    const keep = sorted[0]!;
    del.push(...sorted.slice(1).map((p) => p.metadata!.name!));
    if (podReady(keep)) ready++; else unavailable++;
    if (keep.metadata?.labels?.[REVISION_LABEL] === hash) updated++; else oldOnNodes.push(keep);
  }
  for (const rest of byNode.values()) del.push(...rest.map((p) => p.metadata!.name!)); // pods on nodes that are gone
  const us = ds.spec?.updateStrategy;
  if ((us?.type ?? 'RollingUpdate') === 'RollingUpdate' && oldOnNodes.length) {
    const mu = us?.rollingUpdate?.maxUnavailable ?? 1;
    const max = typeof mu === 'number' ? mu : Math.max(1, Math.floor((Number(String(mu).replace('%', '')) * desired) / 100));
    // old pods that are not ready go first (they are unavailable already), then ready ones within the budget
    const order = [...oldOnNodes].sort((a, b) => Number(podReady(a)) - Number(podReady(b)));
    let budget = max - unavailable;
    for (const p of order) {
      if (!podReady(p)) { del.push(p.metadata!.name!); continue; }
      if (budget <= 0) break;
      del.push(p.metadata!.name!);
      budget--;
    }
  }
  const status: DaemonSetStatus = {
    desiredNumberScheduled: desired, currentNumberScheduled: current, numberMisscheduled: misscheduled, numberReady: ready,
    updatedNumberScheduled: updated, numberAvailable: ready, observedGeneration: ds.metadata?.generation ?? 1,
    ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : {}),
  };
  return { create, delete: [...new Set(del)], status };
}
