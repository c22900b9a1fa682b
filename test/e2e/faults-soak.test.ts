/**
 * Issue 17, robustness item 6: a soak. A lab, a Deployment of podnet/echo behind a Service, a load
 * generator in node1's netns sending HTTP requests to the ClusterIP at 1,000 req/s (test/support/
 * loadgen.ts: 20 keep-alive connections, each reconnecting after 100 requests so new connections
 * keep crossing the Service's DNAT), while pods churn (batches created, Running, deleted) and the
 * Deployment rolls (`kubectl rollout restart`). Asserted:
 * - 0 failed requests outside the rollout windows (a window: `rollout restart` issued → `rollout
 *   status` returned + ROLLOUT_GRACE_MS, the time the proxies take to drop the old endpoints);
 * - the requests reached pods on every node (the traffic really crossed the overlay);
 * - no growth in memory: agents' and the API server's RSS, median of the last third of the samples
 *   ≤ 1.5 × the first third + 32 MiB;
 * - no growth in rules: every node's iptables rule count and nft statement count at the end
 *   (churn stopped, same replicas) equal those at the start; no pod IP held twice.
 * The suite runs 30 s, 2 nodes, 10 churning pods, one rollout; PODNET_FAULTS_FULL=1 runs 10 minutes,
 * 3 nodes, 50 churning pods, a rollout a minute (PODNET_SOAK_SECONDS overrides the duration).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PODNET, must, until, labKubectl, labLeftovers, cniNetns, labDown, randomLabName, echoServersListening } from '../support/lab.js';
import { newLeftovers, FAULTS_FULL, labPids, median, rssKiB, ruleCount } from '../support/faults.js';
import type { LoadSummary } from '../support/loadgen.js';

const here = dirname(fileURLToPath(import.meta.url));
const LOADGEN = join(here, '..', 'support', 'loadgen.js');
const SECONDS = Number(process.env.PODNET_SOAK_SECONDS ?? (FAULTS_FULL ? 600 : 30));
const NODES = FAULTS_FULL ? 3 : 2;
const CHURN = FAULTS_FULL ? 50 : 10;
const ROLL_EVERY_S = FAULTS_FULL ? 60 : 1e9; // the suite's short run rolls once, 8 s in
const RATE = Number(process.env.PODNET_SOAK_RATE ?? 1000);
const ROLLOUT_GRACE_MS = 3000;
const nodes = Array.from({ length: NODES }, (_, i) => `node${i + 1}`);

test(`soak: ${SECONDS} s of ${RATE} req/s through a Service while ${CHURN} pods churn and the Deployment rolls`, { timeout: (SECONDS + 300) * 1000 }, async (t) => {
  const lab = randomLabName('fsk');
  const cniBefore = cniNetns();
  const baseline = labLeftovers(lab);
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', String(NODES)], { timeoutMs: 240_000 });
    const kubectl = labKubectl(lab);
    await kubectl(['apply', '-f', '-'], [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}',
      'spec:', `  replicas: ${NODES + 1}`, '  selector: {matchLabels: {app: web}}',
      '  strategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}',
      '  template:', '    metadata: {labels: {app: web}}',
      '    spec: {terminationGracePeriodSeconds: 2, containers: [{name: echo, image: podnet/echo}]}',
      '---', 'apiVersion: v1', 'kind: Service', 'metadata: {name: web}',
      'spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}', '',
    ].join('\n'));
    await kubectl(['rollout', 'status', 'deploy/web', '--timeout=120s']);
    const webPods = (await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/);
    await echoServersListening(kubectl, webPods);
    const clusterIP = (await kubectl(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await until('the Service answers from node1', async () => (await must(PODNET, ['lab', 'exec', '--name', lab, 'node1', '--', 'curl', '-s', '-m', '2', `http://${clusterIP}/`])).startsWith('pod='), 30_000);
    const nodeOfPod = async (): Promise<Map<string, string>> => new Map((await kubectl(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}'])).trim().split('\n').map((l) => l.split(' ') as [string, string]));

    const rulesBefore = await Promise.all(nodes.map((n) => ruleCount(lab, n)));
    const mem: { at: number; kib: Record<string, number> }[] = [];
    const sampleMem = (): void => {
      const kib: Record<string, number> = {};
      for (const [name, r] of labPids(lab)) if (name === 'apiserver' || name.startsWith('agent-')) { const v = rssKiB(r.pid); if (v) kib[name] = v; }
      mem.push({ at: Date.now(), kib });
    };
    const ruleSamples: number[] = [];

    // the load generator, in node1's netns
    const gen = spawn(PODNET, ['lab', 'exec', '--name', lab, 'node1', '--', process.execPath, LOADGEN, '--target', `${clusterIP}:80`, '--rate', String(RATE),
      '--duration', String(SECONDS), '--conns', '20', '--per-conn', '100'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let genOut = ''; let genErr = '';
    gen.stdout.on('data', (d: Buffer) => { genOut += d.toString(); });
    gen.stderr.on('data', (d: Buffer) => { genErr = (genErr + d.toString()).slice(-4000); });
    const genDone = new Promise<void>((r) => gen.once('close', () => r()));
    const startedAt = Date.now();
    const endAt = startedAt + SECONDS * 1000;
    const windows: { from: number; to: number }[] = [];
    let churned = 0; let rollouts = 0;
    const churnErrors: string[] = [];
    try {
      const sampler = setInterval(sampleMem, FAULTS_FULL ? 10_000 : 2_000);
      sampleMem();
      const churn = (async () => {
        for (let batch = 0; Date.now() < endAt - 5000; batch++) {
          const docs = Array.from({ length: CHURN }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: churn-${batch}-${i}, labels: {churn: "1"}}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers: [{name: c, image: podnet/shell, command: [sleep, infinity]}]\n`);
          await kubectl(['apply', '-f', '-'], docs.join('---\n'));
          await until(`churn batch ${batch} Running`, async () => {
            const rows = (await kubectl(['get', 'pods', '-l', 'churn=1', '-o', 'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}'])).trim().split('\n').filter(Boolean);
            return rows.length === CHURN && rows.every((r) => r === 'Running');
          }, 180_000);
          await kubectl(['delete', 'pods', '-l', 'churn=1', '--wait=true', '--timeout=180s']);
          churned += CHURN;
          const c = await ruleCount(lab, 'node1').catch(() => undefined);
          if (c) ruleSamples.push(c.iptables + c.nft);
        }
      })().catch((e: Error) => { churnErrors.push(e.message); });
      const roll = (async () => {
        let at = startedAt + Math.min(8_000, ROLL_EVERY_S * 1000);
        while (at < endAt - 20_000) {
          await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
          const w = { from: Date.now(), to: Number.POSITIVE_INFINITY };
          windows.push(w);
          await kubectl(['rollout', 'restart', 'deploy/web']);
          await kubectl(['rollout', 'status', 'deploy/web', '--timeout=180s']);
          w.to = Date.now() + ROLLOUT_GRACE_MS;
          rollouts++;
          at += ROLL_EVERY_S * 1000;
        }
      })();
      await Promise.all([churn, roll]);
      await Promise.race([genDone, new Promise((r) => setTimeout(r, SECONDS * 1000 + 120_000).unref())]);
      clearInterval(sampler);
    } finally {
      gen.stdin.end();
      if (gen.exitCode === null && gen.signalCode === null) gen.kill('SIGKILL');
    }
    assert.deepEqual(churnErrors, [], 'pod churn ran without error');
    const line = genOut.trim().split('\n').pop() ?? '';
    assert.ok(line.startsWith('{'), `the load generator's summary: ${genOut}${genErr}`);
    const sum = JSON.parse(line) as LoadSummary;
    const inWindow = (at: number): boolean => windows.some((w) => at >= w.from && at <= w.to);
    const outside = sum.failures.filter((f) => !inWindow(f.at));
    const podsNow = await nodeOfPod();
    const nodesReached = new Set(Object.keys(sum.pods).map((p) => podsNow.get(p) ?? 'gone'));
    const achieved = sum.ok / ((sum.endedAt - sum.startedAt) / 1000);

    // quiescence: the churn pods are gone, the last rollout finished; rules back to their start count
    const rulesAfter = await until('rule counts back to the start', async () => {
      const now = await Promise.all(nodes.map((n) => ruleCount(lab, n)));
      return JSON.stringify(now) === JSON.stringify(rulesBefore) ? now : undefined;
    }, 30_000).catch(async () => Promise.all(nodes.map((n) => ruleCount(lab, n))));
    const ips = (await kubectl(['get', 'pods', '-A', '-o', 'jsonpath={range .items[*]}{.status.podIP}{"\\n"}{end}'])).trim().split('\n').filter(Boolean);

    const third = Math.max(1, Math.floor(mem.length / 3));
    const names = Object.keys(mem[0]?.kib ?? {});
    const memRows = names.map((n) => {
      const first = median(mem.slice(0, third).map((m) => m.kib[n] ?? 0));
      const last = median(mem.slice(-third).map((m) => m.kib[n] ?? 0));
      const max = Math.max(...mem.map((m) => m.kib[n] ?? 0));
      return { n, first, last, max };
    });
    const mib = (k: number): string => (k / 1024).toFixed(0);
    t.diagnostic(`soak ${SECONDS} s, ${NODES} nodes: ${sum.sent} requests sent at ${RATE}/s target (${achieved.toFixed(0)}/s answered), ${sum.ok} ok, ${sum.failed} failed (${outside.length} outside the ${windows.length} rollout window(s) of ${windows.map((w) => `${((w.to - w.from) / 1000).toFixed(1)} s`).join(', ')}); reasons ${JSON.stringify(sum.failureCount)}; latency p50 ${sum.latencyMs.p50} ms p99 ${sum.latencyMs.p99} ms max ${sum.latencyMs.max} ms; ${sum.connections} connections; ${Object.keys(sum.pods).length} pods answered, on ${[...nodesReached].join(',')}`);
    t.diagnostic(`churn: ${churned} pods created and deleted in batches of ${CHURN}; ${rollouts} rollout(s)`);
    t.diagnostic(`memory (RSS MiB, median first third → last third, max; ${mem.length} samples): ${memRows.map((r) => `${r.n} ${mib(r.first)} → ${mib(r.last)} (max ${mib(r.max)})`).join('; ')}`);
    t.diagnostic(`rules (iptables -A lines + nft statements) per node, start → end: ${nodes.map((n, i) => `${n} ${rulesBefore[i]!.iptables}+${rulesBefore[i]!.nft} → ${rulesAfter[i]!.iptables}+${rulesAfter[i]!.nft}`).join(', ')}; node1 sampled after each churn batch: min ${Math.min(...ruleSamples)} max ${Math.max(...ruleSamples)}`);

    assert.ok(sum.ok > 0 && achieved >= RATE * 0.5, `the load really ran: ${achieved.toFixed(0)} answered/s`);
    assert.deepEqual(outside, [], 'no failed request outside the rollout windows');
    assert.ok(rollouts >= 1, 'the Deployment rolled at least once');
    assert.ok(churned >= CHURN, 'pods churned');
    for (const n of nodes.slice(0, 2)) assert.ok(nodesReached.has(n), `requests answered by pods on ${n}: ${[...nodesReached].join(',')}`);
    assert.deepEqual(rulesAfter, rulesBefore, 'rule counts at the end equal those at the start');
    assert.equal(new Set(ips).size, ips.length, `no pod IP twice: ${ips.join(' ')}`);
    for (const r of memRows) assert.ok(r.last <= r.first * 1.5 + 32 * 1024, `no memory growth of ${r.n}: ${mib(r.first)} → ${mib(r.last)} MiB`);
  } finally {
    await labDown(lab);
  }
  assert.deepEqual(newLeftovers(lab, baseline), []);
  assert.deepEqual([...cniNetns()].filter((n) => !cniBefore.has(n)), [], 'no pod sandbox left');
});
