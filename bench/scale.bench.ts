/**
 * Scale benchmark (issue 17): a lab of N nodes through the CLI, S Services and Deployments totalling
 * P pods (busybox `sleep`, the cheapest built-in image) created through the API, for each agent mode
 * asked (`--configs shared:50,per-node:20`, one lab after the other in this run):
 *   - `lab up` time; agent RSS (each per-node agent, or the one shared process) and CPU, API server RSS,
 *     idle after up and after the load;
 *   - time from the first create to every pod Ready (and to every pod created, scheduled);
 *   - endpoint-change propagation: `--changes K` times one pod of a Service is deleted (its
 *     Deployment replaces it); from the moment the EndpointSlice changed (seen on a watch) to the
 *     moment each node's kube-proxy finished the sync that covers it (the agents log each sync with
 *     the EndpointSlice resourceVersion it saw: one watch stream, so every earlier change is in it),
 *     p50/p99 over K × N samples; then every node's kernel is checked to hold the last change
 *     (the replacement pod's IP in its nat rules). The reference in the same run: the median
 *     duration of those syncs themselves (how much of the propagation is the rule write);
 *   - `lab down` time.
 * Results merge into bench/results/scale.json by configuration (mode, nodes, pods, services, proxy
 * mode), each stamped with its time; configurations of one invocation share a `runId`. Not a test;
 * no assertion on time. Everything it makes is removed in `finally` (lab down).
 *
 *   node dist/bench/scale.bench.js [--configs shared:50] [--pods 1000] [--services 1000] [--changes 5] [--proxy-mode iptables] [--ready-timeout 300]
 */
import { existsSync, readFileSync, readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import { createClient, loadKubeconfig, R } from '../src/client/index.js';
import type { KObject } from '../src/meta/types.js';
import { inParallel, pct, round, writeResult } from './stats.js';
import { PODNET, must, run, randomLabName } from '../test/support/lab.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : def; };
const CONFIGS = opt('configs', 'shared:50').split(',').map((c) => { const [mode, n] = c.split(':'); return { mode: mode as 'shared' | 'per-node', nodes: Number(n) }; });
const PODS = Number(opt('pods', '1000'));
const SERVICES = Number(opt('services', '1000'));
const CHANGES = Number(opt('changes', '5'));
const PROXY_MODE = opt('proxy-mode', 'iptables');
const READY_TIMEOUT_MS = Number(opt('ready-timeout', '300')) * 1000;
const LAB_PREFIX = 'scal';
const NS = 'scale';
for (const c of CONFIGS) if (!['shared', 'per-node'].includes(c.mode) || !(c.nodes >= 1)) throw new Error(`bad --configs entry ${c.mode}:${c.nodes}`);

const labs = new Set<string>();
const HZ = 100;

interface ProcFigures { pid: number; rssMiB: number; cpuS: number }
function procFigures(pid: number): ProcFigures | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { pid, rssMiB: round(rssKb / 1024, 1), cpuS: round((Number(stat[11]) + Number(stat[12])) / HZ, 2) };
  } catch { return undefined; }
}
function pidOf(lab: string, proc: string): number | undefined {
  try { return (JSON.parse(readFileSync(`/run/podnet/${lab}/pids/${proc}.pid`, 'utf8')) as { pid: number }).pid; } catch { return undefined; }
}
function agentProcs(lab: string): string[] {
  return readdirSync(`/run/podnet/${lab}/pids`).map((f) => f.replace(/\.pid$/, '')).filter((p) => p === 'agents' || p.startsWith('agent-'));
}
function memory(lab: string): { agents: Record<string, ProcFigures>; agentsTotalMiB: number; perNodeMiB: number; agentCpuS: number; apiserver?: ProcFigures } {
  const agents: Record<string, ProcFigures> = {};
  for (const p of agentProcs(lab)) { const pid = pidOf(lab, p); const f = pid ? procFigures(pid) : undefined; if (f) agents[p] = f; }
  const total = Object.values(agents).reduce((a, f) => a + f.rssMiB, 0);
  const nodes = (JSON.parse(readFileSync(`/run/podnet/${lab}/state.json`, 'utf8')) as { spec: { nodes: unknown[] } }).spec.nodes.length;
  const api = pidOf(lab, 'apiserver');
  return { agents, agentsTotalMiB: round(total, 1), perNodeMiB: round(total / nodes, 1), agentCpuS: round(Object.values(agents).reduce((a, f) => a + f.cpuS, 0), 2), apiserver: api ? procFigures(api) : undefined };
}

