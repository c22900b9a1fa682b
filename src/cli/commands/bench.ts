import type { Command } from 'commander';
import { REPO_ROOT } from '../../lab/paths.js';
import { emit, parseOutput, renderTable } from '../../observe/table.js';

/** Registers `podnet bench`: every benchmark against its reference in one run, one report. */
export function register(program: Command): void {
  program.command('bench')
    .description('run every benchmark against its reference in one run; write bench/results/<date>.json, a Markdown table and SVG charts')
    .option('--quick', 'smaller sizes and shorter runs (under 5 minutes on 2 cores); the per-benchmark result files are left as they were')
    .option('--only <names>', 'comma-separated benchmarks (proxy, dns, cni, protobuf, runtime, lab, netpol, serviceaccount, storage, api, backends, calico)')
    .option('--out <dir>', 'where the report goes (default bench/results)')
    .option('--from-results', 'run nothing: make the report and charts from the result files already in bench/results')
    .option('-o, --output <format>', 'json, or omit for the table')
    .action(async (o: { quick?: boolean; only?: string; out?: string; output?: string; fromResults?: boolean }) => {
      const fmt = parseOutput(o.output);
      if (!o.fromResults && process.getuid?.() !== 0) throw new Error('podnet bench needs root: the benchmarks make network namespaces');
      // loaded here, not at start: Vega costs ~0.2 s to import and every other podnet command would pay it
      const { runBenchmarks } = await import('../../benchreport/run.js');
      const { figure, ratioText, wallTime } = await import('../../benchreport/markdown.js');
      const report = await runBenchmarks({
        repo: REPO_ROOT, quick: o.quick === true, fromResults: o.fromResults === true, only: o.only?.split(',').map((s) => s.trim()).filter(Boolean), out: o.out,
        progress: process.stderr.isTTY === true,
        onLine: (bench, line) => process.stderr.write(`[${bench}] ${line}\n`),
      });
      emit(fmt, report, () => renderTable(['BENCH', 'METRIC', 'SIZE', 'PODNET', 'REFERENCE', 'RATIO'], report.rows.map((r) => [
        r.bench, r.metric, r.size, `${figure(r.podnet)} ${r.unit}`, r.reference === undefined ? '-' : `${figure(r.reference)} ${r.unit}`, r.ratio === undefined ? '-' : ratioText(r).replace(' (at or better than the reference)', '').replace(' (worse)', ' worse'),
      ])) + report.outcomes.filter((x) => !x.ok).map((x) => `FAILED ${x.name}: ${x.error ?? ''}\n`).join('') + `total wall time: ${wallTime(report.durationMs)}\nreport: ${report.files.markdown}\n${report.files.charts.map((c) => `chart: ${c}\n`).join('')}`);
      if (report.outcomes.some((x) => !x.ok)) process.exitCode = 1;
    });
}
