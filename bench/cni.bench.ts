// CNI benchmark: ADD and DEL latency of our bridge+host-local vs the reference plugins
// (/usr/lib/cni), same config, same run, interleaved. Also the bare cost of starting Node.
// Run as root: node dist/bench/cni.bench.js [iterations]   → bench/results/cni.json
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CniFixture, OUR_BIN, REF_BIN, REPO, runPlugin, vethsIn } from '../test/support/netns.js';

const N = Number(process.argv[2] ?? 40);

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const pick = (p: number) => +s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(2);
  return { n: s.length, meanMs: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2), p50Ms: pick(0.5), p95Ms: pick(0.95), minMs: +s[0]!.toFixed(2) };
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t = process.hrtime.bigint();
  const r = await f();
  return [Number(process.hrtime.bigint() - t) / 1e6, r];
}

async function main() {
  const f = new CniFixture();
  const samples: Record<string, { add: number[]; del: number[] }> = { podnet: { add: [], del: [] }, podnetThin: { add: [], del: [] }, reference: { add: [], del: [] } };
  let server: ReturnType<typeof spawn> | undefined;
  let worker: ReturnType<typeof spawn> | undefined;
  const inAgent: Record<'agent' | 'ref', { add: number[]; del: number[] }> = { agent: { add: [], del: [] }, ref: { add: [], del: [] } };
  const startup: Record<string, number[]> = { nodeBare: [], podnetVersion: [], referenceVersion: [] };
  try {
    const node = await f.netns('n'), pod = await f.netns('p');
    const sock = join(f.dir, 'cni.sock');
    // the agent-side server of the thin clients, inside the node netns
    const srv = spawn('nsenter', [`--net=${node}`, '--', process.execPath, join(REPO, 'dist', 'src', 'cli', 'main.js'), 'cni', 'serve', '--socket', sock], { stdio: ['ignore', 'ignore', 'pipe'] });
    server = srv;
    await new Promise<void>((resolve, reject) => { srv.stderr!.on('data', (b: Buffer) => { if (b.toString().includes('listening')) resolve(); }); srv.once('exit', () => reject(new Error('cni server exited'))); });
    // the agent's way (plugins called in its process) and the reference exec'd from the same node netns
    const w = spawn('nsenter', [`--net=${node}`, '--', process.execPath, join(REPO, 'dist', 'bench', 'cniAgentWorker.js'), pod, f.dir, OUR_BIN, REF_BIN], { stdio: ['pipe', 'pipe', 'inherit'] });
    worker = w;
    const answers: string[] = [];
    const waiting: ((l: string) => void)[] = [];
    let buf = '';
    w.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) { const l = buf.slice(0, i); buf = buf.slice(i + 1); const r = waiting.shift(); if (r) r(l); else answers.push(l); }
    });
    const workerCall = (impl: 'agent' | 'ref', cmd: 'ADD' | 'DEL', id: string): Promise<number> => new Promise((resolve, reject) => {
      waiting.push((l) => { const [ms, code] = l.split(' '); if (code !== '0') reject(new Error(`in-agent ${impl} ${cmd} failed (exit ${code})`)); else resolve(Number(ms)); });
      w.stdin!.write(`${impl} ${cmd} ${id}\n`);
    });
    const third: Record<string, number> = { podnet: 30, podnetThin: 32, reference: 31 };
    const conf = (impl: string) => ({
      cniVersion: '1.0.0', name: `bench-${impl}`, type: 'bridge', bridge: `br${third[impl]}`, isGateway: true, isDefaultGateway: true, hairpinMode: true, mtu: 1450,
      ipam: { type: 'host-local', dataDir: join(f.dir, 'ipam'), ranges: [[{ subnet: `10.244.${third[impl]}.0/24` }]], routes: [{ dst: '10.244.0.0/16', gw: `10.244.${third[impl]}.1` }] },
    });
    const bins: Record<string, string> = { podnet: OUR_BIN, podnetThin: join(OUR_BIN, 'fast'), reference: REF_BIN };
    for (let i = 0; i < N + 2; i++) {
      for (const impl of ['podnet', 'podnetThin', 'reference']) {
        const env = (cmd: string) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: `bench${i}`, CNI_NETNS: pod, CNI_IFNAME: 'eth0', CNI_PATH: bins[impl]!, PODNET_CNI_SOCKET: sock });
        const [addMs, add] = await timed(() => runPlugin(join(bins[impl]!, 'bridge'), env('ADD'), conf(impl), node));
        if (add.code !== 0) throw new Error(`${impl} ADD failed: ${add.raw}`);
        const [delMs, del] = await timed(() => runPlugin(join(bins[impl]!, 'bridge'), env('DEL'), conf(impl), node));
        if (del.code !== 0) throw new Error(`${impl} DEL failed: ${del.raw}`);
        if (i >= 2) { samples[impl]!.add.push(addMs); samples[impl]!.del.push(delMs); } // 2 warm-up rounds
      }
      for (const impl of ['agent', 'ref'] as const) {
        const addMs = await workerCall(impl, 'ADD', `benchw${i}`);
        const delMs = await workerCall(impl, 'DEL', `benchw${i}`);
        if (i >= 2) { inAgent[impl].add.push(addMs); inAgent[impl].del.push(delMs); }
      }
      const [bare] = await timed(() => runPlugin(process.execPath, {}, '', undefined).catch(() => ({ code: 0, out: undefined, raw: '' })));
      startup.nodeBare!.push(bare);
      startup.podnetVersion!.push((await timed(() => runPlugin(join(OUR_BIN, 'bridge'), { CNI_COMMAND: 'VERSION' }, '')))[0]);
      startup.referenceVersion!.push((await timed(() => runPlugin(join(REF_BIN, 'bridge'), { CNI_COMMAND: 'VERSION' }, '')))[0]);
    }
    if ((await vethsIn(node)).length) throw new Error('veths left behind');
  } finally {
    if (server) { const done = new Promise((r) => server!.once('exit', r)); server.kill('SIGTERM'); await done; }
    if (worker && worker.exitCode === null) { const done = new Promise((r) => worker!.once('exit', r)); worker.stdin!.end(); await done; }
    await f.cleanup();
  }
  const res = {
    date: new Date().toISOString(),
    iterations: N,
    versions: {
      node: process.version,
      kernel: execFileSync('uname', ['-r']).toString().trim(),
      referencePlugins: execFileSync('dpkg-query', ['-W', '-f=${Version}', 'containernetworking-plugins']).toString().trim(),
      loadavg: execFileSync('cat', ['/proc/loadavg']).toString().trim(),
    },
    config: 'bridge (isDefaultGateway, hairpinMode, mtu 1450) + host-local, spec 1.0.0, plugin exec\'d by nsenter into a node netns, container netns reused',
    podnet: { add: stats(samples.podnet!.add), del: stats(samples.podnet!.del) },
    podnetThin: { add: stats(samples.podnetThin!.add), del: stats(samples.podnetThin!.del) },
    reference: { add: stats(samples.reference!.add), del: stats(samples.reference!.del) },
    inAgent: { add: stats(inAgent.agent.add), del: stats(inAgent.agent.del) },
    referenceFromNode: { add: stats(inAgent.ref.add), del: stats(inAgent.ref.del) },
    ratio: {
      inAgentAddP50: +(stats(inAgent.agent.add).p50Ms / stats(inAgent.ref.add).p50Ms).toFixed(2),
      inAgentDelP50: +(stats(inAgent.agent.del).p50Ms / stats(inAgent.ref.del).p50Ms).toFixed(2),
      addP50: +(stats(samples.podnet!.add).p50Ms / stats(samples.reference!.add).p50Ms).toFixed(2),
      delP50: +(stats(samples.podnet!.del).p50Ms / stats(samples.reference!.del).p50Ms).toFixed(2),
      thinAddP50: +(stats(samples.podnetThin!.add).p50Ms / stats(samples.reference!.add).p50Ms).toFixed(2),
      thinDelP50: +(stats(samples.podnetThin!.del).p50Ms / stats(samples.reference!.del).p50Ms).toFixed(2),
    },
    startup: { nodeBare: stats(startup.nodeBare!), podnetVersion: stats(startup.podnetVersion!), referenceVersion: stats(startup.referenceVersion!) },
    notes: [
      'Each podnet ADD/DEL starts Node twice (bridge, then host-local by exec); startup.podnetVersion is the floor of one podnet plugin call.',
      'podnet ADD ~= 2 x startup + ~10 ip/iptables/flock processes: Node startup dominates.',
      'inAgent: the same ADD/DEL as the agent runs them (bench/cniAgentWorker.ts inside the node netns calls podnet\'s bridge plugin in its process; host-local is a function call too, its lock a flock(2) through koffi); referenceFromNode: the reference plugins exec\'d from that same process and namespace (no nsenter), the same-run reference for inAgent* ratios.',
      'podnetThin: bin/cni/fast/bridge (sh + curl) hands env+stdin to `podnet cni serve` (the agent side, in the node netns) over a unix socket; the bridge code runs there and execs bin/cni/fast/host-local, which goes back to the same server. What remains is the ip/iptables/flock processes.',
      'The machine is shared with other engineers\' test runs while this ran (loadavg above): absolute numbers are noisy, the ratio is the figure to read.',
    ],
  };
  mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO, 'bench', 'results', 'cni.json'), JSON.stringify(res, null, 2) + '\n');
  process.stdout.write(JSON.stringify({ podnet: res.podnet, podnetThin: res.podnetThin, reference: res.reference, inAgent: res.inAgent, referenceFromNode: res.referenceFromNode, ratio: res.ratio, startup: res.startup }, null, 2) + '\n');
}

await main();
