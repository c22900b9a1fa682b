/**
 * The web view's live state of a lab: Nodes, Pods, Services and EndpointSlices from shared informers
 * (list + watch), each node's kernel as `inspect node` reads it (links, bridges, tunnels with FDB,
 * BGP peers, proxy rule counts), each pod's attachment as `inspect pod` reads it (netns, veth peer),
 * and each agent's sync figures from its /metrics. A watch event, or the periodic kernel re-read
 * (the kernel has no watch), rebuilds the snapshot; listeners hear about it only when it changed.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createClient, InformerFactory, loadKubeconfig, R } from '../client/index.js';
import type { KObject } from '../meta/types.js';
import { httpGetInNetns } from '../net/nshttp.js';
import { inspectNodeCommand, type NodeInspection, type NodeObject } from '../observe/inspectnode.js';
import { inspectPod } from '../observe/inspectpod.js';
import { labNodeNetns, locateNode } from '../observe/locate.js';
import type { Logger } from '../util/log.js';
import { buildGraph, podKey, type EndpointInput, type Graph, type NodeInput, type NodeKernel, type PodAttachment, type PodInput, type ServiceInput } from './graph.js';
import { parsePrometheus, syncMetrics, type NodeSyncMetrics } from './metrics.js';

export interface NodeStatus {
  node: string;
  internalIP?: string;
  network?: string;
  proxyMode?: string;
  /** Chains and rules per family (nat KUBE-SVC-*, …) as `inspect node` counts them. */
  rules: { family: string; chains: number; rules: number }[];
  sync: NodeSyncMetrics;
  /** Why the kernel or metrics part is missing, if it is. */
  error?: string;
  readAt: string;
}

export interface Snapshot { version: number; lab?: string; graph: Graph; nodes: NodeStatus[] }

export interface LabStateOptions { kubeconfig: string; lab?: string; log: Logger; kernelEveryMs?: number }

type PodObj = Pod & KObject;
type SvcObj = Service & KObject;
type SliceObj = EndpointSlice & KObject;

export class LabState {
  private readonly client;
  private readonly factory;
  private readonly nodes;
  private readonly pods;
  private readonly services;
  private readonly slices;
  private readonly kernel = new Map<string, NodeInspection>();
  private readonly status = new Map<string, NodeStatus>();
  private readonly attachments = new Map<string, PodAttachment & { uid?: string }>();
  private readonly listeners = new Set<(s: Snapshot) => void>();
  private snap: Snapshot = { version: 0, graph: { nodes: [], edges: [] }, nodes: [] };
  private lastJson = '';
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(private readonly o: LabStateOptions) {
    this.client = createClient({ ...loadKubeconfig(o.kubeconfig), userAgent: 'podnet-ui' });
    this.factory = new InformerFactory(this.client, o.log);
    this.nodes = this.factory.get<NodeObject>(R.nodes);
    this.pods = this.factory.get<PodObj>(R.pods);
    this.services = this.factory.get<SvcObj>(R.services);
    this.slices = this.factory.get<SliceObj>(R.endpointslices);
  }

  /** Lists and watches until `signal` aborts; resolves after the first full snapshot. */
  async start(signal: AbortSignal): Promise<void> {
    const changed = { onAdd: () => this.schedule(150), onUpdate: () => this.schedule(150), onDelete: () => this.schedule(150) };
    for (const i of [this.nodes, this.pods, this.services, this.slices] as const) (i as { on(h: typeof changed): void }).on(changed);
    await this.factory.start(signal);
    await this.refresh();
    const every = setInterval(() => this.schedule(0), this.o.kernelEveryMs ?? 5000);
    signal.addEventListener('abort', () => { clearInterval(every); if (this.timer) clearTimeout(this.timer); this.client.close(); }, { once: true });
  }

