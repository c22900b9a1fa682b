/**
 * `podnet bench` end to end: one real benchmark (CNI ADD/DEL against the reference plugins, --quick)
 * through the CLI, into a scratch report directory: the dated JSON and Markdown report exist, every
 * row has its reference from the same run, and the committed bench/results file is left as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PODNET, run } from '../support/lab.js';
import { REPO_ROOT } from '../../src/lab/paths.js';

test('podnet bench --quick --only cni writes a dated report with podnet and the reference side by side', { timeout: 180_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'pn-bench-'));
  const committed = join(REPO_ROOT, 'bench', 'results', 'cni.json');
  const before = existsSync(committed) ? readFileSync(committed, 'utf8') : undefined;
  const netnsBefore = existsSync('/run/netns') ? readdirSync('/run/netns').sort() : [];
  try {
    const r = await run(PODNET, ['bench', '--quick', '--only', 'cni', '--out', out, '-o', 'json'], { timeoutMs: 170_000 });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { rows: { bench: string; metric: string; podnet: number; reference?: number; ratio?: number }[]; outcomes: { name: string; ok: boolean }[]; files: { json: string; markdown: string } };
    assert.deepEqual(report.outcomes.map((o) => [o.name, o.ok]), [['cni', true]]);
    const add = report.rows.find((x) => x.metric === "CNI ADD p50 (exec'd plugin)");
    assert.ok(add && add.podnet > 0 && (add.reference ?? 0) > 0, JSON.stringify(report.rows));
    assert.equal(add.ratio, Math.round((add.podnet / add.reference!) * 100) / 100);
    const files = readdirSync(out);
    assert.ok(files.some((f) => /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-quick\.json$/.test(f)), files.join(' '));
    const md = readFileSync(report.files.markdown, 'utf8');
    assert.match(md, /\| cni \| CNI ADD p50 \(exec'd plugin\) \| 10 ADD\/DEL \| [\d.,]+ ms \| [\d.,]+ ms \(reference plugins \(\/usr\/lib\/cni\)\) \|/);
    console.log(md.split('\n').filter((l) => l.startsWith('| cni')).join('\n'));
    assert.equal(existsSync(committed) ? readFileSync(committed, 'utf8') : undefined, before, 'a --quick run leaves bench/results/cni.json as it was');
  } finally {
    rmSync(out, { recursive: true, force: true });
    assert.deepEqual(existsSync('/run/netns') ? readdirSync('/run/netns').sort() : [], netnsBefore, 'the benchmark removed every namespace it made');
  }
});
