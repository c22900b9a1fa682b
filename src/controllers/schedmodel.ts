/** Pure scheduling: filter nodes a pod fits on, then pick the one running the fewest pods. */
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { nodeReady, podTerminal } from './util.js';

export interface ScheduleResult { node?: string; reasons: Record<string, number>; feasible: number; total: number }

function tolerates(tols: readonly Toleration[] | undefined, t: Taint): boolean {
  return (tols ?? []).some((tol) => {
    if (tol.effect && tol.effect !== t.effect) return false;
    if (tol.operator === 'Exists') return !tol.key || tol.key === t.key;
    return tol.key === t.key && (tol.value ?? '') === (t.value ?? '');
  });
}

/** Why `pod` can't go on `node` (upstream's reason wording), or undefined when it fits. */
function unfit(pod: Pod, node: Node): string | undefined {
  if (!nodeReady(node)) return "node(s) were not ready";
  if (node.spec?.unschedulable && !tolerates(pod.spec?.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return 'node(s) were unschedulable';
  const sel = pod.spec?.nodeSelector ?? {};
  for (const [k, v] of Object.entries(sel)) if (node.metadata?.labels?.[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
  for (const t of node.spec?.taints ?? []) {
    if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.spec?.tolerations, t)) return "node(s) had untolerated taint";
  }
  return undefined;
}

/** Picks a node for `pod`: feasible nodes, fewest non-terminal pods (then name) wins. */
export function schedule(pod: Pod, nodes: Node[], podsPerNode: Map<string, number>): ScheduleResult {
  const reasons: Record<string, number> = {};
  let best: { name: string; n: number } | undefined;
  let feasible = 0;
  for (const node of nodes) {
    const why = unfit(pod, node);
    if (why) { reasons[why] = (reasons[why] ?? 0) + 1; continue; }
    feasible++;
    const name = node.metadata!.name!;
    const n = podsPerNode.get(name) ?? 0;
    if (!best || n < best.n || (n === best.n && name < best.name)) best = { name, n };
  }
  return { node: best?.name, reasons, feasible, total: nodes.length };
}

/** "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) were not ready." */
export function failureMessage(r: ScheduleResult): string {
  const parts = Object.entries(r.reasons).sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([why, n]) => `${n} ${why}`);
  if (r.total === 0) return 'no nodes available to schedule pods';
  return `0/${r.total} nodes are available: ${parts.join(', ')}.`;
}

export function countPods(pods: Pod[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n && !podTerminal(p)) m.set(n, (m.get(n) ?? 0) + 1);
  }
  return m;
}
