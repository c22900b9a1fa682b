/** Pure ReplicaSet/Deployment logic: scale-down choice, pod template hash, rolling-update arithmetic. */
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { fnv32a, podReady, safeEncode, stableJSON } from './util.js';

function rankPhase(p: Pod): number {
  if (!p.spec?.nodeName) return 0;                       // unscheduled first
  if (p.status?.phase === 'Pending') return 1;          // then pending
  if (p.status?.phase === 'Unknown') return 2;
  return 3;                                             // running
}

/**
 * Which `n` pods to delete when scaling down, upstream's order: unassigned < assigned; Pending <
 * Unknown < Running; not ready < ready; then the most recently created first.
 */
export function podsToDelete<T extends Pod>(pods: T[], n: number): T[] {
  if (n <= 0) return [];
  const ranked = [...pods].sort((a, b) => {
    const pa = rankPhase(a), pb = rankPhase(b);
    if (pa !== pb) return pa - pb;
    const ra = podReady(a) ? 1 : 0, rb = podReady(b) ? 1 : 0;
    if (ra !== rb) return ra - rb;
    const ta = a.metadata?.creationTimestamp ?? '', tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta > tb ? -1 : 1;              // newer first
    return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? 1 : -1;
  });
  return ranked.slice(0, n);
}

export const POD_TEMPLATE_HASH = 'pod-template-hash';

/**
 * A short, stable, word-free hash of a pod template (+ collisionCount), used in ReplicaSet names
 * and the pod-template-hash label. The template's own pod-template-hash label is ignored.
 */
export function templateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const t = JSON.parse(JSON.stringify(template ?? {})) as { metadata?: { labels?: Record<string, string> } };
  if (t.metadata?.labels) delete t.metadata.labels[POD_TEMPLATE_HASH];
  let s = stableJSON(t);
  if (collisionCount) s += `#${collisionCount}`;
  return safeEncode(String(fnv32a(s)));
}

/** int-or-percent of `total`; percent rounded up for surge, down for unavailable (upstream). */
export function intOrPercent(v: number | string | undefined, total: number, def: string, roundUp: boolean): number {
  const x = v ?? def;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return Number(x) || 0;
  const f = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, replicas: number): { surge: number; unavailable: number } {
  const surge = intOrPercent(maxSurge, replicas, '25%', true);
  let unavailable = intOrPercent(maxUnavailable, replicas, '25%', false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export interface RSState { name: string; replicas: number; available: number; created: string }

/**
 * One rolling-update step. Returns new replica counts: the new RS grows up to replicas+surge total;
 * old RSes shrink while at least replicas-unavailable pods stay available.
 */
export function rollingStep(desired: number, surge: number, unavailable: number, newRS: RSState, old: RSState[]): { newReplicas: number; old: Map<string, number> } {
  const total = newRS.replicas + old.reduce((a, r) => a + r.replicas, 0);
  let newReplicas = newRS.replicas;
  if (newRS.replicas < desired) {
    const room = desired + surge - total;
    if (room > 0) newReplicas = Math.min(desired, newRS.replicas + room);
  } else if (newRS.replicas > desired) {
    newReplicas = desired;
  }
  const out = new Map<string, number>();
  for (const r of old) out.set(r.name, r.replicas);
  const oldTotal = old.reduce((a, r) => a + r.replicas, 0);
  if (oldTotal === 0) return { newReplicas, old: out };
  const minAvailable = desired - unavailable;
  const sorted = [...old].sort((a, b) => (a.created < b.created ? -1 : 1));
  // 1. old pods that aren't available can go without reducing availability
  const allPods = newRS.replicas + oldTotal;
  const newUnavailable = Math.max(0, newRS.replicas - newRS.available);
  let maxCleanup = allPods - minAvailable - newUnavailable;
  for (const r of sorted) {
    if (maxCleanup <= 0) break;
    const unhealthy = Math.max(0, r.replicas - r.available);
    const d = Math.min(unhealthy, maxCleanup);
    if (d > 0) { out.set(r.name, r.replicas - d); maxCleanup -= d; }
  }
  // 2. then available old pods, as far as availability allows
  const available = newRS.available + old.reduce((a, r) => a + Math.min(r.available, out.get(r.name)!), 0);
  let scaleDown = available - minAvailable;
  for (const r of sorted) {
    if (scaleDown <= 0) break;
    const cur = out.get(r.name)!;
    const d = Math.min(cur, scaleDown);
    if (d > 0) { out.set(r.name, cur - d); scaleDown -= d; }
  }
  return { newReplicas, old: out };
}
