/**
 * UDP sockets read and written in batches (recvmmsg/sendmmsg) through koffi, for servers that
 * answer many small datagrams (the cluster DNS). Node's dgram costs one event, one Buffer and one
 * send request per datagram and has no SO_REUSEPORT; here one socket fd is shared by the threads
 * of a process (each thread polls it from its own event loop and takes what it reads), and one
 * system call moves up to BATCH_SLOTS datagrams each way. Linux x86_64/arm64 (LP64) layouts.
 */
import koffi from 'koffi';
import { familyOf } from '../util/addr.js';
import { LibcError } from './tun/libc.js';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_RCVBUF = 8;
const SO_SNDBUF = 7;
const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
const EAGAIN = 11;
const EINTR = 4;

/** Datagrams per recvmmsg/sendmmsg call. */
export const BATCH_SLOTS = 64;
/** Largest datagram a slot holds (a longer one is flagged truncated). */
export const SLOT_BYTES = 4096;
const NAME_BYTES = 32;                // sockaddr_in6 is 28
const MMSGHDR = 64;                   // struct mmsghdr: msghdr (56) + msg_len (4) + padding
const IOVEC = 16;

interface Calls {
  socket(d: number, t: number, p: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, val: Buffer, len: number): number;
  getsockname(fd: number, addr: Buffer, len: Buffer): number;
  close(fd: number): number;
  recvmmsg(fd: number, vec: Buffer, n: number, flags: number, timeout: null): number;
  sendmmsg(fd: number, vec: Buffer, n: number, flags: number): number;
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrLen: number): number;
  strerror(n: number): string;
}

let cached: Calls | undefined;
/** This thread's bindings (koffi loads libc once per thread). */
function calls(): Calls {
  if (cached) return cached;
  const lib = koffi.load('libc.so.6');
  const strerror = lib.func('const char *strerror(int errnum)');
  const recvmmsg = lib.func('int recvmmsg(int fd, void *vec, unsigned int vlen, int flags, void *timeout)');
  const sendmmsg = lib.func('int sendmmsg(int fd, void *vec, unsigned int vlen, int flags)');
  const sendto = lib.func('long sendto(int fd, const void *buf, unsigned long len, int flags, const void *addr, unsigned int addrlen)');
  const f = {
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    bind: lib.func('int bind(int fd, const void *addr, unsigned int len)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *val, unsigned int len)'),
    getsockname: lib.func('int getsockname(int fd, void *addr, void *len)'),
    close: lib.func('int close(int fd)'),
  };
  cached = {
    socket: (d, t, p) => f.socket(d, t, p) as number,
    bind: (fd, a, l) => f.bind(fd, a, l) as number,
    setsockopt: (fd, lv, n, v, l) => f.setsockopt(fd, lv, n, v, l) as number,
    getsockname: (fd, a, l) => f.getsockname(fd, a, l) as number,
    close: (fd) => f.close(fd) as number,
    recvmmsg: (fd, v, n, fl, t) => recvmmsg(fd, v, n, fl, t) as number,
    sendmmsg: (fd, v, n, fl) => sendmmsg(fd, v, n, fl) as number,
    sendto: (fd, b, l, fl, a, al) => Number(sendto(fd, b, l, fl, a, al)),
    strerror: (n) => String(strerror(n)),
  };
  return cached;
}

function fail(call: string): never {
  const e = koffi.errno();
  throw new LibcError(call, e, calls().strerror(e));
}

function intBuf(v: number): Buffer { const b = Buffer.alloc(4); b.writeInt32LE(v); return b; }

/** struct sockaddr_in / sockaddr_in6 for an address and port. */
export function sockaddr(host: string, port: number): Buffer {
  const fam = familyOf(host);
  if (fam === 4) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    host.split('.').forEach((o, i) => { b[4 + i] = Number(o); });
    return b;
  }
  if (fam === 6) {
    const b = Buffer.alloc(28);
    b.writeUInt16LE(AF_INET6, 0);
    b.writeUInt16BE(port, 2);
    ipv6Bytes(host).copy(b, 8);
    return b;
  }
  throw new LibcError('sockaddr', 22, `not an IP address: "${host}"`);
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail] = ip.split('::');
  const part = (s: string): string[] => (s ? s.split(':') : []);
  let groups = part(head);
  let after = tail !== undefined ? part(tail) : [];
  const v4 = (g: string[]): string[] => {
    const last = g[g.length - 1];
    if (!last?.includes('.')) return g;
    const o = last.split('.').map(Number);
    return [...g.slice(0, -1), ((o[0]! << 8) | o[1]!).toString(16), ((o[2]! << 8) | o[3]!).toString(16)];
  };
  if (tail !== undefined) after = v4(after); else groups = v4(groups);
  const full = tail !== undefined ? [...groups, ...Array<string>(8 - groups.length - after.length).fill('0'), ...after] : groups;
  const b = Buffer.alloc(16);
  full.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

