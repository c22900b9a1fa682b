/**
 * Pure PodDisruptionBudget status (upstream's disruption controller): which pods a budget covers,
 * how many must stay healthy, and how many may be disrupted now.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matchesSelector, podReady } from './util.js';

export interface PdbSpecLite { minAvailable?: number | string; maxUnavailable?: number | string; selector?: LabelSelector }
export interface PdbStatus {
  observedGeneration: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions: { type: string; status: 'True' | 'False'; reason: string; message: string; observedGeneration: number; lastTransitionTime: string }[];
}

/** How long an eviction's entry in disruptedPods counts the pod as disrupted if it is not deleted (upstream: 2 min). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** `25%` of `total`, rounded up (upstream: GetScaledValueFromIntOrPercent with roundUp). */
export function scaled(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : 0;
}

/**
 * The budget's status over the pods of its namespace. `scale` is the replica count of the pods'
 * controllers (used, as upstream, when the budget is a percentage or maxUnavailable); when unknown
 * the number of covered pods stands in.
 */
export function computePdbStatus(spec: PdbSpecLite, generation: number, pods: Pod[], scale: number | undefined,
  prev: { disruptedPods?: Record<string, string>; conditions?: PdbStatus['conditions'] } | undefined, now: Date): PdbStatus {
  const covered = spec.selector ? pods.filter((p) => matchesSelector(spec.selector, p.metadata?.labels) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') : [];
  // disrupted pods stay counted as unhealthy until they are deleted or the entry times out
  const disrupted: Record<string, string> = {};
  for (const [name, at] of Object.entries(prev?.disruptedPods ?? {})) {
    const p = covered.find((x) => x.metadata?.name === name);
    if (!p || p.metadata?.deletionTimestamp) continue;
    if (now.getTime() - Date.parse(at) > DELETION_TIMEOUT_MS) continue;
    disrupted[name] = at;
  }
  const healthy = covered.filter((p) => !p.metadata?.deletionTimestamp && podReady(p) && !(p.metadata?.name! in disrupted)).length;
  let expected = covered.length;
  let desired = 0;
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    expected = scale ?? covered.length;
    desired = Math.max(0, expected - scaled(spec.maxUnavailable, expected));
  } else if (typeof spec.minAvailable === 'number') {
    desired = spec.minAvailable;
  } else if (typeof spec.minAvailable === 'string') {
    expected = scale ?? covered.length;
    desired = scaled(spec.minAvailable, expected);
  }
  const allowed = expected > 0 ? Math.max(0, healthy - desired) : 0;
  const ok = allowed > 0;
  const old = prev?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const status: 'True' | 'False' = ok ? 'True' : 'False';
  const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    observedGeneration: generation,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected,
    conditions: [{
      type: 'DisruptionAllowed', status, reason: ok ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: generation,
      lastTransitionTime: old && old.status === status ? old.lastTransitionTime : ts,
    }],
  };
}
