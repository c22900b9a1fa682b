import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real etcd (Debian's /usr/bin/etcd) on 127.0.0.1 with random ports and a temp data dir. */
export interface EtcdHandle {
  endpoint: string;
  dataDir: string;
  pid(): number | undefined;
  /** kill -9 etcd (the data dir stays), waiting for the process to exit. */
  crash(): Promise<void>;
  /** Starts etcd again on the same ports and data dir and waits until it is healthy. */
  restart(): Promise<void>;
  /** Kills etcd and removes the data dir. Always call it (in finally). */
  stop(): Promise<void>;
}

const ETCD_BIN = process.env.PODNET_ETCD_BIN ?? '/usr/bin/etcd';
export const ETCDCTL_BIN = process.env.PODNET_ETCDCTL_BIN ?? '/usr/bin/etcdctl';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitHealthy(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`etcd exited (${child.exitCode ?? child.signalCode}) before becoming healthy`);
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      const body = await res.text();
      if (res.ok && body.includes('"true"')) return;
      last = body;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${endpoint} not healthy after ${timeoutMs} ms: ${last}`);
}

export async function startEtcd(): Promise<EtcdHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pn-tstorage-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (process.arch !== 'x64') env.ETCD_UNSUPPORTED_ARCH = process.arch === 'arm64' ? 'arm64' : process.arch;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const logFd = openSync(join(dataDir, '..', `${dataDir.split('/').pop()}.log`), 'a');
    try {
      child = spawn(ETCD_BIN, [
        '--name', 'pn-test',
        '--data-dir', join(dataDir, 'data'),
        '--listen-client-urls', endpoint,
        '--advertise-client-urls', endpoint,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `pn-test=${peer}`,
        '--initial-cluster-state', 'new',
        '--log-level', 'error',
        '--logger', 'zap',
      ], { env, stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    child.on('error', () => {});
    await waitHealthy(endpoint, child, 20_000);
  };

  const kill = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  };

  const handle: EtcdHandle = {
    endpoint,
    dataDir,
    pid: () => child?.pid,
    crash: kill,
    restart: async () => { await kill(); await launch(); },
    stop: async () => {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(`${dataDir}.log`, { force: true });
    },
  };
  try {
    await launch();
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}