  snapshot(): Snapshot { return this.snap; }
  subscribe(f: (s: Snapshot) => void): () => void { this.listeners.add(f); return () => this.listeners.delete(f); }
  nodeKernel(node: string): NodeInspection | undefined { return this.kernel.get(node); }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(); }, ms);
  }

  /** Re-reads the kernel views and rebuilds the snapshot (one at a time; a request during one runs once after it). */
  async refresh(): Promise<void> {
    if (this.refreshing) { this.again = true; return this.refreshing; }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try { await this.rebuild(); } catch (e) { this.o.log.warn({ err: e }, 'web view refresh failed'); }
      } while (this.again);
    })().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  private async rebuild(): Promise<void> {
    const nodes = this.nodes.list();
    const pods = this.pods.list();
    const lab = this.o.lab;
    await Promise.all(nodes.map(async (n) => {
      const name = n.metadata.name ?? '';
      const internalIP = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
      const st: NodeStatus = { node: name, ...(internalIP ? { internalIP } : {}), rules: [], sync: {}, readAt: new Date().toISOString() };
      if (!lab) { st.error = 'kernel state needs --lab (this view has the API only)'; this.status.set(name, st); return; }
      try {
        const k = await inspectNodeCommand(name, { kubeconfig: this.o.kubeconfig, lab });
        this.kernel.set(name, k);
        Object.assign(st, { network: k.network, proxyMode: k.proxy.mode, rules: k.proxy.families });
      } catch (e) { st.error = `inspect node: ${(e as Error).message}`; }
      if (internalIP) {
        try { st.sync = syncMetrics(parsePrometheus(await httpGetInNetns(labNodeNetns(lab, name), `http://${internalIP}:10249/metrics`))); } catch (e) { st.error = `${st.error ? `${st.error}; ` : ''}metrics: ${(e as Error).message.split('\n')[0]}`; }
      }
      this.status.set(name, st);
    }));
    for (const k of [...this.kernel.keys()]) if (!nodes.some((n) => n.metadata.name === k)) { this.kernel.delete(k); this.status.delete(k); }
    // pod attachments: read once per pod uid (a sandbox's veth does not change while it lives)
    if (lab) {
      await Promise.all(pods.map(async (p) => {
        const key = podKey(p.metadata.namespace ?? 'default', p.metadata.name ?? '');
        const have = this.attachments.get(key);
        if (!p.spec?.nodeName || p.status?.phase !== 'Running' || (have !== undefined && have.uid === p.metadata.uid)) return;
        try {
          const i = await inspectPod(p as Parameters<typeof inspectPod>[0], (node) => locateNode({ node, lab }));
          this.attachments.set(key, { uid: p.metadata.uid, netns: i.sandbox.netnsName, ...(i.peer ? { peer: i.peer.name, ...(i.peer.bridge ? { bridge: i.peer.bridge } : {}) } : {}) });
        } catch { /* not ready yet: the next refresh tries again */ }
      }));
    }
    for (const k of [...this.attachments.keys()]) if (!pods.some((p) => podKey(p.metadata.namespace ?? 'default', p.metadata.name ?? '') === k)) this.attachments.delete(k);
    const graph = buildGraph({
      nodes: nodes.map(toNodeInput), pods: pods.map(toPodInput), services: this.services.list().map(toServiceInput),
      endpoints: this.slices.list().flatMap(toEndpointInputs),
      kernel: new Map<string, NodeKernel>(this.kernel), attachments: this.attachments,
    });
    const nodeStatus = [...this.status.values()].sort((a, b) => a.node.localeCompare(b.node));
    const json = JSON.stringify({ graph, nodeStatus: nodeStatus.map((s) => ({ ...s, readAt: '' })) });
    if (json === this.lastJson) { this.snap = { ...this.snap, nodes: nodeStatus }; return; }
    this.lastJson = json;
    this.snap = { version: this.snap.version + 1, ...(lab ? { lab } : {}), graph, nodes: nodeStatus };
    for (const f of this.listeners) { try { f(this.snap); } catch (e) { this.o.log.warn({ err: e }, 'web view listener failed'); } }
  }
}

export function toNodeInput(n: NodeObject): NodeInput {
  const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  return { name: n.metadata.name ?? '', ...(ip ? { internalIP: ip } : {}), podCIDRs: n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : []) };
}
export function toPodInput(p: PodObj): PodInput {
  return {
    namespace: p.metadata.namespace ?? 'default', name: p.metadata.name ?? '',
    ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}), ...(p.status?.podIP ? { ip: p.status.podIP } : {}),
    ...(p.status?.phase ? { phase: p.status.phase } : {}), ...(p.spec?.hostNetwork ? { hostNetwork: true } : {}),
  };
}
export function toServiceInput(s: SvcObj): ServiceInput {
  return {
    namespace: s.metadata.namespace ?? 'default', name: s.metadata.name ?? '', type: s.spec?.type ?? 'ClusterIP',
    ...(s.spec?.clusterIP ? { clusterIP: s.spec.clusterIP } : {}),
    ports: (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`),
  };
}
export function toEndpointInputs(s: SliceObj): EndpointInput[] {
  const service = s.metadata.labels?.['kubernetes.io/service-name'];
  if (!service) return [];
  return (s.endpoints ?? []).flatMap((e) => e.addresses.map((ip) => ({
    namespace: s.metadata.namespace ?? 'default', service, ip, ready: e.conditions?.ready !== false,
    ...(e.nodeName ? { node: e.nodeName } : {}), ...(e.targetRef?.kind === 'Pod' && e.targetRef.name ? { pod: e.targetRef.name } : {}),
  })));
}
