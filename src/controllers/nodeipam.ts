import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { R } from '../client/resources.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import { AllocatorError, CidrAllocator } from '../ipam/index.js';
import type { EventRecorder } from './events.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { WorkQueue } from './queue.js';
import { type K, nowISO } from './util.js';

type KNode = K<Node>;

export interface NodeIpamOptions { clusterCidr: string; nodeCidrMaskSize: number; log?: Logger; events: EventRecorder }

/**
 * Node IPAM (kube-controller-manager's range allocator): gives every Node a spec.podCIDR(s) from
 * the cluster CIDR; rebuilt from the Nodes' existing podCIDRs at start, released on Node delete.
 * When the range is exhausted: a `CIDRNotAvailable` Event and condition NetworkUnavailable=True.
 */
export class NodeIpamController {
  readonly allocator: CidrAllocator;
  private readonly queue: WorkQueue;
  private readonly nodes;
  /** node name → CIDR this controller allocated or observed for it. */
  private readonly owned = new Map<string, string>();

  constructor(private readonly client: KubeClient, informers: InformerFactory, private readonly opts: NodeIpamOptions) {
    this.allocator = new CidrAllocator(opts.clusterCidr, opts.nodeCidrMaskSize);
    this.queue = new WorkQueue({ name: 'nodeipam', log: opts.log });
    this.nodes = informers.get<KNode>(R.nodes);
    this.nodes.on({
      onAdd: (n) => { this.observe(n); this.queue.add(n.metadata.name!); },
      onUpdate: (_o, n) => { this.observe(n); this.queue.add(n.metadata.name!); },
      onDelete: (n) => {
        const name = n.metadata.name!;
        const cidr = this.owned.get(name);
        if (cidr) { this.allocator.release(cidr); this.owned.delete(name); }
        // A freed range may unblock nodes still waiting for one.
        for (const other of this.nodes.list()) if (!other.spec?.podCIDR) this.queue.add(other.metadata.name!);
      },
    });
  }

  /** Marks a node's existing podCIDR as used (at start and when someone else set it). */
  private observe(n: KNode): void {
    const name = n.metadata.name!;
    const cidr = n.spec?.podCIDRs?.[0] ?? n.spec?.podCIDR;
    if (!cidr || this.owned.get(name) === cidr) return;
    const prev = this.owned.get(name);
    if (prev) this.allocator.release(prev);
    try {
      this.allocator.allocate(cidr);
    } catch (e) {
      if (e instanceof AllocatorError && e.code === 'ETAKEN') {
        this.opts.log?.warn({ node: name, cidr }, 'podCIDR of node is also used by another node');
      } else {
        this.opts.log?.warn({ node: name, cidr, err: (e as Error).message }, 'podCIDR of node is outside the cluster CIDR');
        return;
      }
    }
    this.owned.set(name, cidr);
  }

  async run(signal: AbortSignal): Promise<void> { await this.queue.run((k) => this.sync(k), signal); }

  private async sync(name: string): Promise<void> {
    const node = this.nodes.get(undefined, name);
    if (!node || node.metadata.deletionTimestamp) return;
    if (node.spec?.podCIDR) {
      const cond = (node.status?.conditions ?? []).find((c) => c.type === 'NetworkUnavailable');
      if (cond?.status === 'True' && cond.reason === 'CIDRNotAvailable') {
        await this.setCondition(name, 'False', 'CIDRAssigned', `podCIDR ${node.spec.podCIDR} assigned`);
      }
      return;
    }
    let cidr: string;
    try {
      cidr = this.allocator.allocateNext();
    } catch (e) {
      if (!(e instanceof AllocatorError && e.code === 'EFULL')) throw e;
      const msg = `no podCIDR available for node ${name}: cluster CIDR ${this.opts.clusterCidr} has no free /${this.opts.nodeCidrMaskSize} left (${this.allocator.size()} in use)`;
      this.opts.log?.warn({ node: name }, msg);
      await this.opts.events.record(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      await this.setCondition(name, 'True', 'CIDRNotAvailable', msg);
      this.queue.addAfter(name, 30_000);
      return;
    }
    this.owned.set(name, cidr); // before the write: its watch event must find it ours
    try {
      await this.client.patch(R.nodes, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge');
      this.opts.log?.info({ node: name, podCIDR: cidr }, 'assigned podCIDR');
    } catch (e) {
      if (this.owned.get(name) === cidr) this.owned.delete(name);
      this.allocator.release(cidr);
      if (isNotFound(e)) return;
      throw e;
    }
  }

  private async setCondition(name: string, status: 'True' | 'False', reason: string, message: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      let node: KNode;
      try { node = await this.client.get<KNode>(R.nodes, name); } catch (e) { if (isNotFound(e)) return; throw e; }
      const conds: NodeCondition[] = [...(node.status?.conditions ?? [])];
      const i = conds.findIndex((c) => c.type === 'NetworkUnavailable');
      const now = nowISO();
      const prev = i >= 0 ? conds[i] : undefined;
      if (prev && prev.status === status && prev.reason === reason && prev.message === message) return;
      const c: NodeCondition = {
        type: 'NetworkUnavailable', status, reason, message, lastHeartbeatTime: now,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
      };
      if (i >= 0) conds[i] = c; else conds.push(c);
      const updated: KNode = { ...node, status: { ...(node.status ?? {}), conditions: conds } };
      try { await this.client.update(R.nodes, updated, 'status'); return; } catch (e) { if (!isConflict(e)) throw e; }
    }
  }
}
