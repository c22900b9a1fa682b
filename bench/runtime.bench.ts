/**
 * Pod start benchmark (issue 13): time from `PodRuntime.sync(pod)` until the container's first log
 * line (`started`), and the memory (PSS, from /proc/PID/smaps_rollup) of each container's process
 * tree (shim, nsenter→unshare, init, command), for N pods in a row:
 * - `busybox`: a root filesystem (overlay over the stored image, pivot_root, /proc, /dev, binds);
 * - reference in the same run: `podnet/host`, the host's view (no rootfs, bash init) — the way
 *   every container started before images were root filesystems;
 * - with `--baseline <dist>`: the same host-view pods with another build's PodRuntime (e.g. main's);
 * - the bare launch of one container that runs `sh -c 'echo started'` to its end, 20 times: our
 *   launcher (`rootfsProcessArgv`: overlay, binds, pivot_root) against `runc run` (1.1.5, foreground)
 *   on a bundle over the same image layer (read-only root, no overlay, the caller's netns), and the
 *   PSS of a foreground `runc run` process that stays beside each running container.
 * Pods get a pause sandbox and netns but no CNI (network set-up is the same for every variant).
 * Needs root; run under the e2e lock. Not a test; no assertion on time.
 *
 *   flock /tmp/podnet-e2e.lock node dist/bench/runtime.bench.js [--pods 20] [--baseline /path/to/dist]
 * Writes bench/results/runtime.json.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/util/log.js';
import type { PodRuntime } from '../src/kubelet/runtime.js';
import type { PodLite } from '../src/kubelet/types.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rootfsProcessArgv } from '../src/net/nsproc.js';
import { ImageStore } from '../src/kubelet/images/index.js';
import { pct, round, writeResult } from './stats.js';

const args = process.argv.slice(2);
const argOf = (name: string): string | undefined => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const PODS = Number(argOf('pods') ?? 20);
const BASELINE = argOf('baseline');

type RuntimeCtor = new (o: ConstructorParameters<typeof PodRuntime>[0]) => PodRuntime;

function pss(pid: number): number {
  try { return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0); } catch { return 0; }
}
function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try { out.push(...readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)); } catch { /* gone */ }
  }
  return out;
}

interface Variant { name: string; startP50Ms: number; startP90Ms: number; startMinMs: number; startMaxMs: number; pssPerContainerKiB: number; processesPerContainer: number }

