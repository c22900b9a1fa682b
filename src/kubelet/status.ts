/** Pure pod-status computation from the kubelet's view of a pod's sandbox and containers. */
import type { PodSpecLite } from './types.js';

export type ContainerState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string }
  | { kind: 'terminated'; exitCode: number; reason: string; message?: string; startedAt?: string; finishedAt: string; signal?: number };

export interface ContainerView {
  name: string;
  image: string;
  containerID?: string;
  /** The image's id as the runtime reports it (`docker.io/…@sha256:…`); '' before it was resolved. */
  imageID?: string;
  restartCount: number;
  state: ContainerState;
  lastTerminated?: Extract<ContainerState, { kind: 'terminated' }>;
  ready: boolean;
  /** Terminated and will not run again under the pod's restartPolicy. */
  final?: boolean;
}

export interface PodView {
  sandboxReady: boolean;
  podIPs: string[];
  hostIP: string;
  startTime: string;
  containers: ContainerView[];
}

export interface K8sCondition { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string; lastProbeTime: null; lastTransitionTime: string }

/** Kubernetes' reason for an exit: Completed for 0, Error otherwise (OOMKilled is not detected). */
export function exitReason(code: number): string { return code === 0 ? 'Completed' : 'Error'; }

function stateToK8s(s: ContainerState): Record<string, unknown> {
  switch (s.kind) {
    case 'waiting': return { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } };
    case 'running': return { running: { startedAt: s.startedAt } };
    case 'terminated': return { terminated: { exitCode: s.exitCode, reason: s.reason, ...(s.message ? { message: s.message } : {}), ...(s.signal ? { signal: s.signal } : {}), startedAt: s.startedAt ?? s.finishedAt, finishedAt: s.finishedAt, ...({}) } };
  }
}

/** Pod phase, as the kubelet's getPhase: waiting → Pending; any running → Running; all stopped → by restartPolicy. */
export function podPhase(spec: PodSpecLite, v: PodView): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  let running = 0, waiting = 0, stopped = 0, succeeded = 0, failed = 0;
  for (const c of v.containers) {
    if (c.state.kind === 'running') running++;
    else if (c.state.kind === 'terminated') { stopped++; if (c.state.exitCode === 0) succeeded++; else failed++; }
    else if (c.lastTerminated) { stopped++; if (c.lastTerminated.exitCode === 0) succeeded++; else failed++; }
    else waiting++;
  }
  if (!v.sandboxReady && running === 0 && stopped === 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === v.containers.length && stopped > 0) {
    const policy = spec.restartPolicy ?? 'Always';
    if (policy === 'Always') return 'Running';
    if (policy === 'OnFailure') return failed > 0 ? 'Running' : 'Succeeded';
    return failed > 0 ? 'Failed' : 'Succeeded';
  }
  return 'Pending';
}

function cond(type: string, ok: boolean, now: string, old: K8sCondition[] | undefined, reason?: string, message?: string): K8sCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  return {
    type, status,
    ...(reason ? { reason } : {}), ...(message ? { message } : {}),
    lastProbeTime: null,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
  };
}

/** The full pod status object the kubelet writes through the status subresource. */
export function computePodStatus(spec: PodSpecLite, v: PodView, oldConditions: K8sCondition[] | undefined, now: string): Record<string, unknown> {
  const phase = podPhase(spec, v);
  const notReady = v.containers.filter((c) => !c.ready).map((c) => c.name);
  const allReady = notReady.length === 0 && v.containers.length > 0;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const readyReason = terminal ? 'PodCompleted' : allReady ? undefined : 'ContainersNotReady';
  const readyMsg = !terminal && !allReady ? `containers with unready status: [${notReady.join(' ')}]` : undefined;
  const conditions = [
    cond('PodReadyToStartContainers', v.sandboxReady, now, oldConditions),
    cond('Initialized', true, now, oldConditions),
    cond('Ready', allReady && !terminal, now, oldConditions, readyReason, readyMsg),
    cond('ContainersReady', allReady && !terminal, now, oldConditions, readyReason, readyMsg),
    cond('PodScheduled', true, now, oldConditions),
  ];
  const status: Record<string, unknown> = {
    phase,
    conditions,
    hostIP: v.hostIP,
    hostIPs: v.hostIP ? [{ ip: v.hostIP }] : [],
    startTime: v.startTime,
    qosClass: 'BestEffort',
    containerStatuses: v.containers.map((c) => ({
      name: c.name,
      state: stateToK8s(c.state),
      lastState: c.lastTerminated ? stateToK8s(c.lastTerminated) : {},
      ready: c.ready,
      restartCount: c.restartCount,
      image: c.image,
      imageID: c.imageID ?? '',
      started: c.state.kind === 'running',
      ...(c.containerID ? { containerID: c.containerID } : {}),
    })),
  };
  if (v.podIPs.length) { status.podIP = v.podIPs[0]; status.podIPs = v.podIPs.map((ip) => ({ ip })); }
  return status;
}

/** Exponential back-off before restarting a crashed container: base·2^n, capped. */
export function backoffMs(restartCount: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(restartCount, 30)));
}

/** Whether a container that exited with `exitCode` is restarted under the pod's restartPolicy. */
export function shouldRestart(policy: string | undefined, exitCode: number): boolean {
  const p = policy ?? 'Always';
  return p === 'Always' || (p === 'OnFailure' && exitCode !== 0);
}
