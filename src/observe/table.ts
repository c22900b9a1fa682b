/** Human output like kubectl's and crictl's: aligned columns, key/value blocks, durations (pure). */
import { PodnetError } from '../util/errors.js';

/** Columns padded to the widest cell, separated by three spaces (kubectl's printer); no trailing blanks. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('   ').trimEnd()).join('\n') + '\n';
}

/** `Key:   value` lines with the values aligned (kubectl describe's shape); nested rows indent by two. */
export function renderFields(fields: readonly (readonly [string, string])[], indent = 0): string {
  const w = Math.max(0, ...fields.map(([k]) => k.length + 1));
  return fields.map(([k, v]) => `${' '.repeat(indent)}${`${k}:`.padEnd(w)}  ${v}`.trimEnd()).join('\n') + (fields.length ? '\n' : '');
}

/**
 * How long ago, in crictl's words (Docker's go-units HumanDuration + " ago"): "Less than a second
 * ago", "About a minute ago", "3 hours ago", "2 weeks ago".
 */
export function humanAgo(fromMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - fromMs) / 1000));
  const n = (v: number, unit: string): string => `${v} ${unit}${v === 1 ? '' : 's'}`;
  let d: string;
  if (s < 1) d = 'Less than a second';
  else if (s < 60) d = n(s, 'second');
  else if (Math.floor(s / 60) === 1) d = 'About a minute';
  else if (s < 3600) d = n(Math.floor(s / 60), 'minute');
  else if (Math.round(s / 3600) === 1) d = 'About an hour';
  else if (s < 48 * 3600) d = n(Math.round(s / 3600), 'hour');
  else if (s < 7 * 24 * 3600 * 2) d = n(Math.floor(s / (24 * 3600)), 'day');
  else if (s < 30 * 24 * 3600 * 2) d = n(Math.floor(s / (7 * 24 * 3600)), 'week');
  else if (s < 365 * 24 * 3600 * 2) d = n(Math.floor(s / (30 * 24 * 3600)), 'month');
  else d = n(Math.floor(s / (365 * 24 * 3600)), 'year');
  return `${d} ago`;
}

/** `-o json` or the human form. */
export type OutputFormat = 'json' | 'table';

/** The -o flag: json, or the human table (also "wide"/"table"). */
export function parseOutput(v: string | undefined): OutputFormat {
  if (v === undefined || v === '' || v === 'table' || v === 'wide') return 'table';
  if (v === 'json') return 'json';
  throw new OutputError(`-o must be json (or omitted for the table), not "${v}"`);
}

export class OutputError extends PodnetError {
  constructor(message: string) { super('EFLAG', message); }
}

/** Prints `value` as JSON (2-space, newline) or as its human form. */
export function emit(format: OutputFormat, value: unknown, human: () => string, out: NodeJS.WritableStream = process.stdout): void {
  out.write(format === 'json' ? JSON.stringify(value, null, 2) + '\n' : human());
}