/** The address and port of a sockaddr (as getsockname/recvmmsg fill it). */
export function parseSockaddr(b: Buffer, off = 0): { host: string; port: number } {
  const fam = b.readUInt16LE(off);
  const port = b.readUInt16BE(off + 2);
  if (fam === AF_INET) return { host: `${b[off + 4]}.${b[off + 5]}.${b[off + 6]}.${b[off + 7]}`, port };
  const g: string[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(off + 8 + i * 2).toString(16));
  return { host: g.join(':'), port };
}

export interface BoundUdp { fd: number; host: string; port: number }

/**
 * A non-blocking UDP socket bound to host:port (0: the kernel picks), with the receive and send
 * buffers asked for (the kernel caps them at rmem_max/wmem_max). An IPv6 socket keeps the
 * system's default for IPv4-mapped traffic (dual-stack on '::' unless bindv6only), as Node's dgram does.
 */
export function openUdp(host: string, port: number, bufferBytes: number): BoundUdp {
  const c = calls();
  const v6 = familyOf(host) === 6;
  const fd = c.socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail('socket');
  try {
    if (c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, intBuf(1), 4) < 0) fail('setsockopt(SO_REUSEADDR)');
    c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, intBuf(bufferBytes), 4);
    c.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, intBuf(bufferBytes), 4);
    const sa = sockaddr(host, port);
    if (c.bind(fd, sa, sa.length) < 0) fail(`bind ${host}:${port}`);
    const name = Buffer.alloc(NAME_BYTES);
    const len = intBuf(NAME_BYTES);
    if (c.getsockname(fd, name, len) < 0) fail('getsockname');
    return { fd, ...parseSockaddr(name) };
  } catch (e) {
    c.close(fd);
    throw e;
  }
}

export function closeFd(fd: number): void { calls().close(fd); }

/** Sends one datagram to the address bytes a batch slot held (see UdpBatch.peer); false when it could not. */
export function sendOne(fd: number, msg: Buffer, peer: Buffer): boolean {
  return calls().sendto(fd, msg, msg.length, MSG_DONTWAIT, peer, peer.length) === msg.length;
}

/** Calls `onReadable` from this thread's event loop whenever `fd` has data (until stop()). */
export function pollReadable(fd: number, onReadable: () => void): { stop(): void } {
  // koffi calls back with (status, events) although its typings say (events).
  const cb = (status: number, ev?: { readable?: boolean }): void => { if (status === 0 && ev?.readable) onReadable(); };
  const h = koffi.node.poll(fd, { readable: true }, cb as unknown as (ev: { readable: boolean }) => void);
  return { stop: () => h.close() };
}

/**
 * Preallocated memory for one thread's batches: BATCH_SLOTS receive slots (datagram + source
 * address) and as many reply slots that go back to the same addresses. Usage: n = recv(fd);
 * for each i < n read in(i), write a reply into out(i) and reply(i, len); then flush(fd).
 */
export class UdpBatch {
  private readonly mem: Buffer;
  private readonly recvHdr: number;
  private readonly sendHdr: number;
  private readonly names: number;
  private readonly inData: number;
  private readonly outData: number;
  private readonly sendIov: number;
  private readonly ins: Buffer[] = [];
  private readonly outs: Buffer[] = [];
  private readonly lens = new Int32Array(BATCH_SLOTS);
  private replyCount = 0;
  private readonly replying = new Uint8Array(BATCH_SLOTS);
  private lastRecv = 0;

  constructor() {
    const recvIov = BATCH_SLOTS * MMSGHDR * 2;
    this.recvHdr = 0;
    this.sendHdr = BATCH_SLOTS * MMSGHDR;
    this.sendIov = recvIov + BATCH_SLOTS * IOVEC;
    this.names = this.sendIov + BATCH_SLOTS * IOVEC;
    this.inData = this.names + BATCH_SLOTS * NAME_BYTES;
    this.outData = this.inData + BATCH_SLOTS * SLOT_BYTES;
    // One allocation of its own (not the pool), so its address never changes.
    this.mem = Buffer.alloc(this.outData + BATCH_SLOTS * SLOT_BYTES);
    const base = koffi.address(this.mem);
    const at = (off: number): bigint => base + BigInt(off);
    for (let i = 0; i < BATCH_SLOTS; i++) {
      const rh = this.recvHdr + i * MMSGHDR;
      const sh = this.sendHdr + i * MMSGHDR;
      const riov = recvIov + i * IOVEC;
      const siov = this.sendIov + i * IOVEC;
      const name = this.names + i * NAME_BYTES;
      const din = this.inData + i * SLOT_BYTES;
      const dout = this.outData + i * SLOT_BYTES;
      this.mem.writeBigUInt64LE(at(din), riov);
      this.mem.writeBigUInt64LE(BigInt(SLOT_BYTES), riov + 8);
      this.mem.writeBigUInt64LE(at(dout), siov);
      for (const [h, iov] of [[rh, riov], [sh, siov]] as const) {
        this.mem.writeBigUInt64LE(at(name), h);             // msg_name
        this.mem.writeUInt32LE(NAME_BYTES, h + 8);          // msg_namelen
        this.mem.writeBigUInt64LE(at(iov), h + 16);         // msg_iov
        this.mem.writeBigUInt64LE(1n, h + 24);              // msg_iovlen
      }
      this.ins.push(this.mem.subarray(din, din + SLOT_BYTES));
      this.outs.push(this.mem.subarray(dout, dout + SLOT_BYTES));
    }
  }

