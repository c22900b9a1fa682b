/**
 * Probes: what a probe does (TCP connect, HTTP GET, exec) and the per-container bookkeeping of
 * readiness and liveness (initial delay, period, success/failure thresholds).
 */
import type { ContainerRec } from './podrecord.js';
import type { Sandbox } from './sandbox/index.js';
import type { ContainerLite, ProbeLite } from './types.js';

export type ProbeAction =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'http'; url: string; headers: Record<string, string> }
  | { kind: 'exec'; command: string[] }
  | { kind: 'none' };

/** What the probe does; host defaults to the pod's IP (127.0.0.1 without one), named ports resolve through the container's ports. */
export function probeAction(p: ProbeLite, c: ContainerLite, podIP: string | undefined): ProbeAction {
  const port = (v: number | string): number => {
    if (typeof v === 'number') return v;
    const named = c.ports?.find((x) => x.name === v);
    return named ? named.containerPort : Number(v);
  };
  const host = podIP ?? '127.0.0.1';
  if (p.tcpSocket) return { kind: 'tcp', host: p.tcpSocket.host || host, port: port(p.tcpSocket.port) };
  if (p.httpGet) {
    const h = p.httpGet.host || host;
    const url = `${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${h.includes(':') ? `[${h}]` : h}:${port(p.httpGet.port)}${p.httpGet.path ?? '/'}`;
    return { kind: 'http', url, headers: Object.fromEntries((p.httpGet.httpHeaders ?? []).map((x) => [x.name, x.value])) };
  }
  if (p.exec?.command?.length) return { kind: 'exec', command: p.exec.command };
  return { kind: 'none' };
}

/** Runs one probe through the sandbox; an exec probe needs the container's init. */
export async function runProbe(sb: Sandbox, a: ProbeAction, timeoutMs: number, where: { netnsPath: string; initPid?: number }): Promise<boolean> {
  switch (a.kind) {
    case 'tcp': return sb.probeTcp(where.netnsPath, a.host, a.port, timeoutMs);
    case 'http': return sb.probeHttp(where.netnsPath, a.url, a.headers, timeoutMs);
    case 'exec': return where.initPid ? sb.probeExec(where.initPid, a.command, timeoutMs) : false;
    case 'none': return false;
  }
}

function firstAt(cr: ContainerRec, p: ProbeLite): number {
  return Date.parse(cr.startedAt ?? new Date().toISOString()) + (p.initialDelaySeconds ?? 0) * 1000;
}

/**
 * One liveness period of a running container: probes when due; true once failureThreshold
 * probes in a row failed (the caller kills the container).
 */
export async function livenessDue(cr: ContainerRec, p: ProbeLite, now: number, probe: () => Promise<boolean>): Promise<boolean> {
  if (!cr.liveness) cr.liveness = { failures: 0, nextAt: firstAt(cr, p) };
  if (now < cr.liveness.nextAt) return false;
  cr.liveness.nextAt = now + (p.periodSeconds ?? 10) * 1000;
  const ok = await probe().catch(() => false);
  if (ok) { cr.liveness.failures = 0; return false; }
  return ++cr.liveness.failures >= (p.failureThreshold ?? 3);
}

/**
 * One readiness period of a running container: probes when due and sets cr.ready by the
 * thresholds. True when a ready container just turned unready.
 */
export async function readinessStep(cr: ContainerRec, p: ProbeLite, now: number, probe: () => Promise<boolean>): Promise<boolean> {
  if (!cr.probe) cr.probe = { successes: 0, failures: 0, nextAt: firstAt(cr, p) };
  if (now < cr.probe.nextAt) return false;
  cr.probe.nextAt = now + (p.periodSeconds ?? 10) * 1000;
  const ok = await probe().catch(() => false);
  if (ok) {
    cr.probe.successes++; cr.probe.failures = 0;
    if (cr.probe.successes >= (p.successThreshold ?? 1)) cr.ready = true;
    return false;
  }
  cr.probe.failures++; cr.probe.successes = 0;
  if (cr.probe.failures < (p.failureThreshold ?? 3)) return false;
  const was = cr.ready;
  cr.ready = false;
  return was;
}
