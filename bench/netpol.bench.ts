// NetworkPolicy benchmarks (issue 14). Run as root under the e2e lock:
//   flock /tmp/podnet-e2e.lock node dist/bench/netpol.bench.js   → bench/results/netpol.json
// 1. Sync: 1,000 policies over 5,000 pods (pods are addresses in the model; all on the measured
//    node, the worst case: every pod gets chains). generate (pure) + first apply (nft -f) + one change
//    (a pod label), against the reference: the same payload loaded raw into an empty scratch netns.
// 2. Data path: client netns → node netns (forwarding, policy table) → server netns. First-packet
//    connect latency and iperf3 throughput with 0, 10, 100 policies selecting the server, only the
//    LAST of which allows the client (worst case); ratios to no policy.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { exec } from '../src/util/exec.js';
import { createNamedNetns, deleteNamedNetns, netnsPath } from '../src/net/netns.js';
import { nftApply, nftTableObjects } from '../src/net/nft.js';
import { buildModel } from '../src/netpol/cluster.js';
import { desiredTable, renderTransaction, POLICY_FAMILY, POLICY_TABLE } from '../src/netpol/rules.js';

const here = (f: string): string => new URL(f, import.meta.url).pathname;
const ms = (t0: number): number => Math.round((performance.now() - t0) * 100) / 100;
const NODE: Node = { metadata: { name: 'n' }, spec: { podCIDR: '10.244.1.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.88.1' }] } };

