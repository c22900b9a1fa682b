/**
 * Lab benchmark (issue 4), through the CLI and the real kubectl, as a user runs it:
 * - `podnet lab up` / `lab down` for 3 and for 20 nodes; the reference is the bare plumbing of the
 *   same topology by hand (`ip netns add` + a veth into the underlay bridge per node, one batch
 *   of `ip` commands) in the same run;
 * - pod create → Ready (watch on the API), one at a time and a burst; the reference is a pod by
 *   hand as seed 003 builds one (netns, veth into a bridge, address, route, a listener started in
 *   it), timed in the same run;
 * - cross-node pod-to-pod TCP throughput with iperf3 over vxlan and host-gw, against iperf3 between
 *   the same two nodes on the underlay and over a plain veth pair between two namespaces.
 * Every namespace, process and lab it makes is removed in `finally`. Not a test; no assertion on time.
 *
 * - with `--baseline <bin/podnet of another build>`: lab up/down and pod create → Ready of that build
 *   too, in the same run (e.g. main's, to compare a change);
 * - `--no-iperf` skips the throughput part, `--big-nodes 0` the big lab (a `--big-nodes 3` run is
 *   skipped as well: it would overwrite the 3-node row).
 * The by-hand references run the system's /usr/bin/python3 (a version-manager shim first in PATH
 * costs ~0.5 s a start) and `ip` directly.
 *
 *   node dist/bench/lab.bench.js [--pods 20] [--iperf-seconds 5] [--big-nodes 20] [--no-iperf] [--baseline /path/bin/podnet]
 * Writes bench/results/lab.json.
 */
import { loadavg, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import { spawn } from 'node:child_process';
import { exec } from '../src/util/exec.js';
import { deleteNamedNetns, netnsPath, releaseNetnsDir, NETNS_DIR } from '../src/net/netns.js';
import { processesInNetns, terminate } from '../src/lab/procs.js';
import { createClient, loadKubeconfig, R } from '../src/client/index.js';
import type { KObject } from '../src/api/kinds/types.js';
import { PODNET, must, run, until, randomLabName } from '../test/support/lab.js';
import { pct, round, timeIt, writeResult } from './stats.js';
import { iperfOverVeth, parseIperf, withPlainVeth, type Iperf } from './vethref.js';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const PODS = arg('pods', 20);
const IPERF_SECONDS = Math.min(arg('iperf-seconds', 5), 30);
const BIG = Math.min(arg('big-nodes', 20), 20);
const NO_IPERF = args.includes('--no-iperf');
const BASELINE = ((): string | undefined => { const i = args.indexOf('--baseline'); return i >= 0 ? args[i + 1] : undefined; })();
/** The system interpreter: never a shim from PATH. */
const PYTHON = '/usr/bin/python3';
const hadNetnsDir = existsSync(NETNS_DIR);
const labs = new Set<string>();
const refNetns = new Set<string>();

interface PodStatusLite { metadata: { name: string }; status?: { podIP?: string; conditions?: { type: string; status: string }[] } }

const labBin = new Map<string, string>();
async function labUp(nodes: number, backend: 'vxlan' | 'host-gw', bin = PODNET): Promise<{ lab: string; ms: number }> {
  const lab = randomLabName('bl');
  labs.add(lab);
  labBin.set(lab, bin);
  const ms = await timeIt(() => must(bin, ['lab', 'up', '--name', lab, '--nodes', String(nodes), '--backend', backend], { timeoutMs: 600_000 }));
  return { lab, ms };
}
async function labDown(lab: string): Promise<number> {
  const ms = await timeIt(() => must(labBin.get(lab) ?? PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 300_000 }));
  labs.delete(lab);
  return ms;
}

