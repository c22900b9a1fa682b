/**
 * Cluster DNS benchmark: dnsperf against `podnet dns`, against bind9 (named) serving the same
 * records as an authoritative zone and against dnsmasq serving them from a hosts file, same
 * machine, same query file, same run. Everything listens on 127.0.0.1 only; each dnsperf run is
 * bounded in time. Writes bench/results/dns.json.
 *
 * The machine is shared and noisy, so the servers take turns for a few rounds and each reports
 * its median round (by qps); every round's figures are kept in the result.
 *
 * dnsperf is a closed loop: it keeps -q queries outstanding, so a query waits behind the others
 * and the mean latency is about outstanding ÷ qps (Little's law) whatever the server does; the
 * p99 follows. The headline load is 4 clients × 100 outstanding; the sweep gives qps and p99 of
 * both servers for every clients × outstanding cell under the same load.
 *
 *   node dist/bench/dns.bench.js [--services 1000] [--seconds 5] [--rounds 3] [--udp-workers auto|N|none]
 *                                [--udp-worker-kind threads|processes] [--clients 4] [--outstanding 100]
 *                                [--dnsperf-threads 1] [--clients-sweep 1,2,4,8] [--outstanding-sweep 20,50,100,200]
 *                                [--sweep-seconds 2] [--out bench/results/dns.json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { exec } from '../src/util/exec.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const arg = (name: string, def: number): number => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const N = arg('services', 1000);
const SECONDS = arg('seconds', 5);
const ROUNDS = arg('rounds', 3);
// 'none' leaves the flag out (to measure builds from before it existed).
const strArg = (name: string, def: string): string => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : def; };
const UDP_WORKERS = strArg('udp-workers', 'auto');
const UDP_KIND = strArg('udp-worker-kind', 'threads');
const OUT = strArg('out', '');
// The load of the headline rounds: dnsperf clients (sockets), queries outstanding in all (-q), dnsperf threads (-T).
const CLIENTS = arg('clients', 4);
const OUTSTANDING = arg('outstanding', 100);
const DNSPERF_THREADS = arg('dnsperf-threads', 1);
// The sweep: every dnsperf client count × every outstanding-queries total, short runs, the servers
// taking turns with the same load ('' = none). dnsmasq joins only the cells at the headline -q.
const nums = (s: string): number[] => s.split(',').map(Number).filter((n) => n > 0);
const SWEEP = nums(strArg('clients-sweep', '1,2,4,8'));
const SWEEP_OUTSTANDING = nums(strArg('outstanding-sweep', '20,50,100,200'));
const SWEEP_SECONDS = arg('sweep-seconds', 2);
let scratch = tmpdir();
const ZONE = 'cluster.local';

function freePort(): Promise<number> {
  return new Promise((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => res(p)); }); });
}
async function waitUdp(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await exec(['dig', '+short', '+time=1', '+tries=1', '-p', String(port), '@127.0.0.1', `svc-0.bench.svc.${ZONE}`], { allowFail: true });
    // dig +short prints errors ("connection refused", "timed out") on stdout too: wait for an address.
    if (/^\d+\.\d+\.\d+\.\d+$/m.test(r.stdout)) return;
    await new Promise((x) => setTimeout(x, 200));
  }
  throw new Error(`server on ${port} never answered`);
}

interface Run { qps: number; avgLatencyMs: number; p99LatencyMs: number; queriesSent: number; queriesCompleted: number; lost: number; lostPercent: number }
/**
 * One dnsperf run. Its per-query lines (-v, for the p99) go to a file and are read after the run,
 * so nothing reads a pipe while it measures (a reader on the same 2 cores would add its own delay
 * to both servers' latencies).
 */
