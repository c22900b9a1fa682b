/**
 * A real etcd cluster of N members (Debian's /usr/bin/etcd) on 127.0.0.1 with free ports and one
 * temp dir: each member can be SIGKILLed and started again on its data dir. stop() removes everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ETCD_BIN = process.env.PODNET_ETCD_BIN ?? '/usr/bin/etcd';

export interface EtcdMember { name: string; client: string; peer: string; pid(): number | undefined; alive(): boolean }
export interface EtcdCluster {
  members: EtcdMember[];
  /** Every member's client URL, comma-separated (for --storage etcd:…). */
  endpoints: string;
  dir: string;
  kill(i: number): Promise<void>;
  start(i: number): Promise<void>;
  /** Waits until `etcdctl endpoint health` style /health says true on every live member. */
  healthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const a = s.address(); const p = typeof a === 'object' && a ? a.port : 0; s.close(() => resolve(p)); });
  });
}

const exited = (c: ChildProcess | undefined): Promise<void> => new Promise((r) => {
  if (!c || c.exitCode !== null || c.signalCode !== null) return r();
  c.once('exit', () => r());
});

export async function startEtcdCluster(n: number): Promise<EtcdCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tetcd-cluster-'));
  const ports = new Set<number>();
  while (ports.size < 2 * n) ports.add(await freePort());
  const p = [...ports];
  const members = [...Array(n).keys()].map((i) => ({ name: `m${i + 1}`, client: `http://127.0.0.1:${p[2 * i]}`, peer: `http://127.0.0.1:${p[2 * i + 1]}` }));
  const initial = members.map((m) => `${m.name}=${m.peer}`).join(',');
  const procs: (ChildProcess | undefined)[] = members.map(() => undefined);
  const started = members.map(() => false);
  const launch = (i: number): void => {
    const m = members[i]!;
    const log = openSync(join(dir, `${m.name}.log`), 'a');
    try {
      const c = spawn(ETCD_BIN, ['--name', m.name, '--data-dir', join(dir, m.name),
        '--listen-client-urls', m.client, '--advertise-client-urls', m.client,
        '--listen-peer-urls', m.peer, '--initial-advertise-peer-urls', m.peer,
        '--initial-cluster', initial, '--initial-cluster-state', started[i] ? 'existing' : 'new', '--initial-cluster-token', dir,
        '--heartbeat-interval', '100', '--election-timeout', '1000', '--log-level', 'error', '--logger', 'zap'],
      { stdio: ['ignore', log, log] });
      c.on('error', () => undefined);
      procs[i] = c;
      started[i] = true;
    } finally { closeSync(log); }
  };
  const alive = (i: number): boolean => { const c = procs[i]; return !!c && c.exitCode === null && c.signalCode === null; };
  const healthy = async (timeoutMs = 30_000): Promise<void> => {
    const end = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const live = members.filter((_, i) => alive(i));
      const ok = await Promise.all(live.map(async (m) => {
        try { const r = await fetch(`${m.client}/health`, { signal: AbortSignal.timeout(1000) }); const b = await r.text(); last = `${m.name}: ${b}`; return r.ok && b.includes('"true"'); } catch (e) { last = `${m.name}: ${(e as Error).message}`; return false; }
      }));
      if (live.length && ok.every(Boolean)) return;
      if (Date.now() > end) throw new Error(`etcd cluster not healthy after ${timeoutMs} ms: ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const cluster: EtcdCluster = {
    members: members.map((m, i) => ({ ...m, pid: () => procs[i]?.pid, alive: () => alive(i) })),
    endpoints: members.map((m) => m.client).join(','),
    dir,
    async kill(i) { const c = procs[i]; c?.kill('SIGKILL'); await exited(c); },
    async start(i) { if (!alive(i)) launch(i); await healthy(); },
    healthy,
    async stop() {
      await Promise.all(procs.map(async (c) => { c?.kill('SIGKILL'); await exited(c); }));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < n; i++) launch(i);
    await healthy();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
