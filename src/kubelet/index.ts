/**
 * kubelet-lite: registers the Node, watches the pods bound to it (field selector
 * spec.nodeName=<node>), runs them through PodRuntime, writes their status, serves logs/exec on a
 * unix socket. Restart-safe: adopts sandboxes recorded in the state dir, removes those of pods gone.
 */
import { join, resolve } from 'node:path';
import { createClient, createInformer, loadKubeconfig, R, isNotFound, type ClientConfig, type KubeClient } from '../client/index.js';
import { CniRuntime } from '../cni/runtime/index.js';
import { createLogger, type Logger } from '../util/log.js';
import { registerNode, postNodeStatus, renewNodeLease } from './node.js';
import { PodRuntime, type PodEvent } from './runtime.js';
import type { PodNetwork } from './podnetwork.js';
import { EventRecorder } from '../controllers/events.js';
import { startKubeletServer } from './server.js';
import { apiVolumeSource } from './volumes/index.js';
import type { PodLite } from './types.js';
import type { KObject } from '../meta/types.js';
import { podServiceEnv, type ServiceLite } from './envvars.js';

export { PodRuntime } from './runtime.js';
export type { PodNetwork, PodNetAttachment } from './podnetwork.js';
export { startKubeletServer } from './server.js';

export interface KubeletOptions {
  nodeName: string;
  /** Path of a kubeconfig, or a ready client config, or a client. */
  kubeconfig?: string;
  clientConfig?: ClientConfig;
  client?: KubeClient;
  /** e.g. /run/podnet/<lab>/nodes/<node>/kubelet */
  stateDir: string;
  nodeIP: string;
  /** CNI: conf dir with the *.conflist; without it pods get loopback only. */
  cniConfDir?: string;
  cniBinDirs?: string[];
  cniCacheDir?: string;
  /** Extra environment for CNI plugin calls. */
  cniEnv?: Readonly<Record<string, string>>;
  /** Or any PodNetwork implementation (tests). */
  network?: PodNetwork;
  clusterDNS?: string[];
  clusterDomain?: string;
  /** The node's resolv.conf (dnsPolicy Default); default <stateDir>/resolv.conf. */
  resolvConf?: string;
  /** Kubelet API unix socket; default <stateDir>/kubelet.sock. */
  socketPath?: string;
  /** Node status interval (ms), default 10000. */
  statusIntervalMs?: number;
  /** Crash-loop back-off base (ms), default 10000. */
  backoffBaseMs?: number;
  log?: Logger;
}

export interface Kubelet {
  socketPath: string;
  runtime: PodRuntime;
  /** Resolves when everything has stopped (after the signal aborted). Pods keep running. */
  stopped: Promise<void>;
}