/** The same topology's bare plumbing by hand: a netns per node with eth0 in an underlay bridge. */
async function plumbingByHand(nodes: number): Promise<number> {
  const tag = `pnbr${Math.random().toString(36).slice(2, 6)}`;
  const names = [`${tag}-u`, ...Array.from({ length: nodes }, (_, i) => `${tag}-n${i}`)];
  for (const n of names) refNetns.add(n);
  const script = [
    `ip netns add ${tag}-u`, `ip -n ${tag}-u link add br0 type bridge`, `ip -n ${tag}-u link set br0 up`,
    ...Array.from({ length: nodes }, (_, i) => [
      `ip netns add ${tag}-n${i}`,
      `ip -n ${tag}-n${i} link add eth0 type veth peer name p${i} netns ${tag}-u`,
      `ip -n ${tag}-u link set p${i} master br0 up`,
      `ip -n ${tag}-n${i} addr add 192.168.138.${10 + i}/24 dev eth0`,
      `ip -n ${tag}-n${i} link set eth0 up`, `ip -n ${tag}-n${i} link set lo up`,
    ].join('\n')),
  ].join('\n');
  try {
    return await timeIt(() => exec(['bash', '-ec', script]));
  } finally {
    await deleteNetns(names);
  }
}

async function deleteNetns(names: string[]): Promise<void> {
  for (const n of names) {
    await terminate(processesInNetns([netnsPath(n)]), 0);
    await deleteNamedNetns(n);
    refNetns.delete(n);
  }
}

/** A pod by hand, seed 003 style: netns, veth into a bridge, address, route, a TCP listener inside; until it accepts. */
async function podByHand(samples: number): Promise<number[]> {
  const tag = `pnbp${Math.random().toString(36).slice(2, 6)}`;
  const node = `${tag}-node`;
  refNetns.add(node);
  const out: number[] = [];
  try {
    await exec(['bash', '-ec', `ip netns add ${node}; ip -n ${node} link add cni0 type bridge; ip -n ${node} addr add 10.99.0.1/24 dev cni0; ip -n ${node} link set cni0 up; ip -n ${node} link set lo up`]);
    for (let i = 0; i < samples; i++) {
      const pod = `${tag}-p${i}`;
      refNetns.add(pod);
      const ip = `10.99.0.${10 + i}`;
      const ms = await timeIt(() => exec(['bash', '-ec', [
        `ip netns add ${pod}`, `ip -n ${pod} link set lo up`,
        `ip -n ${pod} link add eth0 type veth peer name veth${i} netns ${node}`,
        `ip -n ${node} link set veth${i} master cni0 up`,
        `ip -n ${pod} addr add ${ip}/24 dev eth0`, `ip -n ${pod} link set eth0 up`,
        `ip -n ${pod} route add default via 10.99.0.1`,
        `ip netns exec ${pod} setsid ${PYTHON} -c 'import socket,time; s=socket.socket(); s.bind(("0.0.0.0",8080)); s.listen(); time.sleep(600)' >/dev/null 2>&1 &`,
        `until ip netns exec ${node} bash -c 'exec 3<>/dev/tcp/${ip}/8080' 2>/dev/null; do sleep 0.01; done`,
      ].join('\n')]));
      out.push(ms);
    }
  } finally {
    await deleteNetns([...refNetns].filter((n) => n.startsWith(tag)));
  }
  return out;
}

