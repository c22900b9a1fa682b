/**
 * flannel backends benchmark (issue 15): cross-node pod-to-pod TCP throughput (iperf3, one
 * stream) and latency (ping RTT) over the udp backend (flannel0 TUN + the agent's userspace UDP
 * 8285 tunnel), vxlan (kernel flannel.1) and host-gw (plain routes), against the references
 * measured in the same run: the two nodes' underlay addresses (same namespaces, no overlay) and a
 * plain veth pair between two fresh namespaces. Each backend gets its own 2-node lab, made and
 * removed in turn; everything is removed in `finally`. Not a test; no assertion on time.
 *
 *   flock /tmp/podnet-e2e.lock node dist/bench/backends.bench.js [--iperf-seconds 5] [--pings 100]
 * Writes bench/results/backends.json.
 */
import { cpus, loadavg } from 'node:os';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { exec } from '../src/util/exec.js';
import { deleteNamedNetns, netnsPath, releaseNetnsDir, NETNS_DIR } from '../src/net/netns.js';
import { processesInNetns, terminate } from '../src/lab/procs.js';
import { PODNET, must, run, until, randomLabName } from '../test/support/lab.js';
import { round, writeResult } from './stats.js';
import { HAND_VXLAN_SERVER_IP, iperfOverVeth, parseIperf, VETH_SERVER_IP, withHandVxlan, withPlainVeth, type Iperf } from './vethref.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const IPERF_SECONDS = Math.min(arg('iperf-seconds', 5), 30);
const PINGS = Math.min(arg('pings', 100), 1000);
const hadNetnsDir = existsSync(NETNS_DIR);
const labs = new Set<string>();
const refNetns = new Set<string>();

type Backend = 'udp' | 'vxlan' | 'host-gw';
interface Rtt { minMs: number; avgMs: number; maxMs: number; mdevMs: number; lossPct: number }
interface Path { iperf: Iperf; rtt: Rtt }

/** ping -q's summary lines → RTT figures. */
function parsePing(out: string): Rtt {
  const loss = /([\d.]+)% packet loss/.exec(out);
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(out);
  if (!loss || !rtt) throw new Error(`ping: ${out.slice(0, 300)}`);
  return { minMs: Number(rtt[1]), avgMs: Number(rtt[2]), maxMs: Number(rtt[3]), mdevMs: Number(rtt[4]), lossPct: Number(loss[1]) };
}
const pingArgs = (ip: string): string[] => ['ping', '-q', '-c', String(PINGS), '-i', '0.01', '-W', '1', ip];
const show = (p: Path): { gbitPerSec: number; retransmits: number; rttAvgMs: number; rttMinMs: number; rttMdevMs: number; lossPct: number } =>
  ({ gbitPerSec: round(p.iperf.bitsPerSecond / 1e9, 3), retransmits: p.iperf.retransmits, rttAvgMs: p.rtt.avgMs, rttMinMs: p.rtt.minMs, rttMdevMs: p.rtt.mdevMs, lossPct: p.rtt.lossPct });

