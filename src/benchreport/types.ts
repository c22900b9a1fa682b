/** The shapes `podnet bench` works with: a benchmark to run, the rows and charts its result gives. */

/** One figure of the report: what podnet did against the reference measured in the same run. */
export interface ReportRow {
  bench: string;
  metric: string;
  /** The size the figure was measured at, in words ("10,000 services"). */
  size: string;
  unit: string;
  podnet: number;
  reference?: number | undefined;
  /** What the reference is ("raw iptables-restore --noflush", "bind9"). */
  referenceName?: string | undefined;
  /** podnet / reference (for a throughput, reference / podnet is not used: see `better`). */
  ratio?: number | undefined;
  /** Whether a lower or a higher figure is better (decides how a reader reads the ratio). */
  better: 'lower' | 'higher';
}

/** One point of a cost-against-size chart. */
export interface ChartPoint { series: string; x: number; y: number }

export interface ChartSpec {
  /** File name without extension, stable across runs (the README links it). */
  id: string;
  title: string;
  xTitle: string;
  yTitle: string;
  logX?: boolean;
  logY?: boolean;
  points: ChartPoint[];
}

/** A benchmark script under dist/bench and how to read what it writes. */
export interface BenchSpec {
  name: string;
  /** The script, relative to dist/bench. */
  script: string;
  /** Its result file, relative to bench/results. */
  result: string;
  args: string[];
  quickArgs: string[];
  /** Left out of --quick entirely. */
  skipQuick?: boolean;
  /** What it measures, one line (shown while it runs). */
  what: string;
  rows(result: unknown): ReportRow[];
  charts?(result: unknown): ChartSpec[];
}

/** What one benchmark did in this run. */
export interface BenchOutcome {
  name: string;
  ok: boolean;
  ms: number;
  error?: string | undefined;
  result?: unknown;
}
