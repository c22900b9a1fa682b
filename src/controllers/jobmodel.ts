/** Pure Job logic (NonIndexed): how many pods to start or stop, when the Job is complete or failed. */
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podReady } from './util.js';

export interface JobPlan { create: number; delete: string[]; status: JobStatus; finished?: 'Complete' | 'Failed'; retryInMs?: number }

/** Back-off before a replacement after `failed` failures: 10 s · 2^(n−1), at most 6 min (upstream's defaults). */
export function jobBackoffMs(failed: number): number { return failed <= 0 ? 0 : Math.min(360_000, 10_000 * 2 ** (failed - 1)); }

function cond(type: string, reason: string, message: string, now: string): JobCondition {
  return { type, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now };
}

/**
 * One sync: succeeded and failed pods are counted from the pods that remain (restartPolicy Never
 * keeps them); `completions` successes complete the Job (SuccessCriteriaMet then Complete, as
 * 1.31+), more than `backoffLimit` failures fail it (FailureTarget then Failed,
 * BackoffLimitExceeded); otherwise up to `parallelism` pods run, replacements after a back-off.
 */
export function planJob(job: Job, pods: Pod[], now: Date, lastFailureMs?: number): JobPlan {
  const ts = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const spec = job.spec ?? { template: {} };
  const prev = job.status ?? {};
  const done = (prev.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const active = pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
  const completions = spec.completions ?? undefined;
  const parallelism = spec.parallelism ?? 1;
  const status: JobStatus = {
    ...(prev.startTime ? { startTime: prev.startTime } : { startTime: ts }),
    active: active.length, ready: active.filter(podReady).length, terminating: pods.filter((p) => p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length,
    ...(succeeded ? { succeeded } : {}), ...(failed ? { failed } : {}),
    uncountedTerminatedPods: {},
    ...(prev.conditions?.length ? { conditions: prev.conditions } : {}),
    ...(prev.completionTime ? { completionTime: prev.completionTime } : {}),
  };
  if (!status.active) delete status.active;
  if (done) return { create: 0, delete: active.map((p) => p.metadata!.name!), status };
  if (spec.suspend) return { create: 0, delete: active.map((p) => p.metadata!.name!), status };
  if (failed > (spec.backoffLimit ?? 6)) {
    status.conditions = [...(status.conditions ?? []),
      cond('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', ts),
      cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', ts)];
    return { create: 0, delete: active.map((p) => p.metadata!.name!), status, finished: 'Failed' };
  }
  const target = completions ?? 1;
  if (succeeded >= target || (completions === undefined && succeeded > 0 && active.length === 0)) {
    status.conditions = [...(status.conditions ?? []),
      cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', ts),
      cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', ts)];
    status.completionTime = ts;
    return { create: 0, delete: active.map((p) => p.metadata!.name!), status, finished: 'Complete' };
  }
  const want = Math.min(parallelism, completions === undefined ? parallelism : target - succeeded);
  let create = Math.max(0, want - active.length);
  let retryInMs: number | undefined;
  if (create > 0 && failed > 0 && lastFailureMs !== undefined) {
    const wait = lastFailureMs + jobBackoffMs(failed) - now.getTime();
    if (wait > 0) { retryInMs = wait; create = 0; }
  }
  return { create, delete: [], status, ...(retryInMs !== undefined ? { retryInMs } : {}) };
}