/** A 2-node lab with the backend: iperf3 + ping pod (node1) → pod (node2), and node1 → node2 on the underlay. */
async function measureBackend(backend: Backend): Promise<{ podToPod: Path; nodeToNode: Path; upMs: number }> {
  const lab = randomLabName('bb');
  labs.add(lab);
  const t0 = Date.now();
  await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2', '--backend', backend], { timeoutMs: 300_000 });
  const upMs = Date.now() - t0;
  try {
    const kubeconfig = `/run/podnet/${lab}/api/admin.kubeconfig`;
    const kubectl = (a: string[], input?: string): Promise<string> => must('kubectl', a, { env: { KUBECONFIG: kubeconfig }, input, timeoutMs: 120_000 });
    await kubectl(['apply', '-f', '-'], [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: iperf-server}\nspec:\n  nodeName: node2\n  containers: [{name: s, image: podnet/host, command: [iperf3, -s]}]',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: iperf-client}\nspec:\n  nodeName: node1\n  containers: [{name: c, image: podnet/host, command: [sleep, "3600"]}]',
    ].join('\n---\n') + '\n');
    const serverIP = await until('iperf pods Running', async () => {
      const l = JSON.parse(await kubectl(['get', 'pods', '-o', 'json'])) as { items: { metadata: { name: string }; status: { phase?: string; podIP?: string } }[] };
      const running = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP && p.metadata.name.startsWith('iperf-'));
      return running.length === 2 ? running.find((p) => p.metadata.name === 'iperf-server')!.status.podIP : undefined;
    }, 120_000);
    await until('iperf3 server listening', async () => (await run('kubectl', ['exec', 'iperf-client', '--', 'bash', '-c', `exec 3<>/dev/tcp/${serverIP}/5201`], { env: { KUBECONFIG: kubeconfig } })).code === 0, 30_000);
    const podIperf = parseIperf(await kubectl(['exec', 'iperf-client', '--', 'iperf3', '-c', serverIP!, '-t', String(IPERF_SECONDS), '-J']));
    const podRtt = parsePing(await kubectl(['exec', 'iperf-client', '--', ...pingArgs(serverIP!)]));
    const lexec = (node: string, ...cmd: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, node, '--', ...cmd], { timeoutMs: 120_000 });
    const srv = spawn(PODNET, ['lab', 'exec', '--name', lab, 'node2', '--', 'iperf3', '-s', '-1', '-p', '5202'], { stdio: 'ignore' });
    try {
      await until('node iperf3 server', async () => (await run(PODNET, ['lab', 'exec', '--name', lab, 'node2', '--', 'ss', '-ltnH', 'sport = :5202'])).stdout.includes('LISTEN'), 30_000);
      const nodeIperf = parseIperf(await lexec('node1', 'iperf3', '-c', '192.168.138.222', '-p', '5202', '-t', String(IPERF_SECONDS), '-J'));
      const nodeRtt = parsePing(await lexec('node1', ...pingArgs('192.168.138.222')));
      return { podToPod: { iperf: podIperf, rtt: podRtt }, nodeToNode: { iperf: nodeIperf, rtt: nodeRtt }, upMs };
    } finally {
      srv.kill('SIGKILL');
    }
  } finally {
    await must(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 300_000 });
    labs.delete(lab);
  }
}

async function deleteNetns(names: string[]): Promise<void> {
  for (const n of names) {
    await terminate(processesInNetns([netnsPath(n)]), 0);
    await deleteNamedNetns(n);
    refNetns.delete(n);
  }
}

/** iperf3 and ping over a plain veth pair between two fresh namespaces. */
async function plainVeth(): Promise<Path> {
  return withPlainVeth(`pnbk${Math.random().toString(36).slice(2, 6)}`, refNetns, deleteNetns, async (a) => {
    const iperf = await iperfOverVeth(a, IPERF_SECONDS);
    const rtt = parsePing((await exec(['ip', 'netns', 'exec', a, ...pingArgs(VETH_SERVER_IP)])).stdout);
    return { iperf, rtt };
  });
}

/** iperf3 and ping over a VXLAN pair built by hand (flannel's device settings, nothing else). */
async function handVxlan(): Promise<Path> {
  return withHandVxlan(`pnhv${Math.random().toString(36).slice(2, 6)}`, refNetns, deleteNetns, async (a) => {
    const iperf = parseIperf((await exec(['ip', 'netns', 'exec', a, 'iperf3', '-c', HAND_VXLAN_SERVER_IP, '-t', String(IPERF_SECONDS), '-J'])).stdout);
    const rtt = parsePing((await exec(['ip', 'netns', 'exec', a, ...pingArgs(HAND_VXLAN_SERVER_IP)])).stdout);
    return { iperf, rtt };
  });
}