/** New lines of the agents' logs since the last call (per file offset). */
class LogTail {
  private readonly off = new Map<string, number>();
  constructor(private readonly dir: string) {}
  lines(): string[] {
    const out: string[] = [];
    for (const f of readdirSync(this.dir).filter((x) => x === 'agents.log' || x.startsWith('agent-'))) {
      const p = join(this.dir, f);
      const size = statSync(p).size;
      const from = this.off.get(p) ?? 0;
      if (size <= from) continue;
      const buf = Buffer.alloc(size - from);
      const fd = openSync(p, 'r');
      try { readSync(fd, buf, 0, buf.length, from); } finally { closeSync(fd); }
      const text = buf.toString('utf8');
      const cut = text.lastIndexOf('\n') + 1;
      this.off.set(p, from + Buffer.byteLength(text.slice(0, cut)));
      out.push(...text.slice(0, cut).split('\n').filter(Boolean));
    }
    return out;
  }
}
interface SyncLine { node: string; sliceRV: number; time: number; durationMs: number; changed: number }
function syncLines(lines: string[]): SyncLine[] {
  const out: SyncLine[] = [];
  for (const l of lines) {
    if (!l.includes('"synced"')) continue;
    try {
      const j = JSON.parse(l) as { msg?: string; node?: string; sliceRV?: number; time?: number; durationMs?: number; changed?: number };
      if (j.msg === 'synced' && j.node && typeof j.sliceRV === 'number' && typeof j.time === 'number') out.push({ node: j.node, sliceRV: j.sliceRV, time: j.time, durationMs: j.durationMs ?? 0, changed: j.changed ?? 0 });
    } catch { /* not JSON */ }
  }
  return out;
}