async function dnsperf(port: number, queryFile: string, clients = CLIENTS, outstanding = OUTSTANDING, seconds = SECONDS): Promise<Run> {
  const outFile = join(scratch, `dnsperf-${port}-${clients}-${outstanding}.out`);
  const fd = openSync(outFile, 'w');
  try {
    await new Promise<void>((res, rej) => {
      const p = spawn('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), '-c', String(clients), '-q', String(outstanding), '-T', String(DNSPERF_THREADS), '-v'], { stdio: ['ignore', fd, 'ignore'] });
      const timer = setTimeout(() => p.kill('SIGKILL'), (seconds + 30) * 1000);
      p.on('error', (e) => { clearTimeout(timer); rej(e); });
      p.on('close', (code) => { clearTimeout(timer); if (code === 0) res(); else rej(new Error(`dnsperf exited ${code}`)); });
    });
  } finally {
    closeSync(fd);
  }
  const stdout = readFileSync(outFile, 'utf8');
  rmSync(outFile, { force: true });
  const lat: number[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^> NOERROR \S+ \S+ ([0-9.]+)$/.exec(line);
    if (m) lat.push(Number(m[1]) * 1000);
  }
  lat.sort((a, b) => a - b);
  const num = (re: RegExp): number => Number(re.exec(stdout)?.[1] ?? NaN);
  return {
    qps: num(/Queries per second:\s+([0-9.]+)/),
    avgLatencyMs: num(/Average Latency \(s\):\s+([0-9.]+)/) * 1000,
    p99LatencyMs: lat.length ? lat[Math.floor(lat.length * 0.99)]! : NaN,
    queriesSent: num(/Queries sent:\s+(\d+)/),
    queriesCompleted: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    lostPercent: 100 * num(/Queries lost:\s+(\d+)/) / num(/Queries sent:\s+(\d+)/),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-dnsbench-'));
  scratch = dir;
  const procs: ChildProcess[] = [];
  try {
    // The same records for both servers.
    const docs: string[] = [`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}}`];
    const zone: string[] = [
      `$TTL 5`, `@ IN SOA ns.dns.${ZONE}. hostmaster.${ZONE}. 1 7200 1800 86400 5`, `@ IN NS ns.dns.${ZONE}.`, `ns.dns IN A 10.96.0.10`,
    ];
    const queries: string[] = [];
    const hosts: string[] = [];
    for (let i = 0; i < N; i++) {
      const ip = `10.96.${Math.floor((i + 20) / 250)}.${((i + 20) % 250) + 1}`;
      docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'bench', name: `svc-${i}` }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } }));
      zone.push(`svc-${i}.bench.svc IN A ${ip}`);
      hosts.push(`${ip} svc-${i}.bench.svc.${ZONE}`);
      queries.push(`svc-${i}.bench.svc.${ZONE} A`);
    }
    writeFileSync(join(dir, 'records.yaml'), docs.join('\n---\n') + '\n');
    writeFileSync(join(dir, 'db.cluster.local'), zone.join('\n') + '\n');
    writeFileSync(join(dir, 'queries.txt'), queries.join('\n') + '\n');
    writeFileSync(join(dir, 'hosts'), hosts.join('\n') + '\n');

    const ourPort = await freePort();
    const ours = spawn(join(root, 'bin', 'podnet'), ['dns', '--records-file', join(dir, 'records.yaml'), '--listen', `127.0.0.1:${ourPort}`, '--http-listen', '127.0.0.1:0', '--dns-ip', '10.96.0.10', ...(UDP_WORKERS === 'none' ? [] : ['--udp-workers', UDP_WORKERS, '--udp-worker-kind', UDP_KIND])], { stdio: 'ignore' });
    procs.push(ours);

    const bindPort = await freePort();
    mkdirSync(join(dir, 'bind'));
    writeFileSync(join(dir, 'named.conf'), `options {
  directory "${join(dir, 'bind')}";
  pid-file "${join(dir, 'bind', 'named.pid')}";
  listen-on port ${bindPort} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  allow-query { 127.0.0.1; };
  notify no;
};
controls { };
zone "${ZONE}" { type master; file "${join(dir, 'db.cluster.local')}"; };
`);
    const named = spawn('/usr/sbin/named', ['-g', '-n', '2', '-c', join(dir, 'named.conf')], { stdio: 'ignore' });
    procs.push(named);
    // dnsmasq: the same names from a hosts file; the zone is local (never forwarded), nothing else read.
    const dnsmasqPort = await freePort();
    const dnsmasq = spawn('/usr/sbin/dnsmasq', ['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
      `--addn-hosts=${join(dir, 'hosts')}`, `--local=/${ZONE}/`, '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${dnsmasqPort}`,
      '--cache-size=10000', '--dns-forward-max=1000', '--user=root', `--pid-file=${join(dir, 'dnsmasq.pid')}`], { stdio: 'ignore' });
    procs.push(dnsmasq);
    await waitUdp(ourPort);
    await waitUdp(bindPort);
    await waitUdp(dnsmasqPort);

    const podnetRuns: Run[] = [];
    const bindRuns: Run[] = [];
    const dnsmasqRuns: Run[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      process.stderr.write(`round ${r + 1}/${ROUNDS}: ${CLIENTS} clients, ${OUTSTANDING} outstanding, ${SECONDS} s each\n`);
      podnetRuns.push(await dnsperf(ourPort, join(dir, 'queries.txt')));
      bindRuns.push(await dnsperf(bindPort, join(dir, 'queries.txt')));
      dnsmasqRuns.push(await dnsperf(dnsmasqPort, join(dir, 'queries.txt')));
    }
    // qps and p99 against dnsperf clients × queries outstanding, one short run each
    const clientsSweep: { clients: number; outstanding: number; podnet: Run; bind9: Run; dnsmasq?: Run }[] = [];
    const q = join(dir, 'queries.txt');
    for (const outstanding of SWEEP_OUTSTANDING) {
      for (const clients of SWEEP) {
        if (outstanding < clients) continue;
        process.stderr.write(`sweep: ${clients} clients, ${outstanding} outstanding\n`);
        const cell: (typeof clientsSweep)[number] = { clients, outstanding, podnet: await dnsperf(ourPort, q, clients, outstanding, SWEEP_SECONDS), bind9: await dnsperf(bindPort, q, clients, outstanding, SWEEP_SECONDS) };
        if (outstanding === OUTSTANDING) cell.dnsmasq = await dnsperf(dnsmasqPort, q, clients, outstanding, SWEEP_SECONDS);
        clientsSweep.push(cell);
      }
    }
    const median = (runs: Run[]): Run => [...runs].sort((a, b) => a.qps - b.qps)[Math.floor(runs.length / 2)]!;
    const podnet = median(podnetRuns);
    const bind9 = median(bindRuns);
    const dnsmasqRun = median(dnsmasqRuns);
    const result = {
      benchmark: 'cluster DNS: dnsperf A queries for ClusterIP Services',
      date: new Date().toISOString(),
      services: N, seconds: SECONDS, rounds: ROUNDS, dnsperf: { clients: CLIENTS, outstanding: OUTSTANDING, threads: DNSPERF_THREADS },
      machine: { cpus: availableParallelism(), node: process.version },
      podnet, bind9, dnsmasq: dnsmasqRun,
      ratio: { qps: podnet.qps / bind9.qps, avgLatency: podnet.avgLatencyMs / bind9.avgLatencyMs, p99Latency: podnet.p99LatencyMs / bind9.p99LatencyMs },
      ratioDnsmasq: { qps: podnet.qps / dnsmasqRun.qps, avgLatency: podnet.avgLatencyMs / dnsmasqRun.avgLatencyMs, p99Latency: podnet.p99LatencyMs / dnsmasqRun.p99LatencyMs },
      allRounds: { podnet: podnetRuns, bind9: bindRuns, dnsmasq: dnsmasqRuns },
      clientsSweep, sweepSeconds: SWEEP_SECONDS, sweepOutstanding: SWEEP_OUTSTANDING,
      notes: `dnsperf -c ${CLIENTS} -q ${OUTSTANDING} -T ${DNSPERF_THREADS} for the rounds (the same for every server), its per-query lines written to a file and read after each run. Closed loop: mean latency ≈ outstanding ÷ qps, so at -q 200 and ~100k qps no server can have a p99 under ~2 ms on this machine (see clientsSweep). podnet dns --udp-workers ${UDP_WORKERS} --udp-worker-kind ${UDP_KIND} (threads: each polls the one UDP socket and reads/writes up to 64 datagrams per recvmmsg/sendmmsg, answering from precomputed wire answers; the main thread keeps the view, TCP and the full path); named runs with -n 2 worker threads; dnsmasq (single-threaded) answers from a hosts file with the zone local. All serve the same records from 127.0.0.1; the servers take turns for ${ROUNDS} rounds and each reports its median round by qps. p99 from dnsperf -v's per-query latencies.`,
    };
    const out = OUT || join(root, 'bench', 'results', 'dns.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
await main();
