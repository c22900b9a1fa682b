import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KObject } from '../meta/types.js';
import type { KubeClient, ResourceRef } from '../client/types.js';
import { createLogger } from '../util/log.js';
import { serveHttp } from './metrics.js';
import { resolveSelfNetns } from './selfns.js';
import { ProxyRunner } from './runner.js';
import type { ProxyOptions, SyncReport } from './types.js';

export type { ProxyOptions, ProxyMode, Proxier, ServiceMap, EndpointsMap, SyncReport } from './types.js';
export { ProxyRunner } from './runner.js';
export { createProxier, cleanupLeftovers } from './modes.js';
export { PROXY_MODES, isProxyMode, parseProxyMode, ProxyModeError } from './modenames.js';
export { buildServiceMap, buildEndpointsMap } from './tracker.js';
export { resolveSelfNetns } from './selfns.js';

export interface ProxyHandle {
  runner: ProxyRunner;
  /** resolves after the first successful sync */
  ready: Promise<void>;
  healthzPort?: number;
  metricsPort?: number;
  lastReport(): SyncReport | undefined;
  stop(): Promise<void>;
}

const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services' };
const SLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };

/** Minimal list+watch (re-lists on error/410) feeding the runner; used until src/client's informers land. */
async function listWatch<T extends KObject>(client: KubeClient, ref: ResourceRef, onSet: (o: T) => void, onDel: (o: T) => void, onList: (items: T[]) => void, signal: AbortSignal): Promise<void> {
  const log = createLogger('proxy-watch');
  while (!signal.aborted) {
    try {
      const list = await client.list<T>(ref);
      onList(list.items);
      for await (const ev of client.watch<T>(ref, { resourceVersion: list.resourceVersion, allowWatchBookmarks: true }, signal)) {
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') onSet(ev.object);
        else if (ev.type === 'DELETED') onDel(ev.object);
        else if (ev.type === 'ERROR') break;
      }
    } catch (e) {
      if (signal.aborted) return;
      log.warn({ err: (e as Error).message, resource: ref.resource }, 'watch failed; re-listing');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Starts kube-proxy for the node agent (or `podnet proxy`): informers → change tracker → Proxier. */
export async function startProxy(opts: ProxyOptions, client: KubeClient, signal: AbortSignal): Promise<ProxyHandle> {
  const runner = await ProxyRunner.create(opts.proxyMode, {
    netns: opts.netns ?? resolveSelfNetns(), clusterCidr: opts.clusterCidr, masqueradeAll: opts.masqueradeAll, nodePortAddresses: opts.nodePortAddresses,
    nodeIPs: opts.nodeIPs, nodeName: opts.hostname ?? opts.nodeName, minSyncPeriodMs: opts.minSyncPeriodMs ?? 100, syncPeriodMs: opts.syncPeriodMs ?? 30_000,
    fullSyncEveryMs: 3_600_000, // as upstream: partial syncs, a full resync hourly or after a failure
  });
  const servers: { close(): void }[] = [];
  let healthzPort: number | undefined, metricsPort: number | undefined;
  const stale = 2 * (opts.syncPeriodMs ?? 30_000) + 5000;
  if (opts.healthzBindAddress) { const s = await serveHttp(opts.healthzBindAddress, opts.healthzBindAddress === opts.metricsBindAddress ? 'both' : 'healthz', runner.metrics, stale); servers.push(s.server); healthzPort = s.port; }
  if (opts.metricsBindAddress && opts.metricsBindAddress !== opts.healthzBindAddress) { const s = await serveHttp(opts.metricsBindAddress, 'metrics', runner.metrics, stale); servers.push(s.server); metricsPort = s.port; }
  else if (opts.metricsBindAddress) metricsPort = healthzPort;

  let listed = 0;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => { resolveReady = r; });
  const afterList = (): void => { if (++listed === 2) void runner.syncNow().then(() => resolveReady()); };
  void listWatch<Service & KObject>(client, SERVICES, (o) => runner.upsertService(o), (o) => runner.deleteService(o), (items) => {
    runner.services.clear(); for (const s of items) runner.services.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    if (listed >= 2) runner.schedule(); else afterList();
  }, signal);
  void listWatch<EndpointSlice & KObject>(client, SLICES, (o) => runner.upsertSlice(o), (o) => runner.deleteSlice(o), (items) => {
    runner.slices.clear(); for (const s of items) runner.slices.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    if (listed >= 2) runner.schedule(); else afterList();
  }, signal);
  runner.startPeriodic();
  const stop = async (): Promise<void> => { for (const s of servers) s.close(); await runner.stop(); };
  signal.addEventListener('abort', () => void stop(), { once: true });
  return { runner, ready, healthzPort, metricsPort, lastReport: () => runner.lastReport, stop };
}
