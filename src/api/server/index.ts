/**
 * `podnet apiserver`: TLS (cluster CA, client certificates) on 127.0.0.1 and an optional unix
 * socket, storage on SQLite or etcd, Service IP/port allocation and namespace lifecycle. The
 * controllers are not started here: the command starts them on a client to this server.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { MemoryServiceAllocation, ServiceAllocators, StoreServiceAllocation, type ServiceAllocation } from '../../ipam/index.js';
import { createLogger } from '../../util/log.js';
import { PodnetError } from '../../util/errors.js';
import { lockSocket, prepareSocketPath } from '../../util/unixsocket.js';
import { kindByKind } from '../kinds/index.js';
import { ensurePki, renderKubeconfig, type Pki } from '../pki.js';
import { createStore, type Store } from '../storage/index.js';
import { advertiseEndpoints, checkAdvertise, servingSans } from './advertise.js';
import { Authorization } from '../authz/index.js';
import { createApiHandler } from './handler.js';
import { storageCheck } from './health.js';
import { KubeletEndpoints } from './kubeletendpoints.js';
import { ApiMetrics } from './metrics.js';
import { hooksFor } from './hooks.js';
import { startCustomResources, withCrdHooks } from '../crd/controller.js';
import { NamespacePurger, SYSTEM_NAMESPACES } from './namespaces.js';
import { Registry } from './registry.js';
import { ServiceAccounts } from '../serviceaccount/index.js';
import { ApiStatusError } from './status.js';

export interface ApiServerOptions {
  dataDir: string;
  /** host:port, default 127.0.0.1:6443; port 0 picks a free one. Only loopback addresses are allowed. */
  listen?: string;
  unixSocket?: string;
  /** sqlite (default) | sqlite:/path | etcd:http://… */
  storage?: string;
  serviceClusterIpRange?: string;
  serviceNodePortRange?: string;
  /** Automatic compaction period (ms; kube-apiserver's --etcd-compaction-interval), default 5 min, 0 = off. */
  compactIntervalMs?: number;
  /** Compaction keeps at least this many newest revisions (kine keeps 1000). */
  compactMinRetain?: number;
  /** The address the cluster reaches this server at: put into the serving certificate and `default/kubernetes`'s endpoints. */
  advertiseAddress?: string;
  /** The port advertised with it (default: the TCP listen port). */
  advertisePort?: number;
  /** Cluster DNS domain for the serving certificate's kubernetes.default.svc.<domain> (default cluster.local). */
  clusterDomain?: string;
  /** --service-account-signing-key-file: PEM private key (RSA → RS256, ECDSA P-256 → ES256) instead of the generated one. */
  serviceAccountSigningKeyFile?: string;
  /** --service-account-key-file (repeatable): further PEM public/private keys tokens may be verified with. */
  serviceAccountKeyFiles?: string[];
  /** Type of the key generated into the data dir when no signing key file is given (default rsa). */
  serviceAccountKeyType?: 'rsa' | 'ec';
  /**
   * Where ClusterIP/NodePort allocations live: 'store' = one claim key per address/port in the
   * store, created if absent, so API servers sharing an etcd never collide (default for etcd);
   * 'memory' = this process's bitmaps, rebuilt from the Services at start (default for sqlite,
   * whose file only one process can hold).
   */
  serviceAllocation?: 'memory' | 'store';
  /** Kubelet sockets must lie under this directory (see kubeletendpoints.ts). Default /run/podnet. */
  kubeletSocketRoot?: string;
  log?: Logger;
}

export interface ApiServer {
  url: string;
  port: number;
  socketPath?: string;
  pki: Pki;
  registry: Registry;
  metrics: ApiMetrics;
  /** Admin kubeconfig written into the data dir (server = the TCP URL); pki.admin holds its credentials. */
  kubeconfigPath: string;
  stop(): Promise<void>;
}

class ApiServerError extends PodnetError {}

export const DEFAULT_KUBELET_SOCKET_ROOT = '/run/podnet';

function splitListen(s: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(s);
  if (!m) throw new ApiServerError('EFLAG', `--listen must be host:port, not "${s}"`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    throw new ApiServerError('EFLAG', `--listen ${s}: podnet listens on loopback only in the root namespace (use 127.0.0.1 and --unix-socket for other namespaces)`);
  }
  return { host, port: Number(m[2]) };
}

