/** CRI container log format: `<RFC3339Nano> <stream> <P|F> <content>` per line. */

export interface LogLine { time: string; stream: 'stdout' | 'stderr'; partial: boolean; content: string }

/** RFC3339Nano (UTC, 9 fractional digits) of a Date plus optional extra nanoseconds. */
export function rfc3339Nano(d: Date, extraNs = 0): string {
  const iso = d.toISOString(); // 2024-01-02T03:04:05.678Z
  const ms = iso.slice(20, 23);
  return `${iso.slice(0, 19)}.${ms}${String(extraNs).padStart(6, '0').slice(0, 6)}Z`;
}

export function formatLogLine(l: LogLine): string {
  return `${l.time} ${l.stream} ${l.partial ? 'P' : 'F'} ${l.content}\n`;
}

/** Parses one CRI log line (without the newline); undefined when malformed. */
export function parseLogLine(line: string): LogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) ?(.*)$/s.exec(line);
  if (!m) return undefined;
  return { time: m[1]!, stream: m[2] as 'stdout' | 'stderr', partial: m[3] === 'P', content: m[4]! };
}

export interface LogQuery { tailLines?: number; timestamps?: boolean; sinceTime?: string; limitBytes?: number }

/**
 * Turns CRI log file text into what `kubectl logs` prints: content lines (partial lines joined),
 * optionally prefixed with the timestamp, the last `tailLines` of them.
 */
export function renderLogs(text: string, q: LogQuery = {}): string {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const l = parseLogLine(raw);
    if (!l) continue;
    if (q.sinceTime && l.time < q.sinceTime) continue;
    if (l.partial) { pending += l.content; continue; }
    const content = pending + l.content;
    pending = '';
    out.push(q.timestamps ? `${l.time} ${content}\n` : `${content}\n`);
  }
  const sel = q.tailLines !== undefined && q.tailLines >= 0 ? out.slice(Math.max(0, out.length - q.tailLines)) : out;
  let s = sel.join('');
  if (q.limitBytes !== undefined && q.limitBytes >= 0) s = Buffer.from(s).subarray(0, q.limitBytes).toString();
  return s;
}