try {
  let hv: Path | undefined;
  const measured: Partial<Record<Backend, Awaited<ReturnType<typeof measureBackend>>>> = {};
  for (const b of ['udp', 'vxlan', 'host-gw'] as const) {
    process.stderr.write(`backends bench: ${b}\n`);
    measured[b] = await measureBackend(b);
    if (b === 'vxlan') { process.stderr.write('backends bench: hand-built VXLAN reference\n'); hv = await handVxlan(); }
  }
  process.stderr.write('backends bench: plain veth reference\n');
  const veth = await plainVeth();
  if (!hv) throw new Error('hand-built VXLAN reference not measured');
  const udp = measured.udp!, vx = measured.vxlan!, hg = measured['host-gw']!;
  const bps = (p: Path): number => p.iperf.bitsPerSecond;
  const result = {
    date: new Date().toISOString(),
    params: { iperfSeconds: IPERF_SECONDS, pings: PINGS, pingIntervalMs: 10, node: process.version, cpus: cpus().length, loadAverage1m: round(loadavg()[0]!, 2) },
    podToPod: { udp: show(udp.podToPod), vxlan: show(vx.podToPod), hostGw: show(hg.podToPod) },
    references: {
      plainVethPair: show(veth),
      handBuiltVxlanPair: show(hv),
      underlayNodeToNode: { inUdpLab: show(udp.nodeToNode), inVxlanLab: show(vx.nodeToNode), inHostGwLab: show(hg.nodeToNode) },
    },
    ratios: {
      // throughput: < 1 is slower than the reference; latency: > 1 is slower
      throughput_udp_vs_plainVeth: round(bps(udp.podToPod) / bps(veth)),
      throughput_vxlan_vs_plainVeth: round(bps(vx.podToPod) / bps(veth)),
      throughput_hostGw_vs_plainVeth: round(bps(hg.podToPod) / bps(veth)),
      throughput_udp_vs_underlay: round(bps(udp.podToPod) / bps(udp.nodeToNode)),
      throughput_vxlan_vs_underlay: round(bps(vx.podToPod) / bps(vx.nodeToNode)),
      throughput_hostGw_vs_underlay: round(bps(hg.podToPod) / bps(hg.nodeToNode)),
      throughput_udp_vs_vxlan: round(bps(udp.podToPod) / bps(vx.podToPod)),
      throughput_vxlan_vs_handBuiltVxlan: round(bps(vx.podToPod) / bps(hv)),
      throughput_handBuiltVxlan_vs_plainVeth: round(bps(hv) / bps(veth)),
      rttAvg_udp_vs_plainVeth: round(udp.podToPod.rtt.avgMs / veth.rtt.avgMs, 2),
      rttAvg_vxlan_vs_plainVeth: round(vx.podToPod.rtt.avgMs / veth.rtt.avgMs, 2),
      rttAvg_hostGw_vs_plainVeth: round(hg.podToPod.rtt.avgMs / veth.rtt.avgMs, 2),
      rttAvg_udp_vs_underlay: round(udp.podToPod.rtt.avgMs / udp.nodeToNode.rtt.avgMs, 2),
      rttAvg_udp_vs_vxlan: round(udp.podToPod.rtt.avgMs / vx.podToPod.rtt.avgMs, 2),
    },
    labUpMs: { udp: udp.upMs, vxlan: vx.upMs, hostGw: hg.upMs },
    notes: 'One run on a shared 2-core VM (see loadAverage1m). iperf3: one TCP stream for iperfSeconds from a pod on node1 to a pod on node2; ping: PINGS echo requests 10 ms apart. udp crosses pod veth → cni0 → flannel0 (TUN) → the agent\'s egress thread (read, TTL, sendto UDP 8285) → eth0 → underlay bridge → node2\'s ingress thread (recvfrom, write into flannel0) → cni0 → pod: two user/kernel crossings per packet and per direction, as flanneld\'s udp backend has; vxlan and host-gw stay in the kernel. The underlay reference is the same two node namespaces without an overlay; the plain veth pair is two fresh namespaces.',
  };
  writeResult('backends', result);
} finally {
  for (const lab of labs) await run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 300_000 });
  await deleteNetns([...refNetns]);
  if (!hadNetnsDir) await releaseNetnsDir();
}