async function bootstrap(reg: Registry, alloc: ServiceAllocation, log: Logger): Promise<void> {
  const nsKind = kindByKind('', 'Namespace')!;
  for (const name of SYSTEM_NAMESPACES) {
    if (await reg.tryGet(nsKind, undefined, name)) continue;
    try { await reg.create(nsKind, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }); } catch (e) {
      if (!(e instanceof ApiStatusError && e.httpCode === 409)) throw e;
    }
  }
  const svcKind = kindByKind('', 'Service')!;
  if (!(await reg.tryGet(svcKind, 'default', 'kubernetes'))) {
    try {
      await reg.create(svcKind, 'default', {
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { type: 'ClusterIP', clusterIP: alloc.kubernetesIP(), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' },
      });
    } catch (e) {
      // another API server on the same store may have created it (409), or claimed its address first (422)
      if (!(e instanceof ApiStatusError && (e.httpCode === 409 || e.httpCode === 422)) || !(await reg.tryGet(svcKind, 'default', 'kubernetes'))) throw e;
      log.info({ err: (e as Error).message }, 'kubernetes service created by another API server');
    }
  }
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const log = opts.log ?? createLogger('apiserver');
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const listen = splitListen(opts.listen ?? '127.0.0.1:6443');
  checkAdvertise(opts.advertiseAddress, opts.advertisePort);
  const pki = ensurePki(opts.dataDir, servingSans({ serviceClusterIpRange: opts.serviceClusterIpRange ?? '10.96.0.0/12', advertiseAddress: opts.advertiseAddress, clusterDomain: opts.clusterDomain }));
  const rawStore: Store = await createStore(opts.storage ?? 'sqlite', opts.dataDir, {
    ...(opts.compactIntervalMs !== undefined ? { compactIntervalMs: opts.compactIntervalMs } : {}),
    ...(opts.compactMinRetain !== undefined ? { compactMinRetain: opts.compactMinRetain } : {}),
  });
  const local = new ServiceAllocators(opts.serviceClusterIpRange ?? '10.96.0.0/12', opts.serviceNodePortRange ?? '30000-32767');
  const metrics = new ApiMetrics(rawStore);
  const store = metrics.instrument(rawStore);
  const allocMode = opts.serviceAllocation ?? ((opts.storage ?? 'sqlite').trim().startsWith('etcd') ? 'store' : 'memory');
  const alloc: ServiceAllocation = allocMode === 'store' ? new StoreServiceAllocation(local, store) : new MemoryServiceAllocation(local);
  const registry: Registry = new Registry(store, withCrdHooks(hooksFor(alloc), () => registry, log.child({ part: 'crd' })));
  const kubelets = new KubeletEndpoints(store, opts.kubeletSocketRoot ?? DEFAULT_KUBELET_SOCKET_ROOT, log.child({ part: 'kubelets' }));
  const servers: Server[] = [];
  const ac = new AbortController(); // stops the background work (the kubernetes endpoints reconciler)
  let authzStop = (): void => undefined;
  try {
    // Allocations held by stored Services (restart).
    const svcs = await registry.list(kindByKind('', 'Service')!, undefined);
    for (const p of await alloc.restore(svcs.items as unknown as Service[])) log.warn({ problem: p }, 'service allocation on restore');
    await startCustomResources(registry);
    await bootstrap(registry, alloc, log);
    const authz = new Authorization(registry, log.child({ part: 'authz' }));
    authzStop = () => authz.stop();
    await authz.start();
    const purger = new NamespacePurger(registry, log.child({ part: 'namespaces' }));
    const serviceAccounts = new ServiceAccounts(registry, log.child({ part: 'serviceaccounts' }), {
      keyDir: pki.dir, clusterDomain: opts.clusterDomain,
      keys: { signingKeyFile: opts.serviceAccountSigningKeyFile, keyFiles: opts.serviceAccountKeyFiles, generate: opts.serviceAccountKeyType },
    });
    const handler = createApiHandler({
      registry, log, authz, serviceAccounts, onNamespaceTerminating: (n) => purger.purge(n), kubelets, metrics,
      healthChecks: [storageCheck(() => store.currentRevision())],
    });
    const mk = (): Server => {
      const s = createServer({ key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false }, handler.handle);
      s.on('upgrade', handler.upgrade);
      s.keepAliveTimeout = 65_000;
      s.headersTimeout = 66_000;
      s.requestTimeout = 0;
      servers.push(s);
      return s;
    };
    const tcp = mk();
    await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(listen.port, listen.host, () => { tcp.off('error', reject); resolve(); }); });
    const port = (tcp.address() as AddressInfo).port;
    const url = `https://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`;
    advertiseEndpoints(registry, { advertiseAddress: opts.advertiseAddress, advertisePort: opts.advertisePort ?? port }, log.child({ part: 'endpoints' }), ac.signal);
    if (opts.unixSocket) {
      prepareSocketPath(opts.unixSocket);
      const us = mk();
      await new Promise<void>((resolve, reject) => { us.once('error', reject); us.listen(opts.unixSocket, () => { us.off('error', reject); resolve(); }); });
      lockSocket(opts.unixSocket);
    }
    const kubeconfigPath = join(opts.dataDir, 'admin.kubeconfig');
    writeFileSync(kubeconfigPath, renderKubeconfig({ server: url, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key, user: 'admin' }), { mode: 0o600 });
    await purger.resume();
    log.info({ url, socket: opts.unixSocket, storage: opts.storage ?? 'sqlite', serviceAllocation: alloc.mode }, 'apiserver ready');
    return {
      url, port, socketPath: opts.unixSocket, pki, registry, metrics, kubeconfigPath,
      async stop() {
        ac.abort();
        purger.stop();
        authzStop();
        for (const s of servers) { s.closeAllConnections(); s.close(); }
        await store.close();
        if (opts.unixSocket) rmSync(opts.unixSocket, { force: true });
      },
    };
  } catch (e) {
    ac.abort();
    authzStop();
    for (const s of servers) { s.closeAllConnections(); s.close(); }
    await rawStore.close().catch(() => undefined);
    throw e;
  }
}
