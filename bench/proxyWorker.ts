// Runs INSIDE a scratch node netns (spawned by proxy.bench.ts): one mode × one size.
// argv: mode lbStyle N nodeNsPath rawNsPath backendIP1 backendIP2
import net from 'node:net';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ProxyRunner } from '../src/proxy/runner.js';
import { buildEndpointsMap, buildServiceMap } from '../src/proxy/tracker.js';
import { buildTable } from '../src/proxy/iptables/rules.js';
import { buildDesired, haveFromSave, planSync } from '../src/proxy/iptables/sync-plan.js';
import type { IptablesProxier } from '../src/proxy/iptables/proxier.js';
import { buildNft, type LbStyle } from '../src/proxy/nftables/rules.js';
import { nsExec } from '../src/net/exec.js';
import type { ProxyMode } from '../src/proxy/types.js';

const [mode, lbStyle, nS, nodeNs, rawNs, b1, b2, applyArg] = process.argv.slice(2) as [ProxyMode, LbStyle, string, string, string, string, string, string | undefined];
const apply = applyArg === 'exec' ? 'exec' : undefined;
if ((mode as string) === 'throughput') { await throughput(); process.exit(0); }
const N = Number(nS);
const ip = (i: number): string => `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const services: Service[] = [], slices: EndpointSlice[] = [];
function slice(i: number, eps: string[]): EndpointSlice {
  return { addressType: 'IPv4', metadata: { namespace: 'bench', name: `s${i}-x`, labels: { 'kubernetes.io/service-name': `s${i}` } }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: eps.map((a) => ({ addresses: [a], conditions: { ready: true } })) };
}
// The probed service is the one whose rules come LAST in KUBE-SERVICES (rules are ordered by name): the worst case.
const target = Array.from({ length: N }, (_, k) => k + 1).sort((a, b) => (`s${a}` < `s${b}` ? -1 : 1)).pop()!;
for (let i = 1; i <= N; i++) {
  services.push({ metadata: { namespace: 'bench', name: `s${i}` }, spec: { type: 'ClusterIP', clusterIP: ip(i), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  slices.push(slice(i, i === target ? [b1, b2] : [`10.200.${i >> 8 & 255}.${i & 255}`, `10.201.${i >> 8 & 255}.${i & 255}`]));
}
const ms = (t0: number): number => Math.round((performance.now() - t0) * 100) / 100;

const runner = await ProxyRunner.create(mode, { netns: nodeNs, clusterCidr: '10.244.0.0/16', nodeIPs: ['192.168.88.1'], minSyncPeriodMs: 0, lbStyle, apply } as never);
for (const s of services) runner.services.set(s.metadata!.name!, s);
for (const s of slices) runner.slices.set(s.metadata!.name!, s);
let t0 = performance.now();
const first = await runner.syncNow();
if (runner.lastError) throw runner.lastError;
const fullSyncMs = ms(t0);
const fullSyncRestores = mode === 'iptables' ? (runner.proxier as IptablesProxier).lastRestores : null;

// Raw load of the same generated ruleset into an empty scratch netns.
let rawLoadMs: number | null = null, generateMs: number | null = null, rawLoadFlushMs: number | null = null;
let rawIpt: ReturnType<typeof buildTable> | undefined, rawNft: ReturnType<typeof buildNft> | undefined;
if (mode === 'iptables' || mode === 'nftables') {
  t0 = performance.now();
  const sm = buildServiceMap(services), em = buildEndpointsMap(slices);
  if (mode === 'iptables') rawIpt = buildTable(sm, em, { clusterCidr: '10.244.0.0/16' }); else rawNft = buildNft(sm, em, { clusterCidr: '10.244.0.0/16' }, lbStyle, null);
  const payload = rawIpt ? rawIpt.payload : rawNft!.script;
  generateMs = ms(t0);
  t0 = performance.now();
  await nsExec(rawNs, mode === 'iptables' ? ['iptables-restore', '--noflush'] : ['nft', '-f', '-'], { input: payload });
  rawLoadMs = ms(t0);
  if (mode === 'iptables') {
    // For comparison: the same payload without --noflush (flushes the whole tables, which kube-proxy must not do).
    await nsExec(rawNs, ['iptables', '-t', 'nat', '-F']); await nsExec(rawNs, ['iptables', '-t', 'nat', '-X']);
    await nsExec(rawNs, ['iptables', '-t', 'filter', '-F']); await nsExec(rawNs, ['iptables', '-t', 'filter', '-X']);
    t0 = performance.now();
    await nsExec(rawNs, ['iptables-restore'], { input: payload });
    rawLoadFlushMs = ms(t0);
  }
}

// One changed service (its endpoints move).
const mid = Math.max(1, N >> 1) === target ? 1 : Math.max(1, N >> 1);
runner.slices.set(`s${mid}-x`, slice(mid, ['10.202.0.1', '10.202.0.2']));
t0 = performance.now();
const change = await runner.syncNow();
if (runner.lastError) throw runner.lastError;
const oneChangeMs = ms(t0);
const oneChangeRestores = mode === 'iptables' ? (runner.proxier as IptablesProxier).lastRestores : null;

// The incremental result must equal a full sync's: iptables — a full sync planned against the kernel as it is now
// (read back with iptables-save) finds nothing to write; nftables — the table equals a full sync of the same objects
// loaded into the scratch netns (listings compared line by line, order-insensitive).
let incrementalEqualsFull: boolean | null = null;
let incrementalDiff: string | undefined;
// The raw reference for one change, in the scratch netns holding the raw load: iptables — the partial restore
// upstream kube-proxy writes (filter table + nat KUBE-SERVICES in full + the changed service's chains, --noflush);
// nftables — the incremental transaction (changed chains + element diff) by `nft -f`.
let rawOneChangeMs: number | null = null;
{
  const sm = buildServiceMap(services), em = buildEndpointsMap([...runner.slices.values()]);
  if (rawIpt) {
    const partial = buildTable(sm, em, { clusterCidr: '10.244.0.0/16' }, { fingerprints: rawIpt.fingerprints, natChains: rawIpt.natChains }).payload;
    t0 = performance.now();
    await nsExec(rawNs, ['iptables-restore', '--noflush'], { input: partial });
    rawOneChangeMs = ms(t0);
  } else if (rawNft) {
    const inc = buildNft(sm, em, { clusterCidr: '10.244.0.0/16' }, lbStyle, rawNft.state).script;
    t0 = performance.now();
    await nsExec(rawNs, ['nft', '-f', '-'], { input: inc });
    rawOneChangeMs = ms(t0);
  }
  if (mode === 'iptables') {
    const dump = (await nsExec(nodeNs, ['iptables-save'])).stdout;
    const plan = planSync(buildDesired(sm, em, { clusterCidr: '10.244.0.0/16', nodeIPs: ['192.168.88.1'] }), haveFromSave(dump), { firewallJumps: true });
    incrementalEqualsFull = plan.payloads.length === 0;
    if (!incrementalEqualsFull) incrementalDiff = plan.payloads.join('').slice(0, 600);
  } else if (mode === 'nftables') {
    await nsExec(rawNs, ['nft', 'delete', 'table', 'ip', 'kube-proxy']);
    const full = buildNft(sm, em, { clusterCidr: '10.244.0.0/16', nodePortAddresses: ['primary'], nodeIPs: ['192.168.88.1'], nodePortIPs: ['192.168.88.1'] } as never, lbStyle, null).script;
    await nsExec(rawNs, ['nft', '-f', '-'], { input: full });
    const list = async (ns: string): Promise<string> => (await nsExec(ns, ['nft', 'list', 'table', 'ip', 'kube-proxy'])).stdout.split('\n').map((l) => l.trim().replace(/,$/, '')).filter(Boolean).sort().join('\n');
    const [a, b] = [await list(nodeNs), await list(rawNs)];
    incrementalEqualsFull = a === b;
    if (!incrementalEqualsFull) process.stderr.write(`incremental != full (nft): ${a.length} vs ${b.length} chars\n`);
  }
}

// First-packet connect latency to the last-added service (new connection each time, from this netns).
async function connectUs(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const s = net.connect({ host, port }, () => { const us = Number(process.hrtime.bigint() - t) / 1000; s.destroy(); resolve(us); });
    s.on('error', reject);
  });
}
const lat: number[] = [];
for (let i = 0; i < 20; i++) await connectUs(ip(target), 80); // warm-up
for (let i = 0; i < 300; i++) lat.push(await connectUs(ip(target), 80));
lat.sort((a, b) => a - b);
const pct = (p: number): number => Math.round(lat[Math.floor(p * (lat.length - 1))]! * 10) / 10;
await runner.proxier.cleanup();
await runner.stop();
const applyPath = mode === 'nftables' ? (runner.proxier as unknown as { applyPath: string }).applyPath : undefined;
process.stdout.write(JSON.stringify({ mode, lbStyle: mode === 'nftables' ? lbStyle : undefined, apply: applyPath, services: N, date: new Date().toISOString(), endpointsPerService: 2,
  fullSyncMs, proxierReportedMs: Math.round(first!.durationMs), rules: first!.rules, generateMs, rawLoadMs, rawLoadFlushMs, fullSyncRestores, oneChangeMs, rawOneChangeMs, oneChangeWritten: change!.changed, oneChangeRestores, incrementalEqualsFull, incrementalDiff,
  connectUs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99) } }) + '\n');
process.exit(0);

/** userspace-mode throughput vs socat forwarding vs direct, with iperf3 (server on b1:5201 in the backend netns). */
async function throughput(): Promise<void> {
  const { exec } = await import('../src/util/exec.js');
  const { spawn } = await import('node:child_process');
  const iperf = async (host: string, port: number): Promise<number> => {
    const { stdout } = await exec(['iperf3', '-c', host, '-p', String(port), '-t', '3', '-J'], { timeoutMs: 30_000 });
    return Math.round((JSON.parse(stdout) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second / 1e6);
  };
  const direct = await iperf(b1, 5201);
  const runner = await ProxyRunner.create('userspace', { netns: nodeNs, nodeIPs: ['192.168.88.1'], minSyncPeriodMs: 0 } as never);
  runner.services.set('t', { metadata: { namespace: 'bench', name: 't' }, spec: { clusterIP: '10.96.0.50', ports: [{ name: 'iperf', port: 5201, protocol: 'TCP' }] } });
  runner.slices.set('t', { addressType: 'IPv4', metadata: { namespace: 'bench', name: 't', labels: { 'kubernetes.io/service-name': 't' } }, ports: [{ name: 'iperf', port: 5201, protocol: 'TCP' }], endpoints: [{ addresses: [b1] }] });
  await runner.syncNow();
  if (runner.lastError) throw runner.lastError;
  const userspace = await iperf('10.96.0.50', 5201);
  await runner.proxier.cleanup();
  await runner.stop();
  const socat = spawn('socat', ['TCP-LISTEN:15201,fork,reuseaddr', `TCP:${b1}:5201`], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  let viaSocat = 0;
  try { viaSocat = await iperf('127.0.0.1', 15201); } finally { socat.kill('SIGKILL'); }
  process.stdout.write(JSON.stringify({ mode: 'userspace-throughput', tool: 'iperf3 -t 3 (Mbit/s)', directMbps: direct, userspaceProxyMbps: userspace, socatMbps: viaSocat }) + '\n');
}