  /** Reads up to BATCH_SLOTS datagrams without blocking; 0 when none is waiting. Throws on errors other than EAGAIN. */
  recv(fd: number): number {
    for (let i = 0; i < this.lastRecv; i++) this.mem.writeUInt32LE(NAME_BYTES, this.recvHdr + i * MMSGHDR + 8);
    this.lastRecv = 0;
    this.replyCount = 0;
    const n = calls().recvmmsg(fd, this.mem, BATCH_SLOTS, MSG_DONTWAIT, null);
    if (n < 0) {
      const e = koffi.errno();
      if (e === EAGAIN || e === EINTR) return 0;
      fail('recvmmsg');
    }
    this.lastRecv = n;
    for (let i = 0; i < n; i++) {
      const h = this.recvHdr + i * MMSGHDR;
      this.lens[i] = this.mem.readInt32LE(h + 48) & MSG_TRUNC ? -1 : this.mem.readUInt32LE(h + 56);
      this.replying[i] = 0;
    }
    return n;
  }

  /** Slot i's datagram (a view of SLOT_BYTES; its length is len(i)), valid until the next recv. */
  in(i: number): Buffer { return this.ins[i]!; }
  /** Slot i's length, or -1 when the datagram was longer than a slot. */
  len(i: number): number { return this.lens[i]!; }
  /** A copy of slot i's source address (a sockaddr), for replying later with sendOne. */
  peer(i: number): Buffer {
    const h = this.recvHdr + i * MMSGHDR;
    const o = this.names + i * NAME_BYTES;
    return Buffer.from(this.mem.subarray(o, o + this.mem.readUInt32LE(h + 8)));
  }
  /** Where slot i's reply is written (SLOT_BYTES). */
  out(i: number): Buffer { return this.outs[i]!; }

  /** Marks slot i's reply (len bytes of out(i)) for the next flush. */
  reply(i: number, len: number): void {
    const sh = this.sendHdr + i * MMSGHDR;
    this.mem.writeUInt32LE(this.mem.readUInt32LE(this.recvHdr + i * MMSGHDR + 8), sh + 8);
    this.mem.writeUInt32LE(len, this.sendIov + i * IOVEC + 8);
    this.replying[i] = 1;
    this.replyCount++;
  }

  /** Sends the marked replies; returns how many went out (the rest could not be sent now and are dropped). */
  flush(fd: number): number {
    const want = this.replyCount;
    if (!want) return 0;
    if (want < this.lastRecv) {
      // Move the replies' headers together (each keeps pointing at its own slot's address and data).
      let j = 0;
      for (let i = 0; i < this.lastRecv; i++) {
        if (!this.replying[i]) continue;
        if (i !== j) {
          const from = this.sendHdr + i * MMSGHDR;
          this.mem.copy(this.mem, this.sendHdr + j * MMSGHDR, from, from + MMSGHDR);
        }
        j++;
      }
    }
    let sent = 0;
    while (sent < want) {
      const r = calls().sendmmsg(fd, this.mem.subarray(this.sendHdr + sent * MMSGHDR), want - sent, MSG_DONTWAIT);
      if (r <= 0) {
        if (r < 0 && koffi.errno() === EINTR) continue;
        break;
      }
      sent += r;
    }
    if (want < this.lastRecv) this.restoreSendHeaders();
    this.replyCount = 0;
    return sent;
  }

  /** Puts every send header back to point at its own slot (after flush moved some). */
  private restoreSendHeaders(): void {
    const base = koffi.address(this.mem);
    for (let i = 0; i < this.lastRecv; i++) {
      const sh = this.sendHdr + i * MMSGHDR;
      this.mem.writeBigUInt64LE(base + BigInt(this.names + i * NAME_BYTES), sh);
      this.mem.writeBigUInt64LE(base + BigInt(this.sendIov + i * IOVEC), sh + 16);
    }
  }
}
