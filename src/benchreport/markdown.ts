/** The report as a Markdown table, and the machine it ran on in one line. */
import { cpus, release, totalmem } from 'node:os';
import type { BenchOutcome, ReportRow } from './types.js';

export interface Machine { cpus: number; memoryGiB: number; kernel: string; node: string; cpuModel: string }

export function thisMachine(): Machine {
  const c = cpus();
  return { cpus: c.length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version, cpuModel: c[0]?.model.trim() ?? 'unknown' };
}

export function machineLine(m: Machine): string {
  return `${m.cpus} cores, ${m.memoryGiB} GiB, kernel ${m.kernel}, node ${m.node}`;
}

/** A figure with at most 3 significant decimals and thousands separators. */
export function figure(n: number): string {
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function cell(s: string): string { return s.replace(/\|/g, '\\|').replace(/\n/g, ' '); }

/** The ratio as a reader wants it: "0.52×", with "(better)" or "(worse)" from the metric's direction. */
export function ratioText(r: ReportRow): string {
  if (r.ratio === undefined) return '—';
  const better = r.better === 'lower' ? r.ratio <= 1 : r.ratio >= 1;
  return `${figure(r.ratio)}× ${better ? '(at or better than the reference)' : '(worse)'}`;
}

/** A wall time as the report prints it: "4 min 12 s", "38 s". */
export function wallTime(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export function markdownReport(rows: ReportRow[], outcomes: BenchOutcome[], machine: Machine, date: string, quick: boolean, durationMs?: number): string {
  const m = machineLine(machine);
  const lines = [
    `# podnet benchmarks, ${date}${quick ? ' (--quick)' : ''}`,
    '',
    `Every reference was measured in the same run on the same machine (${m}). Ratios are podnet ÷ reference.`,
    ...(durationMs === undefined ? [] : ['', `Total wall time: ${wallTime(durationMs)} (${outcomes.length} benchmark(s)${quick ? ', --quick' : ''}).`]),
    '',
    '| benchmark | metric | size | podnet | reference | ratio | machine |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const ref = r.reference === undefined ? '—' : `${figure(r.reference)} ${r.unit} (${r.referenceName ?? 'reference'})`;
    lines.push(`| ${cell(r.bench)} | ${cell(r.metric)} | ${cell(r.size)} | ${figure(r.podnet)} ${cell(r.unit)} | ${cell(ref)} | ${ratioText(r)} | ${cell(m)} |`);
  }
  const failed = outcomes.filter((o) => !o.ok);
  lines.push('', '| benchmark | ran for | outcome |', '|---|---|---|');
  for (const o of outcomes) lines.push(`| ${o.name} | ${figure(o.ms / 1000)} s | ${o.ok ? 'ok' : `failed: ${cell((o.error ?? '').slice(0, 200))}`} |`);
  if (failed.length) lines.push('', `${failed.length} benchmark(s) failed; their rows are missing above.`);
  return lines.join('\n') + '\n';
}
