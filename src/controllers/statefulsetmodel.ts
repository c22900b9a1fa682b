/** Pure StatefulSet logic: ordinals, ordered creation and deletion, rolling update, status. */
import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podReady } from './util.js';

export const STS_REVISION_LABEL = 'controller-revision-hash';

/** The ordinal of a pod named `<set>-<n>`, or undefined. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export interface StsPlan { create: number[]; delete: string[]; status: StatefulSetStatus }

/**
 * One sync of a StatefulSet (revision = `<name>-<hash>` of the current template). OrderedReady:
 * create the lowest missing ordinal only when every lower one is Running and Ready; remove
 * ordinals beyond the replicas highest first, one at a time; a failed pod is deleted to be
 * recreated under the same name. Parallel: all at once. RollingUpdate: when all pods are ready,
 * the highest ordinal ≥ partition still on an old revision is deleted (recreated on the new one).
 */
export function planStatefulSet(s: StatefulSet, pods: Pod[], revision: string): StsPlan {
  const name = s.metadata!.name!;
  const replicas = s.spec?.replicas ?? 1;
  const start = s.spec?.ordinals?.start ?? 0;
  const parallel = s.spec?.podManagementPolicy === 'Parallel';
  const byOrd = new Map<number, Pod>();
  const strays: Pod[] = [];
  for (const p of pods) {
    const o = ordinalOf(name, p.metadata?.name ?? '');
    if (o === undefined) continue;
    if (o >= start && o < start + replicas) byOrd.set(o, p); else strays.push(p);
  }
  const create: number[] = [];
  const del: string[] = [];
  let blocked = false;
  for (let o = start; o < start + replicas; o++) {
    const p = byOrd.get(o);
    if (!p) {
      if (!blocked || parallel) create.push(o);
      blocked = true;
      continue;
    }
    if (p.metadata?.deletionTimestamp) { blocked = true; continue; }
    if (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') { del.push(p.metadata!.name!); blocked = true; continue; }
    if (!podReady(p)) blocked = true;
  }
  // scale down: highest ordinal first, one at a time unless Parallel (and only when nothing is starting)
  const condemned = strays.filter((p) => !p.metadata?.deletionTimestamp)
    .sort((a, b) => (ordinalOf(name, b.metadata!.name!) ?? 0) - (ordinalOf(name, a.metadata!.name!) ?? 0));
  const terminating = strays.some((p) => p.metadata?.deletionTimestamp);
  if (condemned.length) {
    if (parallel) del.push(...condemned.map((p) => p.metadata!.name!));
    else if (!terminating && !create.length) del.push(condemned[0]!.metadata!.name!);
  }
  // rolling update
  const us = s.spec?.updateStrategy;
  const live = [...byOrd.values()];
  if ((us?.type ?? 'RollingUpdate') === 'RollingUpdate' && !blocked && !condemned.length && !terminating && live.length === replicas) {
    const partition = us?.rollingUpdate?.partition ?? 0;
    const old = live.filter((p) => p.metadata?.labels?.[STS_REVISION_LABEL] !== revision && (ordinalOf(name, p.metadata!.name!) ?? 0) >= partition)
      .sort((a, b) => (ordinalOf(name, b.metadata!.name!) ?? 0) - (ordinalOf(name, a.metadata!.name!) ?? 0));
    if (old.length) del.push(old[0]!.metadata!.name!);
  }
  const existing = pods.filter((p) => !p.metadata?.deletionTimestamp && ordinalOf(name, p.metadata?.name ?? '') !== undefined);
  const ready = existing.filter(podReady).length;
  const updated = existing.filter((p) => p.metadata?.labels?.[STS_REVISION_LABEL] === revision).length;
  const revisions = existing.map((p) => p.metadata?.labels?.[STS_REVISION_LABEL]).filter((r): r is string => !!r);
  const currentRevision = updated === existing.length ? revision : revisions.find((r) => r !== revision) ?? revision;
  return {
    create, delete: [...new Set(del)],
    status: {
      replicas: existing.length, readyReplicas: ready, availableReplicas: ready,
      currentReplicas: existing.filter((p) => p.metadata?.labels?.[STS_REVISION_LABEL] === currentRevision).length,
      updatedReplicas: updated, currentRevision, updateRevision: revision,
      observedGeneration: s.metadata?.generation ?? 1, collisionCount: 0,
    },
  };
}
