// Proxy benchmarks: full sync vs raw load, one-service change, first-packet connect latency; per mode.
// Run as root: node dist/bench/proxy.bench.js [sizes...]   → bench/results/proxy.json
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { exec } from '../src/util/exec.js';
import { createNamedNetns, deleteNamedNetns, netnsPath } from '../src/net/netns.js';

const here = (f: string): string => new URL(f, import.meta.url).pathname;
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const SIZES = sizes.length ? sizes : [10, 1000, 10000];
const onlyThroughput = process.env.PROXY_BENCH_ONLY_THROUGHPUT === '1';
/** PROXY_BENCH_MODES=iptables,nftables:cascade — run only these cases (rows of other cases are kept from the file). */
const onlyModes = process.env.PROXY_BENCH_MODES?.split(',').filter(Boolean);
const CASES: { mode: string; lb: string; max: number; apply?: 'exec' }[] = [
  { mode: 'iptables', lb: '-', max: Infinity },
  { mode: 'nftables', lb: 'cascade', max: Infinity },
  // the same through one `nft -f -` process per sync (no libnftables context, cold nft cache each time)
  { mode: 'nftables', lb: 'cascade', apply: 'exec', max: Infinity },
  { mode: 'nftables', lb: 'vmap', max: 3000 },   // upstream's anonymous vmap: superlinear in nft 1.0.6
  { mode: 'userspace', lb: '-', max: Infinity },
];

async function one(mode: string, lb: string, n: number, apply?: string): Promise<unknown> {
  return inTopo(mode, n, async (node, raw) => (await exec(['ip', 'netns', 'exec', node, process.execPath, here('./proxyWorker.js'), mode, lb === '-' ? 'cascade' : lb, String(n), netnsPath(node), netnsPath(raw), '10.244.1.11', '10.244.1.12', ...(apply ? [apply] : [])], { timeoutMs: 900_000 })).stdout, lb);
}

