/**
 * Kubernetes' two time encodings: metav1.Time is RFC 3339 in whole seconds
 * (`2026-01-02T03:04:05Z`), metav1.MicroTime keeps microseconds (`2026-01-02T03:04:05.678000Z`).
 */

/** metav1.Time of `d` (default now): whole seconds, fraction dropped (not rounded), as Go's Time.Truncate. */
export function rfc3339(d: Date = new Date()): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** metav1.MicroTime of `d` (default now): six fractional digits. */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const FRACTION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d+(Z|[+-]\d{2}:\d{2})$/;

/** A timestamp string as metav1.Time writes it: the fractional seconds removed; other strings unchanged. */
export function toWholeSeconds(ts: string): string {
  const m = FRACTION.exec(ts);
  return m ? `${m[1]}${m[2]}` : ts;
}

/** Fields of upstream's built-in types that are metav1.Time (not MicroTime). */
export const TIME_FIELDS: ReadonlySet<string> = new Set([
  'creationTimestamp', 'deletionTimestamp', 'lastTransitionTime', 'lastProbeTime', 'lastHeartbeatTime', 'lastUpdateTime',
  'startTime', 'startedAt', 'finishedAt', 'firstTimestamp', 'lastTimestamp', 'timeAdded', 'completionTime', 'lastScheduleTime',
  'lastSuccessfulTime', 'expirationTimestamp',
]);

/**
 * Rewrites, in place, every metav1.Time field of an object to whole seconds, as upstream's
 * serialization does for whatever a client sent (MicroTime fields such as eventTime, renewTime,
 * acquireTime keep their fraction). Values of maps (labels, annotations, data) are left alone.
 */
export function normalizeTimes(v: unknown, depth = 0): void {
  if (depth > 40 || typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) { for (const x of v) normalizeTimes(x, depth + 1); return; }
  const o = v as Record<string, unknown>;
  for (const [k, x] of Object.entries(o)) {
    if (k === 'labels' || k === 'annotations' || k === 'data' || k === 'binaryData' || k === 'stringData') continue;
    if (typeof x === 'string') { if (TIME_FIELDS.has(k)) o[k] = toWholeSeconds(x); }
    else normalizeTimes(x, depth + 1);
  }
}