function bigCluster(pods: number, policies: number, nsCount = 50): { namespaces: Namespace[]; pods: Pod[]; policies: NetworkPolicy[] } {
  const namespaces: Namespace[] = Array.from({ length: nsCount }, (_, i) => ({ metadata: { name: `ns${i}`, labels: { team: `t${i % 5}` } } }));
  const ps: Pod[] = Array.from({ length: pods }, (_, i) => ({
    metadata: { namespace: `ns${i % nsCount}`, name: `p${i}`, labels: { app: `a${Math.floor(i / nsCount) % 10}` } },
    spec: { nodeName: 'n', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}` },
  }));
  const pols: NetworkPolicy[] = Array.from({ length: policies }, (_, i) => ({
    metadata: { namespace: `ns${i % nsCount}`, name: `pol${i}` },
    spec: {
      podSelector: { matchLabels: { app: `a${i % 10}` } }, policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `t${i % 5}` } }, podSelector: { matchLabels: { app: `a${(i + 1) % 10}` } } }, { ipBlock: { cidr: '172.16.0.0/12', except: ['172.16.1.0/24'] } }], ports: [{ protocol: 'TCP', port: 80 }, { port: 'http' }] }],
      egress: [{ to: [{ podSelector: { matchLabels: { app: `a${(i + 2) % 10}` } } }] }],
    },
  }));
  return { namespaces, pods: ps, policies: pols };
}

async function syncBench(pods: number, policies: number): Promise<unknown> {
  const id = randomBytes(2).toString('hex');
  const node = `pn-bnp-${id}-s`, scratch = `pn-bnp-${id}-r`;
  try {
    await createNamedNetns(node); await createNamedNetns(scratch);
    const c = bigCluster(pods, policies);
    let t0 = performance.now();
    const model = buildModel(c.namespaces, c.pods, c.policies, [NODE]);
    const want = desiredTable(model, 'n');
    const script = renderTransaction(want, { table: false, chains: [], sets: [], maps: [], counters: [] });
    const generateMs = ms(t0);
    t0 = performance.now();
    await nftApply(netnsPath(node), script);
    const firstApplyMs = ms(t0);
    // one change: a pod's label → everything regenerated, one transaction (flush + refill)
    c.pods[0]!.metadata!.labels = { app: 'moved' };
    t0 = performance.now();
    const have = await nftTableObjects(netnsPath(node), POLICY_FAMILY, POLICY_TABLE);
    const readKernelMs = ms(t0);
    // as the agent does it: the previously applied table is known, only what differs is written
    t0 = performance.now();
    const want2 = desiredTable(buildModel(c.namespaces, c.pods, c.policies, [NODE]), 'n');
    const diff = renderTransaction(want2, have, want);
    await nftApply(netnsPath(node), diff);
    const oneChangeMs = ms(t0);
    // the same change as after a restart (kernel names only): every rule replaced
    c.pods[0]!.metadata!.labels = { app: 'a0' };
    const have2 = await nftTableObjects(netnsPath(node), POLICY_FAMILY, POLICY_TABLE);
    t0 = performance.now();
    const want3 = desiredTable(buildModel(c.namespaces, c.pods, c.policies, [NODE]), 'n');
    await nftApply(netnsPath(node), renderTransaction(want3, have2));
    const oneChangeFullMs = ms(t0);
    t0 = performance.now();
    await nftApply(netnsPath(scratch), script);
    const rawLoadMs = ms(t0);
    const rules = want.chains.reduce((n, ch) => n + ch.rules.length, 0);
    const elements = want.sets.reduce((n, s) => n + s.elements.length, 0);
    return { pods, policies, chains: want.chains.length, sets: want.sets.length, setElements: elements, rules, scriptBytes: script.length, generateMs, firstApplyMs, readKernelMs, oneChangeMs, oneChangeDiffLines: diff.split('\n').length, oneChangeFullMs, rawLoadMs, ratioFirstApplyVsRaw: Math.round((firstApplyMs / rawLoadMs) * 100) / 100 };
  } catch (e) {
    return { pods, policies, error: (e as Error).message.slice(0, 400) };
  } finally {
    await deleteNamedNetns(node); await deleteNamedNetns(scratch);
  }
}

async function dataPath(counts: number[]): Promise<unknown[]> {
  const id = randomBytes(2).toString('hex');
  const node = `pn-bnp-${id}-n`, cl = `pn-bnp-${id}-c`, sv = `pn-bnp-${id}-v`;
  const made = [node, cl, sv];
  let echo: ReturnType<typeof spawn> | undefined, iperf: ReturnType<typeof spawn> | undefined;
  const out: unknown[] = [];
  try {
    for (const n of made) await createNamedNetns(n);
    for (const [peer, net] of [[cl, '1'], [sv, '2']] as const) {
      await exec(['ip', '-n', node, 'link', 'add', `v${net}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netnsPath(peer)]);
      await exec(['ip', '-n', node, 'addr', 'add', `10.244.${net}.1/24`, 'dev', `v${net}`]);
      await exec(['ip', '-n', node, 'link', 'set', `v${net}`, 'up']);
      await exec(['ip', '-n', peer, 'addr', 'add', `10.244.${net}.11/24`, 'dev', 'eth0']);
      await exec(['ip', '-n', peer, 'link', 'set', 'eth0', 'up']);
      await exec(['ip', '-n', peer, 'link', 'set', 'lo', 'up']);
      await exec(['ip', '-n', peer, 'route', 'add', 'default', 'via', `10.244.${net}.1`]);
    }
    await exec(['ip', 'netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    echo = spawn('ip', ['netns', 'exec', sv, process.execPath, here('../test/support/proxyEcho.js'), 'srv', '8080'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => createInterface({ input: echo!.stdout! }).once('line', () => r()));
    iperf = spawn('ip', ['netns', 'exec', sv, 'iperf3', '-s', '-B', '10.244.2.11'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    const namespaces: Namespace[] = [{ metadata: { name: 'b', labels: {} } }];
    const pods: Pod[] = [
      { metadata: { namespace: 'b', name: 'client', labels: { app: 'client' } }, spec: { nodeName: 'n', containers: [] }, status: { phase: 'Running', podIP: '10.244.1.11' } },
      { metadata: { namespace: 'b', name: 'server', labels: { app: 'server' } }, spec: { nodeName: 'n', containers: [] }, status: { phase: 'Running', podIP: '10.244.2.11' } },
      ...Array.from({ length: 200 }, (_, i): Pod => ({ metadata: { namespace: 'b', name: `o${i}`, labels: { app: `other${i}` } }, spec: { nodeName: 'm', containers: [] }, status: { phase: 'Running', podIP: `10.250.${i >> 8}.${i & 255}` } })),
    ];
    let have = { table: false, chains: [] as string[], sets: [] as string[], maps: [] as string[], counters: [] as string[] };
    for (const n of counts) {
      // n policies select the server; policy i allows app=other<i> on TCP 8080, the last one the client
      const pols: NetworkPolicy[] = Array.from({ length: n }, (_, i) => ({
        metadata: { namespace: 'b', name: `p${String(i).padStart(3, '0')}` },
        spec: { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: i === n - 1 ? 'client' : `other${i}` } } }], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 5201 }] }] },
      }));
      const want = desiredTable(buildModel(namespaces, pods, pols, [{ metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalIP', address: '10.244.1.1' }, { type: 'InternalIP', address: '10.244.2.1' }] } }]), 'n');
      const script = renderTransaction(want, have);
      if (script) await nftApply(netnsPath(node), script);
      have = await nftTableObjects(netnsPath(node), POLICY_FAMILY, POLICY_TABLE);
      const connect = JSON.parse((await exec(['ip', 'netns', 'exec', cl, process.execPath, here('./netpolConnect.js'), '10.244.2.11', '8080', '300'], { timeoutMs: 120_000 })).stdout.trim()) as { p50: number; p90: number; p99: number };
      const ip = JSON.parse((await exec(['ip', 'netns', 'exec', cl, 'iperf3', '-c', '10.244.2.11', '-t', '3', '-J'], { timeoutMs: 60_000 })).stdout) as { end: { sum_received: { bits_per_second: number } } };
      const r = { policiesSelectingServer: n, rules: want.chains.reduce((k, ch) => k + ch.rules.length, 0), connectUs: connect, gbps: Math.round(ip.end.sum_received.bits_per_second / 1e7) / 100 };
      process.stderr.write(JSON.stringify(r) + '\n');
      out.push(r);
    }
    const base = out[0] as { connectUs: { p50: number }; gbps: number };
    for (const r of out as { connectUs: { p50: number }; gbps: number; connectP50VsNoPolicy?: number; throughputVsNoPolicy?: number }[]) {
      r.connectP50VsNoPolicy = Math.round((r.connectUs.p50 / base.connectUs.p50) * 100) / 100;
      r.throughputVsNoPolicy = Math.round((r.gbps / base.gbps) * 100) / 100;
    }
    return out;
  } finally {
    if (echo?.pid && echo.exitCode === null) process.kill(echo.pid, 'SIGKILL');
    if (iperf?.pid && iperf.exitCode === null) process.kill(iperf.pid, 'SIGKILL');
    for (const n of made) await deleteNamedNetns(n);
  }
}

const sizes = process.env.NETPOL_BENCH_SMALL || process.argv.includes('--small') ? [[500, 100]] : [[500, 100], [5000, 1000]];
const sync: unknown[] = [];
for (const [p, n] of sizes) { const r = await syncBench(p!, n!); process.stderr.write(JSON.stringify(r) + '\n'); sync.push(r); }
const datapath = await dataPath([0, 10, 100]);
const versions = { nft: (await exec(['nft', '--version'])).stdout.trim(), kernel: (await exec(['uname', '-r'])).stdout.trim(), node: process.version };
mkdirSync(new URL('./results/', import.meta.url).pathname.replace('/dist/bench/', '/bench/'), { recursive: true });
const file = new URL('./results/netpol.json', import.meta.url).pathname.replace('/dist/bench/', '/bench/');
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), versions, notes: [
  'sync: the model has every pod on the measured node (worst case: a pod chain per pod); generateMs = model + desired table + nft script (pure); firstApplyMs = one nft -f into the node netns; oneChangeMs = a pod label changed, as the agent does it: regenerate + one transaction writing only what differs from the table applied before; oneChangeFullMs = the same after a restart (every rule replaced); readKernelMs = listing the object names of the table (only on the first sync or after a failure); rawLoadMs = the same first script into an empty scratch netns (reference)',
  'datapath: connect() from the client netns through a forwarding node netns to the server; new conntrack entry per connect, 300 samples after 20 warm-up; n policies select the server and only the last allows the client (worst case); iperf3 -t 3 over one (established) connection',
], sync, datapath }, null, 2) + '\n');
process.stderr.write(`wrote ${file}\n`);
