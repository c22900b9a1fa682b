/**
 * The userspace UDP tunnel behind flannel's udp backend: a UDP socket bound to the tunnel port
 * and two worker threads pumping packets between it and a TUN device (see pump-worker.ts). The
 * routing table lives in shared memory (routes.ts), so following leases never stops the pump.
 * close() stops the threads and closes the socket; the TUN descriptor stays the caller's.
 */
import { Worker } from 'node:worker_threads';
import { PodnetError } from '../../util/errors.js';
import { SELF, assertNotHost } from '../exec.js';
import { AF_INET, SOCK_CLOEXEC, SOCK_DGRAM, SOL_SOCKET, SO_RCVBUF, SO_RCVBUFFORCE, SO_SNDBUF, SO_SNDBUFFORCE, libc, sockaddrIn, SOCKADDR_IN_SIZE } from './libc.js';
import { ipToU32 } from './ipv4.js';
import { CTL_STOP, CTL_WORDS, STAT, STAT_SLOTS, type PumpMessage, type PumpRole, type PumpWorkerData, type TunnelStats } from './pumpshared.js';
import { newRouteTable, writeRoutes, type TunnelRoute } from './routes.js';

export type { TunnelStats } from './pumpshared.js';

export class TunnelError extends PodnetError {
  constructor(message: string) { super('ETUNNEL', message); }
}

/** A remote subnet and the UDP endpoint (a node's public IP and tunnel port) that reaches it. */
export interface TunnelPeerRoute { subnet: string; peerIP: string; peerPort: number }

export interface UdpTunnelOptions {
  tunFd: number;
  /** UDP port to bind and to send to (flannel: 8285). */
  port: number;
  /** Address to bind (default all: 0.0.0.0, inside our own netns). */
  bindIP?: string;
  mtu: number;
  /** Socket buffer size in bytes (default 4 MiB). */
  socketBuffer?: number;
  /** poll(2) timeout: how soon the threads see a stop (default 200 ms). */
  pollMs?: number;
  onWarn?: (message: string) => void;
}

export interface UdpTunnel {
  /** Replaces the set of remote subnets (atomically for the pump). */
  setRoutes(routes: readonly TunnelPeerRoute[]): void;
  /** Our own address on the TUN device: the source of the ICMP errors the pump sends. */
  setLocalIP(ip: string): void;
  stats(): TunnelStats;
  /** Resolves when a worker failed (its message), never when all is well. */
  readonly failed: Promise<string>;
  close(): Promise<void>;
}

/** A subnet text (a.b.c.d/n) → a table row for the pump (pure). */
export function tunnelRoute(r: TunnelPeerRoute): TunnelRoute {
  const [net, len] = r.subnet.split('/');
  const prefix = Number(len);
  if (!net || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new TunnelError(`bad subnet "${r.subnet}"`);
  if (!Number.isInteger(r.peerPort) || r.peerPort < 1 || r.peerPort > 65535) throw new TunnelError(`bad peer port ${r.peerPort}`);
  return { network: ipToU32(net), prefix, peerIP: ipToU32(r.peerIP), peerPort: r.peerPort };
}

function openSocket(bindIP: string, port: number, bufBytes: number): number {
  const c = libc();
  const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new TunnelError(`socket: ${c.strerror(c.errno())}`);
  const v = Buffer.alloc(4);
  v.writeInt32LE(bufBytes, 0);
  // FORCE variants pass the rmem_max/wmem_max caps (we are root); fall back to the plain ones.
  if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, v, 4) < 0) c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, v, 4);
  if (c.setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, v, 4) < 0) c.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, v, 4);
  if (c.bind(fd, sockaddrIn(ipToU32(bindIP), port), SOCKADDR_IN_SIZE) < 0) {
    const e = c.errno();
    c.close(fd);
    throw new TunnelError(`bind ${bindIP}:${port}/udp: ${c.strerror(e)}${e === 98 ? ' (another flanneld in this namespace?)' : ''}`);
  }
  return fd;
}

export async function startUdpTunnel(o: UdpTunnelOptions): Promise<UdpTunnel> {
  const bindIP = o.bindIP ?? '0.0.0.0';
  // Outside loopback, only in a namespace podnet may change (never listening on the host's addresses).
  if (!bindIP.startsWith('127.')) assertNotHost(SELF, `bind UDP port ${o.port} on ${bindIP}`);
  const sockFd = openSocket(bindIP, o.port, o.socketBuffer ?? 4 << 20);
  const routes = newRouteTable();
  const ctl = new SharedArrayBuffer(CTL_WORDS * 4);
  const stats = new SharedArrayBuffer(STAT_SLOTS * 8);
  const localIP = new SharedArrayBuffer(4);
  let fail: (m: string) => void = () => undefined;
  const failed = new Promise<string>((r) => { fail = r; });
  const workers: Worker[] = [];
  const spawnWorker = (role: PumpRole): Promise<void> => new Promise((resolve, reject) => {
    const data: PumpWorkerData = { role, tunFd: o.tunFd, sockFd, routes, ctl, stats, localIP, mtu: o.mtu, pollMs: o.pollMs ?? 200 };
    const w = new Worker(new URL('./pump-worker.js', import.meta.url), { workerData: data, name: `tunnel-${role}` });
    workers.push(w);
    let ready = false;
    w.on('message', (m: PumpMessage) => {
      if (m.type === 'ready') { ready = true; resolve(); } else if (m.type === 'warn') o.onWarn?.(m.message);
      else { fail(`${role}: ${m.message}`); if (!ready) reject(new TunnelError(`${role} thread: ${m.message}`)); }
    });
    w.on('error', (e) => { fail(`${role}: ${e.message}`); if (!ready) reject(new TunnelError(`${role} thread: ${e.message}`)); });
    w.on('exit', (code) => {
      if (Atomics.load(new Int32Array(ctl), CTL_STOP) === 0) fail(`${role} thread exited (${code})`);
      if (!ready) reject(new TunnelError(`${role} thread exited before it was ready (${code})`));
    });
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    Atomics.store(new Int32Array(ctl), CTL_STOP, 1);
    await Promise.all(workers.map((w) => new Promise<void>((r) => { if (w.threadId < 0) r(); else { w.once('exit', () => r()); } })));
    libc().close(sockFd);
  };
  try {
    await Promise.all([spawnWorker('egress'), spawnWorker('ingress')]);
  } catch (e) {
    await close();
    throw e;
  }
  const s = new Float64Array(stats);
  return {
    setRoutes(rs) { writeRoutes(routes, rs.map(tunnelRoute)); },
    setLocalIP(ip) { Atomics.store(new Int32Array(localIP), 0, ipToU32(ip) | 0); },
    stats() {
      const out = {} as TunnelStats;
      for (const [k, i] of Object.entries(STAT) as [keyof TunnelStats, number][]) out[k] = s[i]!;
      return out;
    },
    failed,
    close,
  };
}