async function inTopo(mode: string, n: number, body: (node: string, raw: string) => Promise<string>, lb = '-'): Promise<unknown> {
  const id = randomBytes(2).toString('hex');
  const node = `pn-bpx-${id}-n`, raw = `pn-bpx-${id}-r`, be = `pn-bpx-${id}-b`;
  const made = [node, raw, be];
  let echo: ReturnType<typeof spawn> | undefined;
  let iperfSrv: ReturnType<typeof spawn> | undefined;
  try {
    for (const ns of made) await createNamedNetns(ns);
    await exec(['ip', '-n', node, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netnsPath(be)]);
    await exec(['ip', '-n', node, 'addr', 'add', '10.244.1.1/24', 'dev', 'eth0']);
    await exec(['ip', '-n', node, 'addr', 'add', '192.168.88.1/24', 'dev', 'lo']);
    await exec(['ip', '-n', node, 'link', 'set', 'eth0', 'up']);
    await exec(['ip', '-n', be, 'addr', 'add', '10.244.1.11/24', 'dev', 'eth0']);
    await exec(['ip', '-n', be, 'addr', 'add', '10.244.1.12/24', 'dev', 'eth0']);
    await exec(['ip', '-n', be, 'link', 'set', 'eth0', 'up']);
    await exec(['ip', '-n', be, 'route', 'add', 'default', 'via', '10.244.1.1']);
    await exec(['ip', '-n', node, 'route', 'add', 'default', 'via', '10.244.1.11']);
    echo = spawn('ip', ['netns', 'exec', be, process.execPath, new URL('../test/support/proxyEcho.js', import.meta.url).pathname, 'b', '8080'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => createInterface({ input: echo!.stdout! }).once('line', () => r()));
    if (mode === 'throughput') iperfSrv = spawn('ip', ['netns', 'exec', be, 'iperf3', '-s', '-B', '10.244.1.11'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, mode === 'throughput' ? 300 : 0));
    const stdout = await body(node, raw);
    return JSON.parse(stdout.trim().split('\n').pop()!);
  } catch (e) {
    return { mode, lbStyle: lb, services: n, error: (e as Error).message.slice(0, 500) };
  } finally {
    if (echo?.pid && echo.exitCode === null) process.kill(echo.pid, 'SIGKILL');
    if (iperfSrv?.pid && iperfSrv.exitCode === null) process.kill(iperfSrv.pid, 'SIGKILL');
    for (const ns of made) await deleteNamedNetns(ns);
  }
}

const results: unknown[] = [];
for (const n of onlyThroughput ? [] : SIZES) for (const c of CASES) {
  if (n > c.max) continue;
  if (onlyModes && !onlyModes.some((m) => m === c.mode || m === `${c.mode}:${c.lb}` || m === `${c.mode}:${c.lb}:${c.apply ?? 'lib'}`)) continue;
  const r = await one(c.mode, c.lb, n, c.apply);
  process.stderr.write(JSON.stringify(r) + '\n');
  results.push(r);
}
if (!process.env.PROXY_BENCH_NO_THROUGHPUT && !onlyModes) {
  const r = await inTopo('throughput', 1, async (node, raw) => (await exec(['ip', 'netns', 'exec', node, process.execPath, here('./proxyWorker.js'), 'throughput', '-', '1', netnsPath(node), netnsPath(raw), '10.244.1.11', '10.244.1.12'], { timeoutMs: 120_000 })).stdout);
  process.stderr.write(JSON.stringify(r) + '\n');
  results.push(r);
}
const versions = {
  iptables: (await exec(['iptables', '--version'])).stdout.trim(), nft: (await exec(['nft', '--version'])).stdout.trim(),
  kernel: (await exec(['uname', '-r'])).stdout.trim(), node: process.version,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = new URL('./results/proxy.json', import.meta.url).pathname.replace('/dist/bench/', '/bench/');
if (onlyThroughput && existsSync(out)) {
  // Add/replace the throughput entry of an earlier full run.
  const prev = JSON.parse(readFileSync(out, 'utf8')) as { results: { mode?: string }[] };
  prev.results = [...prev.results.filter((r) => r.mode !== 'userspace-throughput'), ...results as { mode?: string }[]];
  writeFileSync(out, JSON.stringify(prev, null, 2) + '\n');
  process.stderr.write(`updated ${out}\n`);
  process.exit(0);
}
// Rows this run did not measure (other sizes / modes, the throughput row) are kept from the previous file.
type Row = { mode?: string; lbStyle?: string; services?: number; apply?: string };
// nftables rows without `apply` are from before libnftables: they count as the lib row's predecessor
const rowKey = (r: Row): string => `${r.mode}|${r.lbStyle ?? '-'}|${r.services ?? '-'}|${r.apply === 'exec' ? 'exec' : ''}`;
if (existsSync(out)) {
  const prev = JSON.parse(readFileSync(out, 'utf8')) as { date?: string; results: (Row & { date?: string })[] };
  const mine = new Set((results as Row[]).map(rowKey));
  // A kept row without its own date is from the previous file's run.
  const kept = prev.results.filter((r) => !mine.has(rowKey(r))).map((r) => ({ ...r, date: r.date ?? prev.date }));
  results.splice(0, results.length, ...[...kept, ...(results as Row[])].sort((a, b) => (a.services ?? Infinity) - (b.services ?? Infinity)));
}
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), versions, notes: [
  'fullSyncMs: first sync through the Proxier (generate + read kernel state + one iptables-restore/nft -f + jump rules)',
  'rawLoadMs: the same generated ruleset loaded by iptables-restore --noflush / nft -f into an empty scratch netns',
  'rawLoadFlushMs: iptables only, the same payload WITHOUT --noflush (whole-table replace; kube-proxy must not use it since other components own rules in nat/filter) — shows where iptables-nft 1.8.9 spends the time',
  'oneChangeMs: partial sync after one service\'s endpoints changed',
  'rawOneChangeMs: the raw reference for that change in the scratch netns: iptables = upstream kube-proxy\'s partial restore (filter + nat KUBE-SERVICES in full + the changed service\'s chains, --noflush); nftables = the incremental transaction by nft -f',
  'fullSyncRestores / oneChangeRestores: iptables-restore --noflush runs of that sync (the full sync is chunked so iptables-nft 1.8.9\'s quadratic term stays small)',
  'incrementalEqualsFull: after the one-service change, iptables: a full sync planned against iptables-save finds nothing to write; nftables: the table lists the same as a full sync of the same objects',
  'rows are merged per (mode, lbStyle, services) with the previous file: see each row\'s date',
  'connectUs: TCP connect() time from the node netns to the ClusterIP whose rule is LAST in KUBE-SERVICES (worst case; new conntrack entry each time), 300 samples after 20 warm-up',
  'nftables lbStyle vmap = upstream\'s anonymous numgen vmap per service; cascade = podnet default (numgen mod (N-i) == 0 goto per endpoint)',
  'nftables apply: lib = one long-lived libnftables context (koffi) whose nft cache is reloaded right after each commit, off the sync path (src/net/nftlib.ts); exec = one `nft -f -` process per sync (nft 1.0.6 dumps every chain before any add rule / add element / delete: ~30k chains at 10k services). The raw references are always `nft -f -` processes',
], results }, null, 2) + '\n');
process.stderr.write(`wrote ${out}\n`);
