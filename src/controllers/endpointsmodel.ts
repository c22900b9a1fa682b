/**
 * Pure endpoint computation shared by the Endpoints and EndpointSlice controllers: which pods
 * back a Service, on which ports (named targetPorts resolved per pod), ready or not.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort as SlicePort } from 'kubernetes-types/discovery/v1.js';
import { matchesMap, podReady, podTerminal, stableJSON } from './util.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
const MAX_ENDPOINTS_PER_SLICE = 100;

/** The pods that back `svc` (same namespace, selector matches, has an IP, not finished). */
function selectPods(svc: Service, pods: Pod[]): Pod[] {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return [];
  return pods.filter((p) => p.metadata?.namespace === svc.metadata?.namespace && matchesMap(sel, p.metadata?.labels)
    && !!p.status?.podIP && !podTerminal(p));
}

/** The container port a Service port targets on this pod; undefined when a named port isn't found. */
function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  const proto = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === tp && (cp.protocol ?? 'TCP') === proto) return cp.containerPort;
  }
  return undefined;
}

function podPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = resolveTargetPort(sp, pod);
    if (port === undefined) continue;
    out.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

function isHeadless(svc: Service): boolean { return svc.spec?.clusterIP === 'None'; }
function tolerateNotReady(svc: Service): boolean { return !!svc.spec?.publishNotReadyAddresses; }

function address(svc: Service, pod: Pod): EndpointAddress {
  const a: EndpointAddress = {
    ip: pod.status!.podIP!,
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, uid: pod.metadata!.uid! },
  };
  if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name) return { ...a, hostname: pod.spec.hostname };
  return a;
}

const byIP = (a: { ip: string }, b: { ip: string }): number => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);

/** core/v1 Endpoints subsets: pods grouped by their resolved port set; not-ready pods listed apart. */
export function computeSubsets(svc: Service, allPods: Pod[]): EndpointSubset[] {
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of selectPods(svc, allPods)) {
    const terminating = !!pod.metadata?.deletionTimestamp;
    if (terminating && !tolerateNotReady(svc)) continue;
    let ports = podPorts(svc, pod);
    if (ports.length === 0) {
      // A headless Service without ports still lists its addresses; otherwise the pod serves nothing.
      if (!(isHeadless(svc) && (svc.spec?.ports ?? []).length === 0)) continue;
      ports = [];
    }
    ports.sort((a, b) => stableJSON(a).localeCompare(stableJSON(b)));
    const k = stableJSON(ports);
    let g = groups.get(k);
    if (!g) { g = { ports, ready: [], notReady: [] }; groups.set(k, g); }
    (podReady(pod) || tolerateNotReady(svc) ? g.ready : g.notReady).push(address(svc, pod));
  }
  const subsets: EndpointSubset[] = [];
  for (const k of [...groups.keys()].sort()) {
    const g = groups.get(k)!;
    const s: EndpointSubset = {
      ...(g.ready.length ? { addresses: g.ready.sort(byIP) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIP) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    };
    subsets.push(s);
  }
  return subsets;
}

export interface DesiredSlice { ports: SlicePort[]; endpoints: Endpoint[] }

/** EndpointSlice contents (IPv4): one group per resolved port set, chunks of ≤100 endpoints. */
export function computeSlices(svc: Service, allPods: Pod[]): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  for (const pod of selectPods(svc, allPods)) {
    if (!pod.status?.podIP?.includes('.')) continue; // addressType IPv4
    const ports = podPorts(svc, pod).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    if (ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue;
    ports.sort((a, b) => stableJSON(a).localeCompare(stableJSON(b)));
    const k = stableJSON(ports);
    let g = groups.get(k);
    if (!g) { g = { ports, endpoints: [] }; groups.set(k, g); }
    const terminating = !!pod.metadata?.deletionTimestamp;
    const serving = podReady(pod);
    const ep: Endpoint = {
      addresses: [pod.status.podIP],
      conditions: { ready: (serving && !terminating) || tolerateNotReady(svc), serving, terminating },
      ...(pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name ? { hostname: pod.spec.hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, uid: pod.metadata!.uid! },
    };
    g.endpoints.push(ep);
  }
  const out: DesiredSlice[] = [];
  for (const k of [...groups.keys()].sort()) {
    const g = groups.get(k)!;
    g.endpoints.sort((a, b) => (a.addresses[0]! < b.addresses[0]! ? -1 : 1));
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
  }
  return out;
}

/** Labels of the Endpoints object / EndpointSlices: the Service's own, plus the headless marker. */
export function endpointLabels(svc: Service): Record<string, string> {
  const l: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (isHeadless(svc)) l[HEADLESS_LABEL] = '';
  else delete l[HEADLESS_LABEL];
  return l;
}