export async function startKubelet(opts: KubeletOptions, signal: AbortSignal): Promise<Kubelet> {
  const log = opts.log ?? createLogger('kubelet');
  const client = opts.client ?? createClient(opts.clientConfig ?? loadKubeconfig(opts.kubeconfig ?? ''));
  const network: PodNetwork | undefined = opts.network ?? (opts.cniConfDir
    ? new CniRuntime({ confDir: opts.cniConfDir, binDirs: opts.cniBinDirs ?? ['/opt/cni/bin'], cacheDir: opts.cniCacheDir ?? join(opts.stateDir, 'cni-cache'), env: opts.cniEnv })
    : undefined);
  // services for the link variables (KUBERNETES_SERVICE_HOST, MYSQL_DEMO_SERVICE_PORT, …)
  const services = createInformer<KObject & ServiceLite>(client, R.services, { log });
  const events = new EventRecorder(client, 'kubelet', log, opts.nodeName);
  const runtime = new PodRuntime({
    serviceEnv: (ns, links) => podServiceEnv(services.list(), ns, links),
    stateDir: opts.stateDir, nodeName: opts.nodeName, nodeIP: opts.nodeIP,
    clusterDNS: opts.clusterDNS ?? ['10.96.0.10'], clusterDomain: opts.clusterDomain ?? 'cluster.local',
    nodeResolvConf: opts.resolvConf, network, backoffBaseMs: opts.backoffBaseMs, log, volumeApi: apiVolumeSource(client),
    onEvent: (e) => { void postEvent(events, e); },
    onProgress: (uid) => { const p = runtime.spec(uid); if (p) void pushStatus(p); },
  });
  runtime.loadState();
  const socketPath = resolve(opts.socketPath ?? join(opts.stateDir, 'kubelet.sock'));
  const server = await startKubeletServer(socketPath, runtime, log, opts.nodeName);

  for (let attempt = 0; ; attempt++) {
    try { await registerNode(client, opts.nodeName); break; } catch (e) {
      if (signal.aborted) { await server.close(); throw e; }
      log.warn({ err: (e as Error).message, attempt }, 'node registration failed; retrying');
      await new Promise((r) => setTimeout(r, Math.min(5000, 500 * 2 ** attempt)));
    }
  }
  const heartbeat = async (): Promise<void> => {
    let notReady: string | undefined;
    if (network) {
      try { await network.status(); } catch (e) { notReady = `container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:${(e as Error).message}`; }
    }
    const n = await postNodeStatus(client, { nodeName: opts.nodeName, nodeIP: opts.nodeIP, notReadyReason: notReady, kubeletSocket: socketPath })
      .catch((e: unknown) => { log.warn({ err: (e as Error).message }, 'node status update failed'); return undefined; });
    // the Lease is optional: an API without kube-node-lease only costs a debug line
    await renewNodeLease(client, opts.nodeName, n?.metadata.uid).catch((e: unknown) => log.debug({ err: (e as Error).message }, 'node lease renewal failed'));
  };
  await heartbeat();

  // status writes of one pod go out in order (ContainerCreating before Running)
  const statusChains = new Map<string, Promise<void>>();
  const pushStatus = (pod: PodLite): Promise<void> => {
    const uid = pod.metadata.uid!;
    const prev = statusChains.get(uid) ?? Promise.resolve();
    const next = prev.then(() => writeStatus(pod));
    statusChains.set(uid, next);
    void next.then(() => { if (statusChains.get(uid) === next) statusChains.delete(uid); });
    return next;
  };
  const writeStatus = async (pod: PodLite): Promise<void> => {
    const uid = pod.metadata.uid!;
    if (runtime.cancelledUid(uid)) return;
    const st = runtime.statusIfChanged(uid);
    if (!st) return;
    try {
      // a merge patch keeps keys it does not mention: clear the IPs explicitly when the sandbox lost them
      const patch = { status: { ...st, ...(st.podIP === undefined ? { podIP: null, podIPs: null } : {}) } };
      await client.patch(R.pods(pod.metadata.namespace), pod.metadata.name!, patch, 'merge', 'status');
    } catch (e) {
      runtime.forgetStatus(uid);
      if (!isNotFound(e)) log.warn({ err: (e as Error).message, pod: pod.metadata.name }, 'pod status update failed');
    }
  };

  const deleting = new Set<string>();
  const handle = (pod: PodLite): void => {
    const uid = pod.metadata.uid!;
    if (pod.metadata.deletionTimestamp) {
      if (deleting.has(uid)) return;
      deleting.add(uid);
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      void runtime.kill(uid, grace)
        .then(() => client.delete(R.pods(pod.metadata.namespace), pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } }))
        .catch((e: unknown) => { if (!isNotFound(e)) log.warn({ err: (e as Error).message, pod: pod.metadata.name }, 'final pod delete failed'); })
        .finally(() => deleting.delete(uid));
      return;
    }
    if (pod.spec.nodeName !== opts.nodeName) return;
    void runtime.sync(pod).then(() => { wakeForProbe(uid); return pushStatus(pod); });
  };
  // A container not Ready yet is probed when its probe is due, not on the next 1 s tick.
  const probeTimers = new Map<string, NodeJS.Timeout>();
  const wakeForProbe = (uid: string): void => {
    clearTimeout(probeTimers.get(uid));
    probeTimers.delete(uid);
    const at = runtime.nextReadinessProbeAt(uid);
    if (at === undefined || signal.aborted) return;
    const t = setTimeout(() => {
      probeTimers.delete(uid);
      const p = runtime.spec(uid);
      const cur = p ? informer.get(p.metadata.namespace, p.metadata.name!) : undefined;
      if (cur && cur.metadata.uid === uid && !runtime.busy(uid)) handle(cur);
    }, Math.max(0, at - Date.now()) + 5);
    t.unref();
    probeTimers.set(uid, t);
  };

  const informer = createInformer<PodLite>(client, R.pods, { fieldSelector: `spec.nodeName=${opts.nodeName}`, log });
  informer.on({
    onAdd: handle,
    onUpdate: (_o, n) => handle(n),
    onDelete: (p) => { void runtime.kill(p.metadata.uid!, 0); },
  });
  // best effort: pods must not wait forever for services (an API without them still runs pods)
  await Promise.race([services.start(signal), new Promise((r) => setTimeout(r, 3000))]);
  await informer.start(signal);
  await informer.synced();
  await runtime.gc(new Set(informer.list().map((p) => p.metadata.uid!)));
  if (network?.gc) {
    // leftovers of sandboxes this kubelet no longer knows (e.g. state lost): CNI GC with the live ones
    const valid = runtime.attachments();
    await network.gc(valid).catch((e: unknown) => log.warn({ err: (e as Error).message }, 'CNI GC failed'));
  }

  const tick = setInterval(() => {
    for (const uid of runtime.uids()) {
      if (runtime.busy(uid)) continue; // a slow probe or start must not pile up syncs
      const p = runtime.spec(uid);
      const cur = p ? informer.get(p.metadata.namespace, p.metadata.name!) : undefined;
      if (cur && cur.metadata.uid === uid) handle(cur);
    }
  }, 1000);
  const hb = setInterval(() => { void heartbeat(); }, opts.statusIntervalMs ?? 10_000);

  const stopped = new Promise<void>((resolve) => {
    const stop = async (): Promise<void> => {
      clearInterval(tick); clearInterval(hb);
      for (const t of probeTimers.values()) clearTimeout(t);
      await server.close();
      (client as { close?: () => void }).close?.();
      resolve();
    };
    if (signal.aborted) void stop(); else signal.addEventListener('abort', () => void stop(), { once: true });
  });
  log.info({ node: opts.nodeName, socket: socketPath, network: !!network }, 'kubelet started');
  return { socketPath, runtime, stopped };
}

