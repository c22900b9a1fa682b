import { TraceError } from './types.js';

/**
 * Splits a line into words the way iptables-restore and nft read them: whitespace separates, double
 * quotes group (the quotes are dropped, `\"` inside stays a quote). `quoted` marks words that were quoted.
 */
export function words(line: string, lineNo?: number): { w: string[]; quoted: boolean[] } {
  const w: string[] = [], quoted: boolean[] = [];
  let i = 0;
  while (i < line.length) {
    if (/\s/.test(line[i]!)) { i++; continue; }
    if (line[i] === '"') {
      let s = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && line[i + 1] === '"') { s += '"'; i += 2; continue; }
        s += line[i++];
      }
      if (i >= line.length) throw new TraceError('unterminated quote', lineNo, line);
      i++;
      w.push(s); quoted.push(true);
      continue;
    }
    let s = '';
    while (i < line.length && !/\s/.test(line[i]!)) s += line[i++];
    w.push(s); quoted.push(false);
  }
  return { w, quoted };
}

/** Parses a number the tools accept (decimal or 0x hex). */
export function num(s: string | undefined, lineNo: number, line: string): number {
  if (s === undefined || !/^(0x[0-9a-fA-F]+|\d+)$/.test(s)) throw new TraceError(`expected a number, got ${s ?? 'end of line'}`, lineNo, line);
  return Number(s);
}
