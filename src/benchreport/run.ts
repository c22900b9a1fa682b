/**
 * Runs the benchmarks one after another (each measures against its reference in the same run, so
 * they must not overlap), shows a progress bar, and writes the report: <out>/<date>.json, the
 * Markdown table <out>/<date>.md and SVG charts under <out>/charts/.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { renderSvg } from './charts.js';
import { markdownReport, thisMachine } from './markdown.js';
import { chartsOf, selectBenches } from './registry.js';
import type { BenchOutcome, BenchSpec, ReportRow } from './types.js';

export interface BenchRunOptions {
  /** The repository root (dist/bench and bench/results live under it). */
  repo: string;
  quick: boolean;
  only?: string[];
  /** Where the report goes (default <repo>/bench/results). */
  out?: string;
  /** A progress bar on stderr (off when stderr is not a terminal). */
  progress: boolean;
  /** Run nothing: build the report from the result files already under bench/results. */
  fromResults?: boolean;
  /** Called with each line a benchmark prints on stderr (when there is no bar). */
  onLine?: (bench: string, line: string) => void;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  machine: ReturnType<typeof thisMachine>;
  /** Wall time of the whole run, from the first benchmark's start to the report. */
  durationMs: number;
  outcomes: BenchOutcome[];
  rows: ReportRow[];
  files: { json: string; markdown: string; charts: string[] };
}

function runOne(spec: BenchSpec, repo: string, quick: boolean, log: string, onLine: (line: string) => void): Promise<{ ok: boolean; error?: string }> {
  const script = join(repo, 'dist', 'bench', spec.script);
  if (!existsSync(script)) return Promise.resolve({ ok: false, error: `${script} is missing: build first (bash scripts/build.sh)` });
  return new Promise((resolve) => {
    const out = createWriteStream(log);
    const p = spawn(process.execPath, [script, ...(quick ? spec.quickArgs : spec.args)], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    // both go to the log; only stderr (where the benchmarks say what they are doing) reaches the bar,
    // stdout is the result JSON they also write to their file
    const take = (b: Buffer, progress: boolean): void => {
      out.write(b);
      tail = (tail + b.toString('utf8')).slice(-4000);
      if (progress) for (const l of b.toString('utf8').split('\n')) if (l.trim()) onLine(l.trim());
    };
    p.stdout.on('data', (b: Buffer) => take(b, false));
    p.stderr.on('data', (b: Buffer) => take(b, true));
    p.on('error', (e) => { out.end(); resolve({ ok: false, error: e.message }); });
    p.on('close', (code, signal) => {
      out.end();
      resolve(code === 0 ? { ok: true } : { ok: false, error: `exited ${code ?? signal}: ${tail.trim().split('\n').slice(-3).join(' / ')}` });
    });
  });
}

/** Runs the selected benchmarks and writes the report; the per-bench result files of a --quick run (or one with another out dir) are put back as they were. */
export async function runBenchmarks(o: BenchRunOptions): Promise<BenchReport> {
  const specs = selectBenches(o.only, o.quick);
  const resultsDir = join(o.repo, 'bench', 'results');
  const outDir = o.out ?? resultsDir;
  const keepPerBench = !o.fromResults && (o.quick || outDir !== resultsDir);
  mkdirSync(join(outDir, 'charts'), { recursive: true });
  if (!o.fromResults) mkdirSync(join(outDir, 'logs'), { recursive: true });
  const date = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  const started = Date.now();
  const bar = o.progress ? new cliProgress.SingleBar({
    format: 'bench {bar} {value}/{total} | {name} | {elapsed}s | {line}',
    barsize: 24, hideCursor: true, clearOnComplete: false, etaBuffer: 3,
  }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(specs.length, 0, { name: specs[0]?.name ?? '', line: '', elapsed: 0 });
  const ticker = bar ? setInterval(() => bar.update({ elapsed: Math.round((Date.now() - started) / 1000) }), 1000) : undefined;
  const outcomes: BenchOutcome[] = [];
  const results = new Map<string, unknown>();
  try {
    for (const spec of specs) {
      bar?.update({ name: spec.name, line: spec.what.slice(0, 60) });
      const file = join(resultsDir, spec.result);
      const before = existsSync(file) ? readFileSync(file) : undefined;
      const t0 = Date.now();
      const r = o.fromResults
        ? (existsSync(file) ? { ok: true } : { ok: false, error: `${file} does not exist: run the benchmark first` })
        : await runOne(spec, o.repo, o.quick, join(outDir, 'logs', `${spec.name}.log`), (line) => {
          if (bar) bar.update({ line: line.slice(0, 60) }); else o.onLine?.(spec.name, line);
        });
      const outcome: BenchOutcome = { name: spec.name, ok: r.ok, ms: Date.now() - t0, error: r.error };
      if (r.ok) {
        try { outcome.result = JSON.parse(readFileSync(file, 'utf8')) as unknown; results.set(spec.name, outcome.result); } catch (e) { outcome.ok = false; outcome.error = `no readable ${file}: ${(e as Error).message}`; }
      }
      if (keepPerBench) { if (before) writeFileSync(file, before); else rmSync(file, { force: true }); }
      outcomes.push(outcome);
      bar?.increment();
    }
  } finally {
    if (ticker) clearInterval(ticker);
    bar?.stop();
  }
  const rows: ReportRow[] = [];
  for (const spec of specs) { const r = results.get(spec.name); if (r !== undefined) rows.push(...spec.rows(r)); }
  const machine = thisMachine();
  const charts: string[] = [];
  for (const c of chartsOf(results)) {
    const f = join(outDir, 'charts', `${c.id}${o.quick ? '-quick' : ''}.svg`);
    writeFileSync(f, await renderSvg(c));
    charts.push(f);
  }
  const json = join(outDir, `${date}${o.quick ? '-quick' : ''}.json`);
  const markdown = json.replace(/\.json$/, '.md');
  const durationMs = Date.now() - started;
  writeFileSync(json, JSON.stringify({ date, quick: o.quick, machine, durationMs, rows, outcomes }, null, 2) + '\n');
  writeFileSync(markdown, markdownReport(rows, outcomes, machine, date, o.quick, durationMs));
  return { date, quick: o.quick, machine, durationMs, outcomes, rows, files: { json, markdown, charts } };
}