/**
 * Removes every pod sandbox recorded under a kubelet state dir — containers, CNI attachment (DEL
 * through the same network config), pause process, netns mount, pod state and logs — without an
 * API server. For `lab down` after the agent was killed, and for tests.
 */
export async function cleanupKubeletState(o: { stateDir: string; cniConfDir?: string; cniBinDirs?: string[]; cniCacheDir?: string; network?: PodNetwork; log?: Logger }): Promise<void> {
  const network: PodNetwork | undefined = o.network ?? (o.cniConfDir
    ? new CniRuntime({ confDir: o.cniConfDir, binDirs: o.cniBinDirs ?? ['/opt/cni/bin'], cacheDir: o.cniCacheDir ?? join(o.stateDir, 'cni-cache') })
    : undefined);
  const rt = new PodRuntime({ stateDir: o.stateDir, nodeName: 'cleanup', nodeIP: '', clusterDNS: [], clusterDomain: 'cluster.local', network, log: o.log ?? createLogger('kubelet') });
  await rt.gc(new Set());
}

/** Records a core/v1 Event about a pod, as the kubelet's event recorder does (source kubelet on this node). */
function postEvent(events: EventRecorder, e: PodEvent): Promise<void> {
  const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: e.namespace, name: e.name, uid: e.uid } };
  return events.record(pod, e.type, e.reason, e.message, e.container ? `spec.containers{${e.container}}` : undefined);
}
