/**
 * flannel's kube subnet manager: the lease is the Node's spec.podCIDR (given by the controller
 * manager's node IPAM); the backend data travels in the Node's flannel annotations, and every
 * other Node with a podCIDR and those annotations is a remote lease.
 */
import type { Logger } from 'pino';
import { R, type InformerFactory, type KubeClient } from '../../client/index.js';
import type { KObject } from '../../meta/types.js';
import { parseNetConf, type FlannelNetConf } from '../config.js';
import { BatchQueue } from './queue.js';
import type { Lease, LeaseAttrs, LeaseEvent, SubnetManager } from './types.js';

const ANN_PREFIX = 'flannel.alpha.coreos.com';
export const ANN = {
  backendType: `${ANN_PREFIX}/backend-type`,
  backendData: `${ANN_PREFIX}/backend-data`,
  publicIP: `${ANN_PREFIX}/public-ip`,
  kubeSubnetManager: `${ANN_PREFIX}/kube-subnet-manager`,
} as const;

interface NodeLite extends KObject { spec?: { podCIDR?: string; podCIDRs?: string[] } }

/** A Node as a lease, when it has a podCIDR and flannel's annotations. */
export function nodeLease(n: NodeLite): Lease | undefined {
  const a = n.metadata.annotations ?? {};
  const subnet = n.spec?.podCIDR ?? n.spec?.podCIDRs?.[0];
  if (!subnet || !a[ANN.backendType] || !a[ANN.publicIP]) return undefined;
  let data: Record<string, unknown> | null = null;
  try { data = a[ANN.backendData] ? (JSON.parse(a[ANN.backendData]!) as Record<string, unknown>) : null; } catch { return undefined; }
  return { subnet, owner: n.metadata.name, attrs: { PublicIP: a[ANN.publicIP]!, BackendType: a[ANN.backendType]!, BackendData: data } };
}

const sameLease = (a: Lease | undefined, b: Lease | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

export class KubeSubnetManager implements SubnetManager {
  readonly name = 'kube';
  private readonly conf: FlannelNetConf;
  private readonly client: KubeClient;
  private readonly informer;
  private started = false;

  /** Watches Nodes through the process's shared informer factory (and writes through its client). */
  /** `writer`: the client this node writes its Node with (its own credential) when the factory is shared by several nodes. */
  constructor(informers: InformerFactory, private readonly nodeName: string, netConf: FlannelNetConf | string, private readonly log: Logger, writer?: KubeClient) {
    this.conf = typeof netConf === 'string' ? parseNetConf(netConf) : netConf;
    this.client = writer ?? informers.client;
    this.informer = informers.get<NodeLite>(R.nodes);
  }

  async networkConfig(): Promise<FlannelNetConf> { return this.conf; }

  private async start(signal: AbortSignal): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.informer.start(signal);
    await this.informer.synced();
  }

  /** Waits for our Node's podCIDR, then publishes our backend data on it. */
  async acquireLease(attrs: LeaseAttrs, signal: AbortSignal): Promise<Lease> {
    await this.start(signal);
    let waited = 0;
    for (;;) {
      if (signal.aborted) throw new Error('aborted while waiting for the node podCIDR');
      const n = this.informer.get(undefined, this.nodeName);
      const subnet = n?.spec?.podCIDR ?? n?.spec?.podCIDRs?.[0];
      if (subnet) {
        await this.client.patch(R.nodes, this.nodeName, {
          metadata: {
            annotations: {
              [ANN.backendType]: attrs.BackendType, [ANN.backendData]: JSON.stringify(attrs.BackendData),
              [ANN.publicIP]: attrs.PublicIP, [ANN.kubeSubnetManager]: 'true',
            },
          },
        }, 'merge');
        return { subnet, attrs, owner: this.nodeName };
      }
      if (waited % 20 === 0) this.log.info({ node: this.nodeName }, n ? 'waiting for the node podCIDR' : 'waiting for the Node object');
      waited++;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async *watchLeases(signal: AbortSignal): AsyncIterable<LeaseEvent[]> {
    await this.start(signal);
    const q = new BatchQueue<LeaseEvent>();
    const mine = (n: NodeLite): boolean => n.metadata.name === this.nodeName;
    this.informer.on({
      onAdd: (n) => { const l = nodeLease(n); if (l && !mine(n)) q.push({ type: 'added', lease: l }); },
      onUpdate: (o, n) => {
        if (mine(n)) return;
        const a = nodeLease(o), b = nodeLease(n);
        if (sameLease(a, b)) return;
        if (a && (!b || a.subnet !== b.subnet)) q.push({ type: 'removed', lease: a });
        if (b) q.push({ type: 'added', lease: b });
      },
      onDelete: (n) => { const l = nodeLease(n); if (l && !mine(n)) q.push({ type: 'removed', lease: l }); },
    });
    const initial = this.informer.list().filter((n) => !mine(n)).map(nodeLease).filter((l): l is Lease => !!l);
    yield initial.map((lease) => ({ type: 'added' as const, lease }));
    yield* q.drain(signal);
  }

  async close(): Promise<void> { /* the informer stops with the signal */ }
}
