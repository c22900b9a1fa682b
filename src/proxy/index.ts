import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KObject } from '../meta/types.js';
import { InformerFactory } from '../client/informerfactory.js';
import { R } from '../client/resources.js';
import type { KubeClient } from '../client/types.js';
import { createLogger } from '../util/log.js';
import { serveHttp } from './metrics.js';
import { ownNetnsPath } from '../net/whereami.js';
import { ProxyRunner, runnerKey } from './runner.js';
import type { ProxyOptions, SyncReport } from './types.js';

export type { ProxyOptions, ProxyMode, Proxier, ServiceMap, EndpointsMap, SyncReport } from './types.js';
export { ProxyRunner } from './runner.js';
export { createProxier, cleanupLeftovers } from './modes.js';
export { PROXY_MODES, isProxyMode, parseProxyMode, ProxyModeError } from './modenames.js';
export { buildServiceMap, buildEndpointsMap } from './tracker.js';

export interface ProxyHandle {
  runner: ProxyRunner;
  /** resolves after the first successful sync */
  ready: Promise<void>;
  healthzPort?: number;
  metricsPort?: number;
  lastReport(): SyncReport | undefined;
  stop(): Promise<void>;
}

/**
 * Feeds the runner from the Service and EndpointSlice informers of `informers`. Until both have
 * listed, objects only fill the runner's maps; then one sync runs (and `ready` resolves after it),
 * and from there every change schedules a (debounced) sync.
 */
function feed(runner: ProxyRunner, informers: InformerFactory, signal: AbortSignal): Promise<void> {
  const services = informers.get<Service & KObject>(R.services);
  const slices = informers.get<EndpointSlice & KObject>(R.endpointslices);
  let synced = false;
  services.on({
    onAdd: (o) => { if (synced) runner.upsertService(o); else runner.services.set(runnerKey(o), o); },
    onUpdate: (_old, o) => { if (synced) runner.upsertService(o); else runner.services.set(runnerKey(o), o); },
    onDelete: (o) => { if (synced) runner.deleteService(o); else runner.services.delete(runnerKey(o)); },
  });
  slices.on({
    onAdd: (o) => { if (synced) runner.upsertSlice(o); else runner.slices.set(runnerKey(o), o); },
    onUpdate: (_old, o) => { if (synced) runner.upsertSlice(o); else runner.slices.set(runnerKey(o), o); },
    onDelete: (o) => { if (synced) runner.deleteSlice(o); else runner.slices.delete(runnerKey(o)); },
  });
  void informers.start(signal);
  return Promise.all([services.synced(), slices.synced()]).then(async () => {
    synced = true;
    await runner.syncNow();
  });
}

/**
 * Starts kube-proxy for the node agent (or `podnet proxy`): informers → change tracker → Proxier.
 * `informers` is the process's shared factory on `client` (default: a new one).
 */
export async function startProxy(opts: ProxyOptions, client: KubeClient, signal: AbortSignal, informers = new InformerFactory(client, createLogger('proxy-watch'))): Promise<ProxyHandle> {
  const runner = await ProxyRunner.create(opts.proxyMode, {
    netns: opts.netns ?? ownNetnsPath(), clusterCidr: opts.clusterCidr, masqueradeAll: opts.masqueradeAll, nodePortAddresses: opts.nodePortAddresses, localhostNodePorts: opts.localhostNodePorts,
    nodeIPs: opts.nodeIPs, nodeName: opts.hostname ?? opts.nodeName, minSyncPeriodMs: opts.minSyncPeriodMs ?? 100, syncPeriodMs: opts.syncPeriodMs ?? 30_000,
    fullSyncEveryMs: 3_600_000, // as upstream: partial syncs, a full resync hourly or after a failure
  });
  const servers: { close(): void }[] = [];
  let healthzPort: number | undefined, metricsPort: number | undefined;
  const stale = 2 * (opts.syncPeriodMs ?? 30_000) + 5000;
  if (opts.healthzBindAddress) { const s = await serveHttp(opts.healthzBindAddress, opts.healthzBindAddress === opts.metricsBindAddress ? 'both' : 'healthz', runner.metrics, stale); servers.push(s.server); healthzPort = s.port; }
  if (opts.metricsBindAddress && opts.metricsBindAddress !== opts.healthzBindAddress) { const s = await serveHttp(opts.metricsBindAddress, 'metrics', runner.metrics, stale); servers.push(s.server); metricsPort = s.port; }
  else if (opts.metricsBindAddress) metricsPort = healthzPort;

  const ready = feed(runner, informers, signal);
  runner.startPeriodic();
  const stop = async (): Promise<void> => { for (const s of servers) s.close(); await runner.stop(); };
  signal.addEventListener('abort', () => void stop(), { once: true });
  return { runner, ready, healthzPort, metricsPort, lastReport: () => runner.lastReport, stop };
}