/** Creates pods pinned round-robin to nodes and measures create → Ready (as the API reports it). */
async function podsToReady(lab: string, nodes: string[], count: number, burst: boolean): Promise<{ perPodMs: number[]; totalMs: number }> {
  const client = createClient(loadKubeconfig(`/run/podnet/${lab}/api/admin.kubeconfig`));
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  const prefix = burst ? 'burst' : 'seq';
  const started = new Map<string, number>();
  const ready = new Map<string, number>();
  let wake: () => void = () => {};
  try {
    const from = (await client.list(R.pods('default'), { limit: 1 })).resourceVersion;
    const watching = (async () => {
      for await (const ev of client.watch<KObject & PodStatusLite>(R.pods('default'), { resourceVersion: from }, ac.signal)) {
        const p = ev.object;
        if (!p.metadata.name.startsWith(prefix) || ready.has(p.metadata.name)) continue;
        if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) { ready.set(p.metadata.name, performance.now()); wake(); }
      }
    })().catch(() => { /* aborted */ });
    const make = (i: number): KObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `${prefix}-${i}`, namespace: 'default', labels: { app: 'bench' } },
      spec: { nodeName: nodes[i % nodes.length], containers: [{ name: 'echo', image: 'podnet/echo' }] },
    } as KObject);
    const waitReady = (names: string[]): Promise<void> => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pods not Ready in 120 s: ${names.filter((n) => !ready.has(n)).join(' ')}`)), 120_000);
      const check = (): void => { if (names.every((n) => ready.has(n))) { clearTimeout(timer); resolve(); } };
      wake = check;
      check();
    });
    const t0 = performance.now();
    if (burst) {
      const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
      await Promise.all(names.map(async (n, i) => { started.set(n, performance.now()); await client.create(R.pods('default'), make(i)); }));
      await waitReady(names);
    } else {
      for (let i = 0; i < count; i++) {
        started.set(`${prefix}-${i}`, performance.now());
        await client.create(R.pods('default'), make(i));
        await waitReady([`${prefix}-${i}`]);
      }
    }
    const totalMs = performance.now() - t0;
    ac.abort();
    await watching;
    await exec(['kubectl', '--kubeconfig', `/run/podnet/${lab}/api/admin.kubeconfig`, 'delete', 'pods', '-l', 'app=bench', '--wait=true', '--timeout=120s']);
    return { perPodMs: [...started].map(([n, t]) => ready.get(n)! - t), totalMs };
  } finally {
    ac.abort();
    client.close();
  }
}

const gbps = (x: Iperf): { gbitPerSec: number; retransmits: number } => ({ gbitPerSec: round(x.bitsPerSecond / 1e9, 2), retransmits: x.retransmits });

/** iperf3 from a pod on node1 to a pod on node2 (pod IPs), and between the two nodes' underlay addresses. */
async function iperfInLab(lab: string): Promise<{ podToPod: Iperf; nodeToNode: Iperf }> {
  const kubeconfig = `/run/podnet/${lab}/api/admin.kubeconfig`;
  const kubectl = (a: string[], input?: string): Promise<string> => must('kubectl', a, { env: { KUBECONFIG: kubeconfig }, input, timeoutMs: 120_000 });
  await kubectl(['apply', '-f', '-'], [
    'apiVersion: v1\nkind: Pod\nmetadata: {name: iperf-server}\nspec:\n  nodeName: node2\n  containers: [{name: s, image: podnet/host, command: [iperf3, -s]}]',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: iperf-client}\nspec:\n  nodeName: node1\n  containers: [{name: c, image: podnet/host, command: [sleep, "3600"]}]',
  ].join('\n---\n') + '\n');
  const serverIP = await until('iperf pods Running', async () => {
    const l = JSON.parse(await kubectl(['get', 'pods', '-o', 'json'])) as { items: (PodStatusLite & { status: { phase?: string } })[] };
    const running = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
    return running.length === 2 ? running.find((p) => p.metadata.name === 'iperf-server')!.status.podIP : undefined;
  }, 120_000);
  // the server is up once it accepts
  await until('iperf3 server listening', async () => (await run('kubectl', ['exec', 'iperf-client', '--', 'bash', '-c', `exec 3<>/dev/tcp/${serverIP}/5201`], { env: { KUBECONFIG: kubeconfig } })).code === 0, 30_000);
  const podToPod = parseIperf(await kubectl(['exec', 'iperf-client', '--', 'iperf3', '-c', serverIP!, '-t', String(IPERF_SECONDS), '-J']));
  const lexec = (node: string, ...cmd: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, node, '--', ...cmd], { timeoutMs: 120_000 });
  const srv = spawn(PODNET, ['lab', 'exec', '--name', lab, 'node2', '--', 'iperf3', '-s', '-1', '-p', '5202'], { stdio: 'ignore' });
  try {
    await until('node iperf3 server', async () => (await run(PODNET, ['lab', 'exec', '--name', lab, 'node2', '--', 'ss', '-ltnH', 'sport = :5202'])).stdout.includes('LISTEN'), 30_000);
    const nodeToNode = parseIperf(await lexec('node1', 'iperf3', '-c', '192.168.138.222', '-p', '5202', '-t', String(IPERF_SECONDS), '-J'));
    return { podToPod, nodeToNode };
  } finally {
    srv.kill('SIGKILL');
  }
}

/** iperf3 over a plain veth pair between two fresh namespaces. */
async function iperfPlainVeth(): Promise<Iperf> {
  return withPlainVeth(`pnbv${Math.random().toString(36).slice(2, 6)}`, refNetns, deleteNetns, (a) => iperfOverVeth(a, IPERF_SECONDS));
}

const summary = (xs: number[]): { n: number; p50Ms: number; p90Ms: number; maxMs: number } => ({ n: xs.length, p50Ms: round(pct(xs, 0.5), 1), p90Ms: round(pct(xs, 0.9), 1), maxMs: round(Math.max(...xs), 1) });

/** lab up (3 nodes) → pods one at a time → a burst → lab down, with one build's CLI. */
async function labRound(bin: string): Promise<{ upMs: number; downMs: number; seq: { perPodMs: number[]; totalMs: number }; burst: { perPodMs: number[]; totalMs: number }; iperf?: { podToPod: Iperf; nodeToNode: Iperf } }> {
  const vx = await labUp(3, 'vxlan', bin);
  const nodes3 = ['node1', 'node2', 'node3'];
  const seq = await podsToReady(vx.lab, nodes3, PODS, false);
  const burst = await podsToReady(vx.lab, nodes3, PODS, true);
  const iperf = NO_IPERF || bin !== PODNET ? undefined : await iperfInLab(vx.lab);
  const downMs = await labDown(vx.lab);
  return { upMs: vx.ms, downMs, seq, burst, ...(iperf ? { iperf } : {}) };
}

try {
  process.stderr.write('lab bench: lab up, 3 nodes, vxlan; pods to Ready; lab down\n');
  const cur = await labRound(PODNET);
  const plumbing3 = await plumbingByHand(3);
  const byHand = await podByHand(PODS);
  let base: Awaited<ReturnType<typeof labRound>> | undefined;
  if (BASELINE) { process.stderr.write(`lab bench: the same with ${BASELINE}\n`); base = await labRound(BASELINE); }
  let hgIperf: { podToPod: Iperf; nodeToNode: Iperf } | undefined, veth: Iperf | undefined;
  if (!NO_IPERF) {
    process.stderr.write('lab bench: iperf3 over host-gw\n');
    const hg = await labUp(2, 'host-gw');
    hgIperf = await iperfInLab(hg.lab);
    await labDown(hg.lab);
    process.stderr.write('lab bench: plain veth reference\n');
    veth = await iperfPlainVeth();
  }
  let bigRow: Record<string, unknown> | undefined;
  if (BIG > 3) {
    process.stderr.write(`lab bench: lab up, ${BIG} nodes\n`);
    const big = await labUp(BIG, 'vxlan');
    const bigReady = JSON.parse(await must('kubectl', ['get', 'nodes', '-o', 'json'], { env: { KUBECONFIG: `/run/podnet/${big.lab}/api/admin.kubeconfig` } })) as { items: { status: { conditions?: { type: string; status: string }[] } }[] };
    const bigReadyCount = bigReady.items.filter((n) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    const downBig = await labDown(big.lab);
    const plumbingBig = await plumbingByHand(BIG);
    bigRow = { upMs: round(big.ms, 0), downMs: round(downBig, 0), nodesReadyWhenUpReturned: bigReadyCount, plumbingByHandMs: round(plumbingBig, 0), ratioUpVsPlumbing: round(big.ms / plumbingBig, 1) };
  }
  const vxIperf = cur.iperf;
  const podRow = (r: Awaited<ReturnType<typeof labRound>>) => ({
    oneAtATime: summary(r.seq.perPodMs),
    burst: { ...summary(r.burst.perPodMs), allReadyMs: round(r.burst.totalMs, 0) },
    ratioP50VsByHand: round(pct(r.seq.perPodMs, 0.5) / pct(byHand, 0.5), 2),
  });

  const result = {
    date: new Date().toISOString(),
    params: { pods: PODS, iperfSeconds: NO_IPERF ? 0 : IPERF_SECONDS, bigNodes: BIG > 3 ? BIG : 0, baseline: BASELINE ?? null, node: process.version, cpus: cpus().length, loadAverage1m: round(loadavg()[0]!, 2) },
    labUp: {
      nodes3: { upMs: round(cur.upMs, 0), downMs: round(cur.downMs, 0), plumbingByHandMs: round(plumbing3, 0), ratioUpVsPlumbing: round(cur.upMs / plumbing3, 1) },
      ...(bigRow ? { [`nodes${BIG}`]: bigRow } : {}),
      ...(base ? { baselineNodes3: { upMs: round(base.upMs, 0), downMs: round(base.downMs, 0), ratioUpVsPlumbing: round(base.upMs / plumbing3, 1), upSpeedupVsBaseline: round(base.upMs / cur.upMs, 1), downSpeedupVsBaseline: round(base.downMs / cur.downMs, 1) } } : {}),
    },
    podCreateToReady: {
      ...podRow(cur),
      podByHandReference: summary(byHand),
      ...(base ? { baseline: podRow(base) } : {}),
    },
    ...(vxIperf && hgIperf && veth ? {
      iperf3: {
        vxlanPodToPod: gbps(vxIperf.podToPod), vxlanLabNodeToNode: gbps(vxIperf.nodeToNode),
        hostGwPodToPod: gbps(hgIperf.podToPod), hostGwLabNodeToNode: gbps(hgIperf.nodeToNode),
        plainVethPair: gbps(veth),
        ratios: {
          // < 1: slower than the reference
          vxlan_vs_plainVeth: round(vxIperf.podToPod.bitsPerSecond / veth.bitsPerSecond),
          hostGw_vs_plainVeth: round(hgIperf.podToPod.bitsPerSecond / veth.bitsPerSecond),
          vxlan_vs_underlay: round(vxIperf.podToPod.bitsPerSecond / vxIperf.nodeToNode.bitsPerSecond),
          hostGw_vs_underlay: round(hgIperf.podToPod.bitsPerSecond / hgIperf.nodeToNode.bitsPerSecond),
        },
      },
    } : {}),
    notes: 'One run on a 2-core VM. lab up includes the apiserver start, certificates, DNS add-on and every node agent reaching Ready; the plumbing reference is only the namespaces and veths of the same topology. Pod create → Ready is measured from the create request to the Ready condition arriving on a watch; the by-hand reference is seed 003\'s steps with iproute2 and a listener (/usr/bin/python3), with no API, CNI or pause container. baseline* rows: the same steps with the --baseline build, in the same run. iperf3 runs one TCP stream for iperfSeconds; pod traffic crosses the pod veth, cni0, (flannel.1 VXLAN encapsulation | a host-gw route), the node eth0, the underlay bridge and back; the underlay reference is the same two node namespaces without the overlay.',
  };
  writeResult('lab', result);
} finally {
  for (const lab of labs) await run(labBin.get(lab) ?? PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 300_000 });
  await deleteNetns([...refNetns]);
  if (!hadNetnsDir) await releaseNetnsDir(); // the reference namespaces made /run/netns: take it away again
}