interface PodLite extends KObject { spec?: { nodeName?: string }; status?: { podIP?: string; conditions?: { type: string; status: string }[] } }
interface SliceLite extends KObject { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }
const isReady = (p: PodLite): boolean => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function oneConfig(mode: 'shared' | 'per-node', nodes: number): Promise<Record<string, unknown>> {
  const lab = randomLabName(LAB_PREFIX);
  labs.add(lab);
  const t0 = performance.now();
  const up = await run(PODNET, ['lab', 'up', '--name', lab, '--nodes', String(nodes), '--agent-mode', mode, '--proxy-mode', PROXY_MODE], { timeoutMs: 600_000 });
  const upMs = performance.now() - t0;
  if (up.code !== 0) throw new Error(`lab up ${mode} ${nodes}: ${up.stderr}${up.stdout}`);
  process.stderr.write(`scale: ${mode} ${nodes} nodes up in ${(upMs / 1000).toFixed(1)} s\n`);
  await sleep(3000);
  const idle = memory(lab);
  const client = createClient({ ...loadKubeconfig(`/run/podnet/${lab}/api/admin.kubeconfig`), timeoutMs: 120_000 });
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  try {
    await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const deployments = SERVICES;
    const replicasOf = (i: number): number => Math.floor(PODS / deployments) + (i < PODS % deployments ? 1 : 0);
    const cpu0 = memory(lab);
    const c0 = performance.now();
    await inParallel(SERVICES, 8, async (i) => {
      await client.create(R.services(NS), { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: NS }, spec: { selector: { app: `s${i}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
      await client.create(R.deployments(NS), {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `s${i}`, namespace: NS },
        spec: { replicas: replicasOf(i), selector: { matchLabels: { app: `s${i}` } }, template: { metadata: { labels: { app: `s${i}` } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '86400'] }] } } },
      } as KObject);
    });
    const createdMs = performance.now() - c0;
    process.stderr.write(`scale: ${SERVICES} Services + Deployments created in ${(createdMs / 1000).toFixed(1)} s\n`);
    let scheduledMs: number | undefined, allPodsMs: number | undefined, readyMs: number | undefined;
    let last = '';
    for (let i = 0; ; i++) {
      const l = await client.list<PodLite>(R.pods(NS));
      const sched = l.items.filter((p) => p.spec?.nodeName).length;
      const ready = l.items.filter(isReady).length;
      const now = performance.now() - c0;
      if (allPodsMs === undefined && l.items.length >= PODS) allPodsMs = now;
      if (scheduledMs === undefined && sched >= PODS) scheduledMs = now;
      if (ready >= PODS) { readyMs = now; break; }
      const line = `scale: t=${(now / 1000).toFixed(0)} s pods ${l.items.length} scheduled ${sched} ready ${ready}`;
      if (i % 5 === 0 && line !== last) { process.stderr.write(line + '\n'); last = line; }
      if (now > READY_TIMEOUT_MS) break;
      await sleep(1000);
    }
    process.stderr.write(`scale: all ${PODS} pods Ready in ${readyMs === undefined ? 'NOT REACHED' : `${(readyMs / 1000).toFixed(1)} s`}\n`);
    const loaded = memory(lab);
    // endpoint-change propagation
    const tail = new LogTail(`/run/podnet/${lab}/logs`);
    tail.lines();
    const nodeNames = (await client.list<KObject>(R.nodes)).items.map((n) => n.metadata.name);
    const samples: number[] = [], fromDeleteSamples: number[] = [], syncDurations: number[] = [];
    let lastCheck: { ip: string; nodesHolding: number } | undefined;
    const sliceRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespace: NS };
    for (let k = 0; k < CHANGES && readyMs !== undefined; k++) {
      const svc = `s${Math.floor((k + 0.5) * SERVICES / CHANGES)}`;
      const pods = (await client.list<PodLite>(R.pods(NS), { labelSelector: `app=${svc}` })).items;
      const victim = pods[0]!;
      const slices = await client.list<SliceLite>(sliceRef, { labelSelector: `kubernetes.io/service-name=${svc}` });
      // watch the Service's slices: the first change after the delete is the endpoint change
      let changedAt = 0, changedRV = 0;
      const seen = new Promise<void>((resolve) => {
        void (async () => {
          try {
            for await (const ev of client.watch<SliceLite>(sliceRef, { resourceVersion: slices.resourceVersion, labelSelector: `kubernetes.io/service-name=${svc}` }, ac.signal)) {
              if (ev.type === 'MODIFIED' || ev.type === 'ADDED' || ev.type === 'DELETED') { changedAt = Date.now(); changedRV = Number(ev.object.metadata.resourceVersion); resolve(); return; }
            }
          } catch { resolve(); }
        })();
      });
      const deletedAt = Date.now();
      await client.delete(R.pods(NS), victim.metadata.name!);
      await Promise.race([seen, sleep(30_000)]);
      if (!changedRV) { process.stderr.write(`scale: change ${k}: no EndpointSlice change seen\n`); continue; }
      const done = new Map<string, SyncLine>();
      const end = Date.now() + 60_000;
      while (done.size < nodeNames.length && Date.now() < end) {
        for (const s of syncLines(tail.lines())) if (!done.has(s.node) && s.sliceRV >= changedRV) done.set(s.node, s);
        if (done.size < nodeNames.length) await sleep(100);
      }
      for (const s of done.values()) { samples.push(s.time - changedAt); fromDeleteSamples.push(s.time - deletedAt); syncDurations.push(s.durationMs); }
      process.stderr.write(`scale: change ${k} (${svc}): ${done.size}/${nodeNames.length} nodes synced, max ${Math.max(...[...done.values()].map((s) => s.time - changedAt))} ms after the slice changed\n`);
      // the replacement pod's IP in every node's kernel (last change only: one ruleset read per node)
      if (k === CHANGES - 1) {
        let ip = '';
        for (let i = 0; i < 120 && !ip; i++) {
          const np = (await client.list<PodLite>(R.pods(NS), { labelSelector: `app=${svc}` })).items.find((p) => p.metadata.name !== victim.metadata.name && isReady(p) && p.status?.podIP);
          if (np) ip = np.status!.podIP!; else await sleep(500);
        }
        await sleep(1500);
        let holding = 0;
        for (const n of nodeNames) {
          const dump = await run('ip', ['netns', 'exec', `pn-${lab}-${n}`, ...(PROXY_MODE === 'nftables' ? ['nft', 'list', 'ruleset'] : ['iptables-save', '-t', 'nat'])]);
          if (ip && dump.stdout.includes(ip)) holding++;
        }
        lastCheck = { ip, nodesHolding: holding };
        process.stderr.write(`scale: replacement pod ${ip} in the rules of ${holding}/${nodeNames.length} nodes\n`);
      }
    }
    const afterChanges = memory(lab);
    client.close();
    const d0 = performance.now();
    const down = await run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 300_000 });
    const downMs = performance.now() - d0;
    if (down.code === 0) labs.delete(lab);
    return {
      mode, nodes, pods: PODS, services: SERVICES, proxyMode: PROXY_MODE, at: new Date().toISOString(),
      labUpMs: Math.round(upMs), labDownMs: Math.round(downMs),
      createMs: Math.round(createdMs), allPodsCreatedMs: allPodsMs && Math.round(allPodsMs), allScheduledMs: scheduledMs && Math.round(scheduledMs), allReadyMs: readyMs && Math.round(readyMs),
      memory: { idle, loaded, afterChanges },
      agentCpuDuringLoadS: round(loaded.agentCpuS - cpu0.agentCpuS, 2),
      propagation: {
        changes: CHANGES, samples: samples.length, expectedSamples: CHANGES * nodeNames.length,
        fromSliceChangeMs: { p50: pct(samples, 0.5), p99: pct(samples, 0.99), max: samples.length ? Math.max(...samples) : NaN },
        fromPodDeleteMs: { p50: pct(fromDeleteSamples, 0.5), p99: pct(fromDeleteSamples, 0.99) },
        syncDurationMs: { p50: pct(syncDurations, 0.5), p99: pct(syncDurations, 0.99) },
        kernelCheck: lastCheck,
      },
    };
  } finally {
    ac.abort();
    client.close();
  }
}

const RESULT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'scale.json');
const runId = new Date().toISOString();
try {
  const prev = existsSync(RESULT) ? (JSON.parse(readFileSync(RESULT, 'utf8')) as { runs?: Record<string, unknown> }).runs ?? {} : {};
  const runs: Record<string, unknown> = { ...prev };
  for (const c of CONFIGS) {
    const r = await oneConfig(c.mode, c.nodes);
    runs[`${c.mode}-${c.nodes}n-${PODS}p-${SERVICES}s-${PROXY_MODE}`] = { ...r, runId };
    writeResult('scale', { machine: { cpus: (await import('node:os')).cpus().length }, runs });
  }
} finally {
  for (const lab of labs) await run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 300_000 });
}
