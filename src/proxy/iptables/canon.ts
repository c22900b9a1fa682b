/**
 * Canonical forms of iptables rules, so a rule podnet generated and the same rule as `iptables-save` prints it
 * compare equal (save reorders matches, adds /32, prints 11 decimals of a probability and some defaults).
 */

/** Splits a rule line into words; double quotes group (and are dropped), \" inside them is a quote. */
export function ruleWords(line: string): string[] {
  const out: string[] = [];
  let cur = '', inQ = false, has = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQ) {
      if (ch === '\\' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') inQ = false; else cur += ch;
    } else if (ch === '"') { inQ = true; has = true; } else if (ch === ' ') { if (has || cur) out.push(cur); cur = ''; has = false; } else { cur += ch; has = true; }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Defaults iptables-save prints that podnet leaves out (option → its default value). */
const DEFAULTS = new Map([['--mask', '255.255.255.255'], ['--reject-with', 'icmp-port-unreachable']]);
const FLAGS_DEFAULT = new Set(['--rsource']);

/**
 * The canonical key of a rule (without `-A CHAIN`): its words with /32 dropped from addresses, probabilities to
 * ten decimals, save's defaults removed, then sorted. Two rules with the same key match the same packets the same way.
 */
export function canonRule(line: string): string {
  const w = ruleWords(line);
  const start = w[0] === '-A' || w[0] === '-I' || w[0] === '-D' ? 2 : 0;
  const out: string[] = [];
  for (let i = start; i < w.length; i++) {
    const x = w[i]!;
    if (FLAGS_DEFAULT.has(x)) continue;
    const def = DEFAULTS.get(x);
    if (def !== undefined && w[i + 1] === def) { i++; continue; }
    if ((x === '-d' || x === '-s' || x === '--destination' || x === '--source') && i + 1 < w.length) {
      out.push(x, w[i + 1]!.replace(/\/32$/, '')); i++; continue;
    }
    // MARK's shorthands, as iptables-save prints them (--set-xmark value/mask).
    if ((x === '--or-mark' || x === '--xor-mark' || x === '--set-mark') && i + 1 < w.length) {
      const v = w[i + 1]!;
      out.push('--set-xmark', x === '--or-mark' ? `${v}/${v}` : x === '--xor-mark' ? `${v}/0x0` : v.includes('/') ? v : `${v}/0xffffffff`); i++; continue;
    }
    if (x === '--probability' && i + 1 < w.length) { out.push(x, Number(w[i + 1]).toFixed(10)); i++; continue; }
    // `! -s X` keeps its negation attached to the option it negates.
    if (x === '!' && i + 1 < w.length) { const o = w[i + 1]!; const v = w[i + 2] ?? ''; out.push(`!${o} ${o === '-d' || o === '-s' ? v.replace(/\/32$/, '') : v}`); i += 2; continue; }
    out.push(x);
  }
  return out.sort().join('\u0001');
}

/** The chain a `-A CHAIN …` line appends to ('' when the line is no append). */
export function ruleChain(line: string): string {
  if (!line.startsWith('-A ')) return '';
  const e = line.indexOf(' ', 3);
  return e < 0 ? line.slice(3) : line.slice(3, e);
}

/** One table of an iptables-save dump: chain → its rules as saved (the `-A CHAIN …` lines), in order. */
export function parseSavedTable(dump: string, table: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur = '';
  for (const line of dump.split('\n')) {
    if (line.startsWith('*')) { cur = line.slice(1).trim(); continue; }
    if (cur !== table) continue;
    if (line.startsWith(':')) { const n = line.slice(1).split(' ')[0]!; if (!out.has(n)) out.set(n, []); }
    else if (line.startsWith('-A ')) { const c = ruleChain(line); let l = out.get(c); if (!l) out.set(c, (l = [])); l.push(line); }
  }
  return out;
}

/** Canonical key of a chain's whole content (its rules in order). */
export function canonChain(lines: readonly string[]): string { return lines.map(canonRule).join('\n'); }
