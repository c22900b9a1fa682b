/**
 * Issue 17, robustness item 5: cycles of `lab up` / `lab down` with kills in between. Each cycle
 * starts `podnet lab up` (2 nodes) and kills something at one phase: `lab up` itself (SIGKILL at a
 * progress step, plus a random delay), the agents, the API server, every lab process, or a `lab down`
 * half-way (then `lab down` again). Then `lab down` must succeed and leave the root namespace as it
 * was before the first cycle: links, addresses, routes, rules, iptables-save, nft list ruleset,
 * mounts, /run/netns, the files under /run/podnet, processes in other network namespaces
 * (test/support/faults.ts rootSnapshot), and labLeftovers empty.
 * The suite runs 5 cycles, one per kind of kill; PODNET_FAULTS_FULL=1 runs 100 (random kinds and
 * phases; PODNET_FAULTS_CYCLES overrides the count).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PODNET, until, labLeftovers, labDown, randomLabName, run } from '../support/lab.js';
import { newLeftovers, FAULTS_FULL, labPids, rootSnapshot, snapshotDiff } from '../support/faults.js';
import { hostNetnsId } from '../../src/net/whereami.js';
import { procStartTime } from '../../src/net/proc.js';

type Kill =
  | { kind: 'up'; step: number; extraMs: number }        // SIGKILL lab up once it printed [step/10], extraMs later
  | { kind: 'up-at'; ms: number }                        // SIGKILL lab up ms after it started
  | { kind: 'agents' } | { kind: 'apiserver' } | { kind: 'everything' } // after a complete up
  | { kind: 'down'; ms: number };                        // a complete up, then lab down SIGKILLed ms after it started

const SUITE: Kill[] = [
  { kind: 'up', step: 1, extraMs: 0 },
  { kind: 'up', step: 4, extraMs: 150 },
  { kind: 'up', step: 7, extraMs: 0 },
  { kind: 'agents' },
  { kind: 'down', ms: 300 },
];
function randomKill(): Kill {
  const r = Math.random();
  if (r < 0.5) return { kind: 'up', step: 1 + Math.floor(Math.random() * 10), extraMs: Math.floor(Math.random() * 1000) };
  if (r < 0.6) return { kind: 'up-at', ms: Math.floor(Math.random() * 4000) };
  if (r < 0.7) return { kind: 'agents' };
  if (r < 0.8) return { kind: 'apiserver' };
  if (r < 0.9) return { kind: 'everything' };
  return { kind: 'down', ms: Math.floor(Math.random() * 800) };
}
const CYCLES = Number(process.env.PODNET_FAULTS_CYCLES ?? (FAULTS_FULL ? 100 : SUITE.length));
const describe = (k: Kill): string => (k.kind === 'up' ? `lab up at [${k.step}/10]+${k.extraMs}ms` : k.kind === 'up-at' ? `lab up at ${k.ms}ms` : k.kind === 'down' ? `lab down at ${k.ms}ms` : `${k.kind} after up`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number): boolean => procStartTime(pid) !== undefined;

test(`${CYCLES} cycles of lab up / kill / lab down leave the root namespace unchanged`, { timeout: 60_000 + CYCLES * 90_000 }, async (t) => {
  const host = hostNetnsId();
  const before = await rootSnapshot(host);
  const baseline = labLeftovers('fcy-none');
  const tally = new Map<string, number>();
  let reached = 0;
  let lab = '';
  try {
    for (let i = 0; i < CYCLES; i++) {
      const k = i < SUITE.length && !FAULTS_FULL ? SUITE[i]! : randomKill();
      lab = randomLabName('fcy');
      const t0 = Date.now();
      const up = spawn(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      up.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      up.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      const upDone = new Promise<number | null>((r) => up.once('exit', (c) => r(c)));
      let what = describe(k);
      if (k.kind === 'up' || k.kind === 'up-at') {
        if (k.kind === 'up') await until(`lab up at step ${k.step}`, async () => out.includes(`[${k.step}/10]`) || up.exitCode !== null, 120_000);
        await sleep(k.kind === 'up' ? k.extraMs : k.ms);
        if (up.exitCode === null) up.kill('SIGKILL'); else what += ' (up had finished)';
        await upDone;
        const last = /\[(\d+)\/10\][^\n]*$/.exec(out.trimEnd())?.[1];
        if (last) what += ` (killed in step ${last})`;
      } else {
        const code = await upDone;
        assert.equal(code, 0, `lab up: ${out}`);
        reached++;
        const pids = labPids(lab);
        if (k.kind === 'down') {
          const down = spawn(PODNET, ['lab', 'down', '--name', lab], { stdio: 'ignore' });
          await sleep(k.ms);
          if (down.exitCode === null) down.kill('SIGKILL'); else what += ' (down had finished)';
          await new Promise((r) => (down.exitCode !== null || down.signalCode !== null ? r(undefined) : down.once('exit', r)));
        } else {
          const victims = [...pids.values()].filter((r) => k.kind === 'everything' || (k.kind === 'agents' ? r.name.startsWith('agent-') : r.name === 'apiserver')).map((r) => r.pid);
          assert.ok(victims.length > 0, `something to kill for ${k.kind}`);
          for (const p of victims) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
          await until('victims dead', async () => !victims.some(alive), 10_000);
          what += ` (${victims.length} process(es))`;
        }
      }
      const down = await labDown(lab);
      assert.equal(down.code, 0, `lab down after ${what}: ${down.stderr}${down.stdout}`);
      const left = newLeftovers(lab, baseline.map((l) => l.replace('fcy-none', lab)));
      assert.deepEqual(left, [], `leftovers after ${what}`);
      const after = await until('the root namespace as before', async () => { const s = await rootSnapshot(host); return snapshotDiff(before, s).length ? undefined : s; }, 5_000).catch(async () => rootSnapshot(host));
      assert.deepEqual(snapshotDiff(before, after), [], `cycle ${i + 1} (${what}): the root namespace differs from before the first cycle`);
      tally.set(k.kind, (tally.get(k.kind) ?? 0) + 1);
      if (!FAULTS_FULL || (i + 1) % 10 === 0) t.diagnostic(`cycle ${i + 1}/${CYCLES}: ${what}; ${(down.stdout.trim().split('\n').pop() ?? '').replace(/^lab "\w+" is down /, 'down ')}; ${((Date.now() - t0) / 1000).toFixed(1)} s; root namespace unchanged`);
    }
  } finally {
    if (lab) await labDown(lab);
  }
  t.diagnostic(`${CYCLES} cycles (${[...tally].map(([k, v]) => `${k} ${v}`).join(', ')}; ${reached} complete ups): root namespace (links, addrs, routes, rules, iptables, nft, mounts, /run/netns, /run/podnet, processes in other netns) unchanged after every lab down`);
});
