/**
 * `podnet lab tour`: a seed's walkthrough run step by step on a live lab. A tour is data (tours.ts): a
 * list of steps, each a command (on the host, in a node's netns, in a pod's netns, or podnet/kubectl),
 * a one-line explanation, what to learn from its output for the steps after it, and a check that the
 * output shows what the explanation says. This module runs them for real and prints each command with
 * its real output.
 */
import { createInterface } from 'node:readline';
import { execHostNamespaceReader, execInNamedNetns, execInPidNetns } from '../net/spawn.js';
import { exec, type ExecResult } from '../util/exec.js';
import { PodnetError } from '../util/errors.js';
import { netnsName, PODNET_MAIN } from './paths.js';

export class TourError extends PodnetError {}

/** Where a step's command runs. */
export type TourWhere =
  | { on: 'kubectl' }
  | { on: 'podnet' }
  | { on: 'host-ns-reader' }
  | { on: 'node'; node: string }
  | { on: 'pod'; pid: number };

export interface TourCommand { where: TourWhere; argv: string[]; timeoutMs?: number }

/** What the steps learned so far (pod names, pids, interface indexes …), by name. */
export type TourVars = Record<string, string>;

export interface TourStep {
  title: string;
  /** One line: what the output shows (with the learned values filled in). */
  explain(v: TourVars): string;
  command(v: TourVars): TourCommand;
  /** Values for later steps, from this step's output; throw TourError when the output lacks them. */
  learn?(out: string, v: TourVars): TourVars;
  /** undefined when the output shows what `explain` says; else what is missing. */
  check(out: string, v: TourVars): string | undefined;
  /** a reason to skip the step on this lab (e.g. no bridge in Calico mode) */
  skip?(v: TourVars): string | undefined;
}

export interface Tour { name: string; title: string; steps: TourStep[] }

export interface StepResult { index: number; title: string; command: string; output: string; explanation: string; ok: boolean; problem?: string; skipped?: string; exitCode: number }

/** How a command is shown to the reader: what they would type on the node or the host. */
export function shownCommand(lab: string, c: TourCommand): string {
  const q = (a: string): string => (/^[A-Za-z0-9_@%+=:,./{}\-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const args = c.argv.map(q).join(' ');
  switch (c.where.on) {
    case 'kubectl': return `kubectl ${args}`;
    case 'podnet': return `podnet ${args}`;
    case 'host-ns-reader': return args;
    case 'node': return `podnet lab exec --name ${lab} ${c.where.node} -- ${args}`;
    case 'pod': return `nsenter --target ${c.where.pid} -n ${args}`;
  }
}

export interface TourRunner { run(c: TourCommand): Promise<ExecResult> }

/** Runs tour commands on a lab: kubectl with the lab's kubeconfig, podnet itself, the lab's node and pod namespaces. */
export function labRunner(lab: string, kubeconfig: string): TourRunner {
  return {
    run: (c) => {
      const o = { allowFail: true, timeoutMs: c.timeoutMs ?? 30_000 };
      switch (c.where.on) {
        case 'kubectl': return exec(['kubectl', ...c.argv], { ...o, env: { ...process.env, KUBECONFIG: kubeconfig } });
        case 'podnet': return exec([process.execPath, PODNET_MAIN, ...c.argv], { ...o, env: { ...process.env, KUBECONFIG: kubeconfig } });
        case 'host-ns-reader': return execHostNamespaceReader(c.argv, o);
        case 'node': return execInNamedNetns(netnsName(lab, c.where.node), c.argv, o);
        case 'pod': return execInPidNetns(c.where.pid, c.argv, o);
      }
    },
  };
}

export interface TourOptions {
  lab: string;
  /** only this step (1-based); the steps before it still run, quietly, for what they learn */
  step?: number;
  /** wait for Enter between steps (only when stdin is a terminal) */
  pause: boolean;
  /** lines of output shown per step (the whole output is checked) */
  maxLines?: number;
  json?: boolean;
}

function clip(out: string, max: number): string {
  const lines = out.replace(/\s+$/, '').split('\n');
  return lines.length <= max ? lines.join('\n') : [...lines.slice(0, max), `… (${lines.length - max} more lines)`].join('\n');
}

async function waitEnter(): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  await new Promise<void>((r) => rl.question('(Enter for the next step) ', () => r()));
  rl.close();
}

/** Runs a tour; prints each step (unless json); returns the results. A failed step stops the tour (later steps need what it learns). */
export async function runTour(t: Tour, runner: TourRunner, o: TourOptions, out: NodeJS.WritableStream = process.stdout): Promise<StepResult[]> {
  if (o.step !== undefined && (!Number.isInteger(o.step) || o.step < 1 || o.step > t.steps.length)) throw new TourError('EFLAG', `--step must be 1-${t.steps.length} for ${t.name}, not ${o.step}`);
  const vars: TourVars = { lab: o.lab };
  const results: StepResult[] = [];
  const last = o.step ?? t.steps.length;
  const show = (i: number): boolean => !o.json && (o.step === undefined || o.step === i + 1);
  if (!o.json && o.step === undefined) out.write(`Tour ${t.name}: ${t.title} (lab ${o.lab}, ${t.steps.length} steps)\n`);
  for (let i = 0; i < last; i++) {
    const s = t.steps[i]!;
    const skipped = s.skip?.(vars);
    if (skipped) {
      results.push({ index: i + 1, title: s.title, command: '', output: '', explanation: '', ok: true, skipped, exitCode: 0 });
      if (show(i)) out.write(`\n[${i + 1}/${t.steps.length}] ${s.title}: skipped (${skipped})\n`);
      continue;
    }
    const c = s.command(vars);
    const shown = shownCommand(o.lab, c);
    const r = await runner.run(c);
    const output = (r.stdout + (r.stderr.trim() ? (r.stdout.trim() ? '\n' : '') + r.stderr : '')).replace(/\s+$/, '');
    let problem: string | undefined;
    try {
      if (s.learn) Object.assign(vars, s.learn(output, vars));
      problem = s.check(output, vars);
    } catch (e) { problem = (e as Error).message; }
    const explanation = s.explain(vars);
    results.push({ index: i + 1, title: s.title, command: shown, output, explanation, ok: !problem, ...(problem ? { problem } : {}), exitCode: r.code });
    if (show(i) || (problem && !o.json)) {
      if (o.pause && i > 0 && o.step === undefined && process.stdin.isTTY) await waitEnter();
      out.write(`\n[${i + 1}/${t.steps.length}] ${s.title}\n$ ${shown}\n${clip(output, o.maxLines ?? 30)}\n→ ${explanation}\n`);
      if (problem) out.write(`✗ not as explained: ${problem}\n`);
    }
    if (problem) break;
  }
  if (o.json) out.write(JSON.stringify({ tour: t.name, lab: o.lab, steps: results, vars }, null, 2) + '\n');
  return results;
}
