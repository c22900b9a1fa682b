/**
 * Calico benchmark (issue 15), through the CLI and the real kubectl:
 * - cross-node pod-to-pod TCP throughput (iperf3, one stream) in calico routed mode (no
 *   encapsulation, BGP routes) and with vxlanMode Always (vxlan.calico), against iperf3 between the
 *   same two nodes' underlay addresses and over a plain veth pair, all in this run;
 * - BGP convergence: from creating a pod on node2 that makes node2 claim a new block to that block's
 *   route (`proto bird`) on node1; from freezing node2's BIRD (SIGSTOP, hold time 3 s) and from
 *   killing it (the session closes at once) to the withdrawal on node1, and from the agent's restart
 *   of a killed BIRD to the routes being back.
 * Every lab and namespace it makes is removed in `finally`. Not a test; no assertion on time.
 *
 *   node dist/bench/calico.bench.js [--iperf-seconds 5] [--blocks 3]
 * Writes bench/results/calico.json.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { exec } from '../src/util/exec.js';
import { deleteNamedNetns, releaseNetnsDir, NETNS_DIR, netnsPath } from '../src/net/netns.js';
import { processesInNetns, terminate } from '../src/lab/procs.js';
import { PODNET, must, run, until, randomLabName } from '../test/support/lab.js';
import { pct, round, writeResult } from './stats.js';
import { iperfOverVeth, parseIperf, withPlainVeth, type Iperf } from './vethref.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const IPERF_SECONDS = Math.min(arg('iperf-seconds', 5), 30);
const NEW_BLOCKS = Math.min(arg('blocks', 3), 10);
const hadNetnsDir = existsSync(NETNS_DIR);
const labs = new Set<string>();
const refNetns = new Set<string>();

const gbps = (x: Iperf): { gbitPerSec: number; retransmits: number } => ({ gbitPerSec: round(x.bitsPerSecond / 1e9, 2), retransmits: x.retransmits });

async function labUp(extra: string[]): Promise<string> {
  const lab = randomLabName('bc');
  labs.add(lab);
  await must(PODNET, ['lab', 'up', '--name', lab, '--network', 'calico', '--block-size', '30', ...extra], { timeoutMs: 300_000 });
  return lab;
}
async function labDown(lab: string): Promise<void> {
  await must(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 300_000 });
  labs.delete(lab);
}
const kubectlOf = (lab: string) => (a: string[], input?: string): Promise<string> => must('kubectl', a, { env: { KUBECONFIG: `/run/podnet/${lab}/api/admin.kubeconfig` }, input, timeoutMs: 120_000 });
const nodeExec = (lab: string, node: string, ...cmd: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, node, '--', ...cmd], { timeoutMs: 120_000 });

/** iperf3 pod on node1 → pod on node2, and node1 → node2 on the underlay. */
async function iperfInLab(lab: string): Promise<{ podToPod: Iperf; nodeToNode: Iperf }> {
  const kubectl = kubectlOf(lab);
  await kubectl(['apply', '-f', '-'], [
    'apiVersion: v1\nkind: Pod\nmetadata: {name: iperf-server}\nspec:\n  nodeName: node2\n  containers: [{name: s, image: podnet/host, command: [iperf3, -s]}]',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: iperf-client}\nspec:\n  nodeName: node1\n  containers: [{name: c, image: podnet/host, command: [sleep, "3600"]}]',
  ].join('\n---\n') + '\n');
  const serverIP = await until('iperf pods Running', async () => {
    const l = JSON.parse(await kubectl(['get', 'pods', '-o', 'json'])) as { items: { metadata: { name: string }; status: { phase?: string; podIP?: string } }[] };
    const r = l.items.filter((p) => p.metadata.name.startsWith('iperf-') && p.status.phase === 'Running' && p.status.podIP);
    return r.length === 2 ? r.find((p) => p.metadata.name === 'iperf-server')!.status.podIP : undefined;
  }, 120_000);
  await until('iperf3 server listening', async () => (await run('kubectl', ['exec', 'iperf-client', '--', 'bash', '-c', `exec 3<>/dev/tcp/${serverIP}/5201`], { env: { KUBECONFIG: `/run/podnet/${lab}/api/admin.kubeconfig` } })).code === 0, 30_000);
  const podToPod = parseIperf(await kubectl(['exec', 'iperf-client', '--', 'iperf3', '-c', serverIP!, '-t', String(IPERF_SECONDS), '-J']));
  const srv = spawn(PODNET, ['lab', 'exec', '--name', lab, 'node2', '--', 'iperf3', '-s', '-1', '-p', '5202'], { stdio: 'ignore' });
  try {
    await until('node iperf3 server', async () => (await run(PODNET, ['lab', 'exec', '--name', lab, 'node2', '--', 'ss', '-ltnH', 'sport = :5202'])).stdout.includes('LISTEN'), 30_000);
    const nodeToNode = parseIperf(await nodeExec(lab, 'node1', 'iperf3', '-c', '192.168.138.222', '-p', '5202', '-t', String(IPERF_SECONDS), '-J'));
    return { podToPod, nodeToNode };
  } finally { srv.kill('SIGKILL'); }
}

