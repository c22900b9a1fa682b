import { PodnetError } from './errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** A duration flag that does not parse. */
export class DurationError extends PodnetError {
  constructor(readonly input: string, what: string) {
    super('EFLAG', `${what} must be a duration like 30s, 5m or 250ms, not "${input}"`);
  }
}

/**
 * "250ms", "30s", "5m", "2h" (a decimal number and one unit) or a bare number of seconds →
 * milliseconds. `what` names the flag in the error message.
 */
export function parseDuration(s: string, what = 'duration'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new DurationError(s, what);
  return Number(m[1]) * UNIT_MS[(m[2] ?? 's') as Unit];
}