async function run(name: string, Runtime: RuntimeCtor, image: string): Promise<Variant> {
  const stateDir = mkdtempSync(join(tmpdir(), 'pn-bench-rt-'));
  const rt = new Runtime({ stateDir, nodeName: 'bench', nodeIP: '192.168.250.10', clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', log: createLogger('bench', 'warn') });
  const times: number[] = [];
  const uids: string[] = [];
  try {
    for (let i = 0; i < PODS; i++) {
      const uid = `bench-${name.replace(/\W/g, '')}-${i}`;
      uids.push(uid);
      const pod: PodLite = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'bench', uid }, spec: { containers: [{ name: 'c', image, command: ['sh', '-c', 'echo started; exec sleep 3600'] }] } };
      const t0 = performance.now();
      await rt.sync(pod);
      const log = join(stateDir, 'logs', `bench_p${i}_${uid}`, 'c', '0.log');
      for (;;) {
        if (existsSync(log) && readFileSync(log, 'utf8').includes('started')) break;
        if (performance.now() - t0 > 20_000) throw new Error(`${name}: pod ${i} did not start`);
        await new Promise((r) => setTimeout(r, 2));
      }
      times.push(performance.now() - t0);
    }
    let kib = 0; let procs = 0;
    for (const uid of uids) {
      const st = JSON.parse(readFileSync(join(stateDir, 'pods', uid, 'state.json'), 'utf8')) as { containers: { c: { proc: { shimPid: number } } } };
      const t = tree(st.containers.c.proc.shimPid);
      procs += t.length;
      kib += t.reduce((a, p) => a + pss(p), 0);
    }
    return { name, startP50Ms: round(pct(times, 0.5), 1), startP90Ms: round(pct(times, 0.9), 1), startMinMs: round(Math.min(...times), 1), startMaxMs: round(Math.max(...times), 1), pssPerContainerKiB: Math.round(kib / uids.length), processesPerContainer: round(procs / uids.length, 1) };
  } finally {
    for (const uid of uids) await rt.kill(uid, 0);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Bare launches: our launcher vs runc run, same image layer, 20 each; runc's resident cost. */
async function launches(): Promise<Record<string, number>> {
  const store = new ImageStore();
  const lower = store.rootfs(store.manifest('busybox'));
  const d = mkdtempSync(join(tmpdir(), 'pn-bench-launch-'));
  try {
    mkdirSync(join(d, 'etc'));
    for (const f of ['hosts', 'resolv.conf', 'hostname']) writeFileSync(join(d, 'etc', f), '');
    const ours: number[] = [];
    for (let i = 0; i < 20; i++) {
      const argv = rootfsProcessArgv({ netnsPath: `/proc/${process.pid}/ns/net`, hostname: 'b', lower, upper: join(d, `${i}/upper`), work: join(d, `${i}/work`), merged: join(d, `${i}/rootfs`),
        binds: ['hosts', 'resolv.conf', 'hostname'].map((f) => ({ source: join(d, 'etc', f), target: `/etc/${f}` })), workingDir: '/', user: '', argv: ['sh', '-c', 'echo started'], path: '/bin/sh' });
      const t = performance.now();
      execFileSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'ignore'] });
      ours.push(performance.now() - t);
    }
    const out: Record<string, number> = { oursLaunchP50Ms: round(pct(ours, 0.5), 1) };
    let runc = '';
    try { runc = execFileSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).trim(); } catch { return out; }
    const bundle = join(d, 'bundle');
    mkdirSync(bundle);
    execFileSync(runc, ['spec'], { cwd: bundle });
    const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { root: { path: string; readonly: boolean }; process: { terminal: boolean; args: string[] }; linux: { namespaces: { type: string }[] } };
    spec.root = { path: lower, readonly: true };
    spec.process.terminal = false;
    spec.process.args = ['sh', '-c', 'echo started'];
    spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'network');
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
    const state = join(d, 'runc-state');
    const rc: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      execFileSync(runc, ['--root', state, 'run', '--bundle', bundle, `bench-${process.pid}-${i}`], { stdio: ['ignore', 'ignore', 'ignore'] });
      rc.push(performance.now() - t);
    }
    out.runcLaunchP50Ms = round(pct(rc, 0.5), 1);
    spec.process.args = ['sleep', '3'];
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
    const c = spawn(runc, ['--root', state, 'run', '--bundle', bundle, `bench-${process.pid}-resident`], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
    out.runcResidentPssKiB = pss(c.pid!);
    await new Promise((r) => c.once('exit', r));
    return out;
  } finally { rmSync(d, { recursive: true, force: true }); }
}

async function main(): Promise<void> {
  const { PodRuntime: Ours } = await import('../src/kubelet/runtime.js');
  const variants: Variant[] = [];
  variants.push(await run('rootfs (busybox)', Ours as RuntimeCtor, 'busybox'));
  variants.push(await run('host view (podnet/host), same build', Ours as RuntimeCtor, 'podnet/host'));
  if (BASELINE) {
    const mod = await import(resolve(BASELINE, 'src/kubelet/runtime.js')) as { PodRuntime: RuntimeCtor };
    variants.push(await run(`baseline build ${BASELINE} (podnet/shell, host view)`, mod.PodRuntime, 'podnet/shell'));
  }
  const ref = variants[1]!;
  const result = {
    pods: PODS, cpus: cpus().length, loadavg: loadavg().map((x) => round(x, 2)), when: new Date().toISOString(),
    variants, startP50RatioToHostView: round(variants[0]!.startP50Ms / ref.startP50Ms, 2), pssRatioToHostView: round(variants[0]!.pssPerContainerKiB / ref.pssPerContainerKiB, 2),
    launch: await launches(),
    leftover: readdirSync('/run/netns').filter((n) => n.startsWith('cni-')).length,
  };
  writeResult('runtime', result);
}

await main();
