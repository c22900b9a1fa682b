import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { R } from '../client/resources.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import { type K, keyOf } from './util.js';

export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

/**
 * The taints a node should carry for its spec (upstream's node lifecycle controller,
 * TaintNodesByCondition): `node.kubernetes.io/unschedulable:NoSchedule` while cordoned. Returns
 * undefined when the node's taints are already right.
 */
export function desiredTaints(node: Node, now: Date): Taint[] | undefined {
  const taints = node.spec?.taints ?? [];
  const has = taints.some((t) => t.key === UNSCHEDULABLE_TAINT && t.effect === 'NoSchedule');
  const want = !!node.spec?.unschedulable;
  if (has === want) return undefined;
  if (want) return [...taints, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule', timeAdded: now.toISOString().replace(/\.\d{3}Z$/, 'Z') }];
  return taints.filter((t) => !(t.key === UNSCHEDULABLE_TAINT && t.effect === 'NoSchedule'));
}

/** Keeps the unschedulable taint in step with `spec.unschedulable` (kubectl cordon / uncordon). */
export class NodeTaintController {
  private readonly queue: WorkQueue;
  private readonly nodes;

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'nodetaints', log, baseDelayMs: 200 });
    this.nodes = informers.get<K<Node>>(R.nodes);
    this.nodes.on({ onAdd: (n) => this.queue.add(keyOf(n)), onUpdate: (_o, n) => this.queue.add(keyOf(n)) });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(name: string): Promise<void> {
    const node = this.nodes.get(undefined, name);
    if (!node || node.metadata.deletionTimestamp) return;
    const taints = desiredTaints(node, new Date());
    if (!taints) return;
    try {
      await this.client.patch(R.nodes, name, [
        { op: 'test', path: '/metadata/resourceVersion', value: node.metadata.resourceVersion },
        { op: 'add', path: '/spec/taints', value: taints },
      ], 'json');
      this.log?.info({ node: name, unschedulable: !!node.spec?.unschedulable }, 'node taints updated');
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e) || (e as { httpStatus?: number }).httpStatus === 422) { this.queue.addAfter(name, 200); return; }
      throw e;
    }
  }
}
