/**
 * One direction of the userspace tunnel, on its own thread (blocking in poll(2), never in Node's
 * event loop): `egress` reads IP packets from the TUN device and sends each in a UDP datagram to
 * the peer whose subnet holds its destination; `ingress` receives datagrams from peers and writes
 * the packets they carry into the TUN device. A poll timeout lets the thread see the stop flag.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decrementTtl, dstOf, icmpNetUnreachable, isWholeIPv4 } from './ipv4.js';
import { EAGAIN, EINTR, MSG_DONTWAIT, POLLIN, SOCKADDR_IN_SIZE, libc } from './libc.js';
import { CTL_STOP, STAT, type PumpMessage, type PumpWorkerData } from './pumpshared.js';
import { RouteReader } from './routes.js';

const d = workerData as PumpWorkerData;
const c = libc();
const ctl = new Int32Array(d.ctl);
const stats = new Float64Array(d.stats);
const localIP = new Int32Array(d.localIP);
const routes = new RouteReader(d.routes);
const post = (m: PumpMessage): void => parentPort?.postMessage(m);
/** Packets handled per wake-up before looking at the stop flag again. */
const BATCH = 512;
/** At most this many ICMP errors per second (a router rate-limits them too). */
const ICMP_PER_SECOND = 10;

function pollFd(fd: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32LE(fd, 0);
  b.writeInt16LE(POLLIN, 4);
  return b;
}

function runEgress(): void {
  const buf = Buffer.allocUnsafe(65536);
  const pfd = pollFd(d.tunFd);
  let icmpWindow = 0, icmpSent = 0;
  let pk = 0, by = 0, noRoute = 0, ttl = 0, sendErr = 0;
  const flush = (): void => {
    stats[STAT.egressPackets] = pk; stats[STAT.egressBytes] = by; stats[STAT.noRoute] = noRoute;
    stats[STAT.ttlExpired] = ttl; stats[STAT.sendErrors] = sendErr;
  };
  post({ type: 'ready' });
  while (Atomics.load(ctl, CTL_STOP) === 0) {
    const r = c.poll(pfd, 1, d.pollMs);
    if (r <= 0) { flush(); continue; }
    routes.refresh();
    for (let i = 0; i < BATCH; i++) {
      const n = c.read(d.tunFd, buf, buf.length);
      if (n < 0) {
        const e = c.errno();
        if (e === EAGAIN) break;
        if (e === EINTR) continue;
        post({ type: 'error', message: `read from the TUN device: ${c.strerror(e)}` });
        return;
      }
      if (!isWholeIPv4(buf, n)) continue; // IPv6 and the like: not ours to carry
      const peer = routes.lookup(dstOf(buf));
      if (!peer) {
        noRoute++;
        const now = Math.floor(Date.now() / 1000);
        if (now !== icmpWindow) { icmpWindow = now; icmpSent = 0; }
        const me = Atomics.load(localIP, 0) >>> 0;
        if (me && icmpSent < ICMP_PER_SECOND) {
          const err = icmpNetUnreachable(buf, n, me);
          if (err) { icmpSent++; c.write(d.tunFd, err, err.length); }
        }
        continue;
      }
      if (!decrementTtl(buf)) { ttl++; continue; }
      if (c.sendto(d.sockFd, buf, n, 0, peer.sockaddr, SOCKADDR_IN_SIZE) < 0) sendErr++;
      else { pk++; by += n; }
    }
    flush();
  }
  flush();
}

function runIngress(): void {
  const buf = Buffer.allocUnsafe(65536);
  const from = Buffer.alloc(SOCKADDR_IN_SIZE);
  const fromLen = Buffer.alloc(4);
  const pfd = pollFd(d.sockFd);
  let pk = 0, by = 0, unknown = 0, bad = 0, writeErr = 0;
  const flush = (): void => {
    stats[STAT.ingressPackets] = pk; stats[STAT.ingressBytes] = by; stats[STAT.unknownPeer] = unknown;
    stats[STAT.malformed] = bad; stats[STAT.writeErrors] = writeErr;
  };
  post({ type: 'ready' });
  while (Atomics.load(ctl, CTL_STOP) === 0) {
    const r = c.poll(pfd, 1, d.pollMs);
    if (r <= 0) { flush(); continue; }
    routes.refresh();
    for (let i = 0; i < BATCH; i++) {
      fromLen.writeUInt32LE(SOCKADDR_IN_SIZE, 0);
      const n = c.recvfrom(d.sockFd, buf, buf.length, MSG_DONTWAIT, from, fromLen);
      if (n < 0) {
        const e = c.errno();
        if (e === EAGAIN) break;
        if (e === EINTR) continue;
        post({ type: 'error', message: `recvfrom on the tunnel socket: ${c.strerror(e)}` });
        return;
      }
      // Only nodes holding a lease may put packets into our network.
      if (!routes.isPeer(from.readUInt32BE(4))) { unknown++; continue; }
      if (!isWholeIPv4(buf, n)) { bad++; continue; }
      const len = buf.readUInt16BE(2);
      if (c.write(d.tunFd, buf, len) < 0) writeErr++;
      else { pk++; by += len; }
    }
    flush();
  }
  flush();
}

try {
  if (d.role === 'egress') runEgress(); else runIngress();
} catch (e) {
  post({ type: 'error', message: (e as Error).message });
}