async function iperfPlainVeth(): Promise<Iperf> {
  return withPlainVeth(`pncv${Math.random().toString(36).slice(2, 6)}`, refNetns, deleteNetns, (a) => iperfOverVeth(a, IPERF_SECONDS));
}

async function deleteNetns(names: string[]): Promise<void> {
  const live = names.filter((n) => existsSync(netnsPath(n)));
  const procs = processesInNetns(live.map(netnsPath));
  if (procs.length) await terminate(procs, 1000);
  for (const n of live) { await deleteNamedNetns(n); refNetns.delete(n); }
}

/** Polls node1's routes every 20 ms until `f` holds; returns the elapsed ms since t0. */
async function routeWait(lab: string, t0: number, f: (routes: string) => boolean, what: string): Promise<number> {
  const ns = netnsPath(`pn-${lab}-node1`);
  const end = Date.now() + 60_000;
  for (;;) {
    const r = (await exec(['ip', '-n', ns.split('/').pop()!, 'route'])).stdout;
    if (f(r)) return performance.now() - t0;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function node2Blocks(lab: string): Promise<string[]> {
  const l = JSON.parse(await kubectlOf(lab)(['get', 'ipamblocks', '-o', 'json'])) as { items: { spec: { cidr: string; affinity: string } }[] };
  return l.items.filter((b) => b.spec.affinity === 'host:node2').map((b) => b.spec.cidr);
}

/** Pods on node2 one at a time; whenever one makes node2 claim a block, the time until node1 has its BGP route. */
async function newBlockToRoute(lab: string): Promise<number[]> {
  const kubectl = kubectlOf(lab);
  const out: number[] = [];
  for (let i = 0; out.length < NEW_BLOCKS && i < NEW_BLOCKS * 5; i++) {
    const before = new Set(await node2Blocks(lab));
    const t0 = performance.now();
    await kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: Pod\nmetadata: {name: conv-${i}, labels: {app: conv}}\nspec:\n  nodeName: node2\n  containers: [{name: e, image: podnet/echo}]\n`);
    const fresh = await until('the pod\'s address', async () => {
      const p = JSON.parse(await kubectl(['get', 'pod', `conv-${i}`, '-o', 'json'])) as { status: { podIP?: string } };
      if (!p.status.podIP) return undefined;
      return { blocks: (await node2Blocks(lab)).filter((b) => !before.has(b)) };
    }, 60_000);
    if (!fresh.blocks.length) continue;
    const b = fresh.blocks[0]!;
    out.push(await routeWait(lab, t0, (r) => r.includes(`${b} via 192.168.138.222 dev eth0 proto bird`), `route to ${b}`));
  }
  return out;
}

try {
  process.stderr.write('calico bench: routed lab\n');
  const routed = await labUp([]);
  const routedIperf = await iperfInLab(routed);
  process.stderr.write('calico bench: convergence\n');
  const createToRoute = await newBlockToRoute(routed);
  const blocks = await node2Blocks(routed);
  const hasAll = (r: string): boolean => blocks.every((b) => r.includes(`${b} via 192.168.138.222`));
  const hasNone = (r: string): boolean => blocks.every((b) => !r.includes(`${b} via 192.168.138.222`));
  const pidFile = `/run/podnet/${routed}/nodes/node2/state/calico/bird.pid`;
  let pid = Number(readFileSync(pidFile, 'utf8'));
  let t0 = performance.now();
  process.kill(pid, 'SIGSTOP');
  const frozenToWithdrawn = await routeWait(routed, t0, hasNone, 'withdrawal after SIGSTOP');
  process.kill(pid, 'SIGCONT');
  t0 = performance.now();
  const thawedToRestored = await routeWait(routed, t0, hasAll, 'routes back after SIGCONT');
  pid = Number(readFileSync(pidFile, 'utf8'));
  t0 = performance.now();
  process.kill(pid, 'SIGKILL');
  const killedToWithdrawn = await routeWait(routed, t0, hasNone, 'withdrawal after SIGKILL');
  const killedToRestored = await routeWait(routed, t0, hasAll, 'routes back after the agent restarts BIRD');
  await labDown(routed);
  process.stderr.write('calico bench: vxlan lab\n');
  const vx = await labUp(['--vxlan-mode', 'Always']);
  const vxIperf = await iperfInLab(vx);
  await labDown(vx);
  process.stderr.write('calico bench: plain veth reference\n');
  const veth = await iperfPlainVeth();
  const ms = (x: number): number => round(x, 0);
  writeResult('calico', {
    date: new Date().toISOString(),
    params: { iperfSeconds: IPERF_SECONDS, newBlocks: NEW_BLOCKS, bgpHoldTimeSeconds: 3, node: process.version, cpus: cpus().length, loadAverage1m: round(loadavg()[0]!, 2) },
    iperf3: {
      routedPodToPod: gbps(routedIperf.podToPod), routedLabNodeToNode: gbps(routedIperf.nodeToNode),
      vxlanPodToPod: gbps(vxIperf.podToPod), vxlanLabNodeToNode: gbps(vxIperf.nodeToNode),
      plainVethPair: gbps(veth),
      ratios: {
        routed_vs_underlay: round(routedIperf.podToPod.bitsPerSecond / routedIperf.nodeToNode.bitsPerSecond),
        vxlan_vs_underlay: round(vxIperf.podToPod.bitsPerSecond / vxIperf.nodeToNode.bitsPerSecond),
        routed_vs_plainVeth: round(routedIperf.podToPod.bitsPerSecond / veth.bitsPerSecond),
        vxlan_vs_plainVeth: round(vxIperf.podToPod.bitsPerSecond / veth.bitsPerSecond),
        vxlan_vs_routed: round(vxIperf.podToPod.bitsPerSecond / routedIperf.podToPod.bitsPerSecond),
      },
    },
    bgpConvergence: {
      podCreateToRemoteBlockRouteMs: { values: createToRoute.map(ms), p50: ms(pct(createToRoute, 0.5)) },
      birdFrozenToWithdrawnMs: ms(frozenToWithdrawn),
      birdThawedToRestoredMs: ms(thawedToRestored),
      birdKilledToWithdrawnMs: ms(killedToWithdrawn),
      birdKilledToRestoredByAgentMs: ms(killedToRestored),
    },
    notes: 'One run on a 2-core VM. Routed: pod veth (cali) → node routing (BGP route via the other node) → underlay bridge → node → cali; VXLAN adds vxlan.calico encapsulation (MTU 1450). The underlay reference is iperf3 between the same two node namespaces; the veth reference two fresh namespaces on one veth pair. Convergence: pod create request → the new block\'s route on node1 includes scheduling, sandbox, CNI (block claim), the agent\'s bird.conf reload and the BGP update; a frozen BIRD is dropped at the hold time (3 s); a killed BIRD closes its TCP session at once and the agent starts a new one within ~1 s.',
  });
} finally {
  for (const lab of labs) await run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 300_000 });
  await deleteNetns([...refNetns]);
  if (!hadNetnsDir) await releaseNetnsDir();
}
