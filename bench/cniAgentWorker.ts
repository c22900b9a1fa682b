// Helper of bench/cni.bench.ts, started inside the node netns: times CNI ADD/DEL of bridge +
// host-local as the agent runs them (podnet's plugins called in this process, host-local's lock by
// flock(2) through koffi, as `podnet agent` serves them) and, for the same-run reference, the
// reference plugins exec'd from this same namespace as a runtime on the node would.
// Protocol on stdin, one line per call: `<agent|ref> <ADD|DEL> <containerId>`; answers on stdout:
// `<ms> <exit code>`.
//   node dist/bench/cniAgentWorker.js <podNetnsPath> <workDir> <ourBinDir> <refBinDir>
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { PLUGINS } from '../src/cni/plugins/registry.js';
import { invoke } from '../src/cni/skel.js';
import { serveDelegatesInProcess } from '../src/cni/invoke.js';
import { inProcessFileLocks } from '../src/net/flock.js';

const [podNetns, dir, ourBin, refBin] = process.argv.slice(2) as [string, string, string, string];
/** The bridge/subnet of each variant: they never share a bridge or a range. */
const WORKER_THIRD = { agent: 33, ref: 34 } as const;

function conf(impl: 'agent' | 'ref'): string {
  const t = WORKER_THIRD[impl];
  return JSON.stringify({
    cniVersion: '1.0.0', name: `bench-w${impl}`, type: 'bridge', bridge: `br${t}`, isGateway: true, isDefaultGateway: true, hairpinMode: true, mtu: 1450,
    ipam: { type: 'host-local', dataDir: join(dir, 'ipam'), ranges: [[{ subnet: `10.244.${t}.0/24` }]], routes: [{ dst: '10.244.0.0/16', gw: `10.244.${t}.1` }] },
  });
}

function execRef(env: Record<string, string>, stdin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn(join(refBin, 'bridge'), [], { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env }, stdio: ['pipe', 'ignore', 'ignore'] });
    c.on('error', reject);
    c.on('close', (code) => resolve(code ?? -1));
    c.stdin.on('error', () => { /* early exit */ });
    c.stdin.end(stdin);
  });
}

async function main(): Promise<void> {
  await inProcessFileLocks();
  serveDelegatesInProcess();
  const bridge = await PLUGINS.bridge!();
  const confs = { agent: Buffer.from(conf('agent')), ref: conf('ref') };
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [impl, cmd, id] = line.trim().split(' ') as ['agent' | 'ref', 'ADD' | 'DEL', string];
    const env = { CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: podNetns, CNI_IFNAME: 'eth0' };
    const t = process.hrtime.bigint();
    let code: number;
    if (impl === 'agent') {
      const out = await invoke(bridge, { env: { ...env, CNI_PATH: ourBin }, stdin: () => confs.agent });
      code = out.exitCode;
      if (code !== 0) process.stderr.write(out.stdout);
    } else {
      code = await execRef({ ...env, CNI_PATH: refBin }, confs.ref);
    }
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    process.stdout.write(`${ms.toFixed(3)} ${code}\n`);
  }
}

await main();
