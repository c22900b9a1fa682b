import { R } from '../client/resources.js';
import { ApiError, isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import type { EventRecorder } from './events.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import { countPods, failureMessage, schedule } from './schedmodel.js';
import type { KPod } from './servicepods.js';
import { type K, keyOf, podTerminal, splitKey } from './util.js';
import type { Node } from 'kubernetes-types/core/v1.js';

type KNode = K<Node>;
const DEFAULT_SCHEDULER = 'default-scheduler';

function pending(p: KPod): boolean {
  return !p.spec?.nodeName && (p.spec?.schedulerName ?? DEFAULT_SCHEDULER) === DEFAULT_SCHEDULER
    && !p.metadata.deletionTimestamp && !podTerminal(p);
}

/**
 * kube-scheduler-lite: binds pods without a nodeName (schedulerName default-scheduler) to a Ready,
 * schedulable node matching the nodeSelector and taints, spreading by fewest pods. Binds through
 * the pods/binding subresource; falls back to patching spec.nodeName if the server has no binding.
 */
export class Scheduler {
  private readonly queue: WorkQueue;
  private readonly pods;
  private readonly nodes;
  /** pod key → node it was bound to, until the informer shows the binding (keeps spreading exact). */
  private readonly assumed = new Map<string, { node: string; at: number }>();
  /** Set once the server answered that it does not serve pods/binding. */
  bindingUnsupported = false;

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly events: EventRecorder, private readonly log?: Logger) {
    this.queue = new WorkQueue({ name: 'scheduler', log, baseDelayMs: 200, maxDelayMs: 10_000 });
    this.pods = informers.get<KPod>(R.pods);
    this.nodes = informers.get<KNode>(R.nodes);
    this.pods.on({
      onAdd: (p) => { if (pending(p)) this.queue.add(keyOf(p)); },
      onUpdate: (_o, p) => { if (pending(p)) this.queue.add(keyOf(p)); else this.assumed.delete(keyOf(p)); },
      onDelete: (p) => this.assumed.delete(keyOf(p)),
    });
    const retryAll = (): void => { for (const p of this.pods.list()) if (pending(p)) this.queue.add(keyOf(p)); };
    this.nodes.on({ onAdd: retryAll, onUpdate: (o, n) => { if (o.metadata.resourceVersion !== n.metadata.resourceVersion) retryAll(); } });
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private load(): Map<string, number> {
    const m = countPods(this.pods.list());
    const now = Date.now();
    for (const [k, a] of this.assumed) {
      const { namespace, name } = splitKey(k);
      const p = this.pods.get(namespace, name);
      if (!p || p.spec?.nodeName || now - a.at > 30_000) { if (!p || now - a.at > 30_000) this.assumed.delete(k); continue; }
      m.set(a.node, (m.get(a.node) ?? 0) + 1);
    }
    return m;
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || !pending(pod) || this.assumed.has(key)) return;
    const r = schedule(pod, this.nodes.list(), this.load());
    if (!r.node) {
      const msg = failureMessage(r);
      this.log?.info({ pod: key }, msg);
      await this.events.record(pod, 'Warning', 'FailedScheduling', msg);
      await this.setUnschedulable(pod, msg);
      this.queue.retry(key);
      return;
    }
    this.assumed.set(key, { node: r.node, at: Date.now() });
    try {
      await this.bind(pod, r.node);
    } catch (e) {
      this.assumed.delete(key);
      if (isNotFound(e)) return;
      if (isConflict(e)) return; // already bound by someone else
      throw e;
    }
    this.queue.forget(key);
    this.log?.info({ pod: key, node: r.node }, 'scheduled');
    await this.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${r.node}`);
  }

  private async bind(pod: KPod, node: string): Promise<void> {
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    if (!this.bindingUnsupported) {
      try {
        await this.client.create(R.pods(ns), {
          apiVersion: 'v1', kind: 'Binding',
          metadata: { name, namespace: ns, uid: pod.metadata.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: node },
        }, { name, subresource: 'binding' });
        return;
      } catch (e) {
        const unsupported = e instanceof ApiError && (e.httpStatus === 405 || (e.httpStatus === 404 && !!this.pods.get(ns, name) && !/pods? "?[^ ]*"? not found/i.test(e.message)));
        if (!unsupported) throw e;
        this.bindingUnsupported = true;
        this.log?.warn({ err: e.message }, 'the API server does not serve pods/binding; binding by patching spec.nodeName');
      }
    }
    await this.client.patch(R.pods(ns), name, { spec: { nodeName: node } }, 'merge');
  }

  /** PodScheduled=False/Unschedulable, as upstream shows in `kubectl describe pod`. */
  private async setUnschedulable(pod: KPod, message: string): Promise<void> {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === 'PodScheduled');
    if (c?.status === 'False' && c.message === message) return;
    const conds = (pod.status?.conditions ?? []).filter((x) => x.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
    try {
      await this.client.patch(R.pods(pod.metadata.namespace!), pod.metadata.name!, { status: { conditions: conds } }, 'merge', 'status');
    } catch (e) {
      this.log?.debug({ err: (e as Error).message }, 'could not set PodScheduled condition');
    }
  }
}
