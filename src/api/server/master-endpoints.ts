/**
 * The `default/kubernetes` Service's endpoints, as kube-apiserver's endpoint reconciler keeps them:
 * an Endpoints object and an EndpointSlice named `kubernetes` holding the address this API server
 * advertises to the cluster (`--advertise-address`) and its secure port. The Service has no
 * selector, so no controller writes these; the API server re-asserts them on start and on a timer,
 * so a user's edit or deletion is repaired as upstream's reconciler repairs it.
 */
import type { Logger } from 'pino';
import type { KObject } from '../../meta/types.js';
import { familyOf } from '../../util/addr.js';
import { kindByKind } from '../kinds/index.js';
import type { Registry } from './registry.js';
import { ApiStatusError } from './status.js';

export interface MasterEndpoint { ip: string; port: number }

const NAME = 'kubernetes';
const NS = 'default';
const PORT_NAME = 'https';

/** The Endpoints object upstream's reconciler writes (one subset, one address, port "https"). */
function masterEndpoints(ep: MasterEndpoint): KObject {
  return {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: ep.ip }], ports: [{ name: PORT_NAME, port: ep.port, protocol: 'TCP' }] }],
  };
}

/** The EndpointSlice upstream's reconciler writes next to it. */
function masterEndpointSlice(ep: MasterEndpoint): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: NAME, namespace: NS, labels: { 'kubernetes.io/service-name': NAME } },
    addressType: familyOf(ep.ip) === 6 ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [ep.ip], conditions: { ready: true } }],
    ports: [{ name: PORT_NAME, port: ep.port, protocol: 'TCP' }],
  };
}

/** The fields the reconciler owns, for comparing what is stored with what should be. */
function owned(o: KObject): string {
  const { subsets, endpoints, ports, addressType } = o as Record<string, unknown>;
  return JSON.stringify({ subsets, endpoints, ports, addressType, labels: o.metadata.labels ?? {} });
}

async function assert(reg: Registry, want: KObject): Promise<boolean> {
  const group = want.apiVersion.includes('/') ? want.apiVersion.split('/')[0]! : '';
  const k = kindByKind(group, want.kind)!;
  const cur = await reg.tryGet(k, NS, NAME);
  if (!cur) {
    try { await reg.create(k, NS, want); return true; } catch (e) {
      if (e instanceof ApiStatusError && e.httpCode === 409) return false;
      throw e;
    }
  }
  if (owned(cur) === owned(want)) return false;
  await reg.update(k, NS, NAME, (c) => ({ ...c, ...want, metadata: { ...c.metadata, labels: { ...(c.metadata.labels ?? {}), ...(want.metadata.labels ?? {}) } } }), { retries: 3 });
  return true;
}

/** Writes both objects when they differ from `ep`; returns whether anything was written. */
async function reconcileMasterEndpoints(reg: Registry, ep: MasterEndpoint): Promise<boolean> {
  const a = await assert(reg, masterEndpoints(ep));
  const b = await assert(reg, masterEndpointSlice(ep));
  return a || b;
}

/** Reconciles now and every `intervalMs` (upstream: --endpoint-reconciler-type, every 10 s) until stopped. */
export function startMasterEndpointReconciler(reg: Registry, ep: MasterEndpoint, log: Logger, intervalMs = 10_000): { first: Promise<void>; stop(): void } {
  let stopped = false;
  const once = async (): Promise<void> => {
    try { if (await reconcileMasterEndpoints(reg, ep)) log.info({ ip: ep.ip, port: ep.port }, 'kubernetes service endpoints reconciled'); } catch (e) {
      if (!stopped) log.warn({ err: (e as Error).message }, 'kubernetes service endpoints');
    }
  };
  const first = once();
  const t = setInterval(() => { void once(); }, intervalMs);
  t.unref();
  return { first, stop() { stopped = true; clearInterval(t); } };
}
