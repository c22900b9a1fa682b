/**
 * The few libc calls the TUN device and its packet pump need, through koffi (FFI): open, ioctl,
 * read, write, poll, socket, bind, setsockopt, sendto, recvfrom, close. Loaded lazily, once per
 * thread (the pump's worker threads load their own). Buffers are passed by pointer, no copies.
 * Every call returns the raw result; `errno()` is the calling thread's errno of the last call.
 */
import koffi from 'koffi';
import { PodnetError } from '../../util/errors.js';

// Linux x86_64/arm64 constants (asm-generic), as <fcntl.h>, <linux/if_tun.h>, <sys/socket.h> define them.
export const O_RDWR = 0o2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
/** _IOW('T', 202, int) */
export const TUNSETIFF = 0x400454ca;
export const IFF_TUN = 0x0001;
export const IFF_NO_PI = 0x1000;
export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = 0o2000000;
export const SOCK_SEQPACKET = 5;
export const SOCK_NONBLOCK = 0o4000;
export const AF_UNIX = 1;
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_SNDBUFFORCE = 32;
export const SO_RCVBUFFORCE = 33;
export const POLLIN = 0x1;
export const MSG_DONTWAIT = 0x40;
export const EINTR = 4;
export const EAGAIN = 11;
export const ENOBUFS = 105;
/** struct ifreq: 16 bytes of name, then a union of 24 bytes (ifr_flags is its first short). */
export const IFREQ_SIZE = 40;
export const IFNAMSIZ = 16;
export const SOCKADDR_IN_SIZE = 16;

export interface Libc {
  open(path: string, flags: number): number;
  close(fd: number): number;
  ioctl(fd: number, req: number, arg: Buffer): number;
  read(fd: number, buf: Buffer, len: number): number;
  write(fd: number, buf: Buffer, len: number): number;
  poll(fds: Buffer, nfds: number, timeoutMs: number): number;
  socket(domain: number, type: number, proto: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, val: Buffer, len: number): number;
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrLen: number): number;
  recvfrom(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrLen: Buffer): number;
  socketpair(domain: number, type: number, proto: number, fds: Buffer): number;
  errno(): number;
  strerror(errnum: number): string;
}

export class LibcError extends PodnetError {
  constructor(readonly call: string, readonly errnum: number, detail: string) {
    super('ELIBC', `${call}: ${detail} (errno ${errnum})`);
  }
}

let cached: Libc | undefined;

/** This thread's libc binding (koffi loads libc.so.6 once per thread). */
export function libc(): Libc {
  if (cached) return cached;
  const lib = koffi.load('libc.so.6');
  const ioctl = lib.func('int ioctl(int fd, unsigned long request, ...)');
  const open = lib.func('int open(const char *path, int flags, ...)');
  const strerror = lib.func('const char *strerror(int errnum)');
  const f = {
    close: lib.func('int close(int fd)'),
    read: lib.func('long read(int fd, void *buf, unsigned long len)'),
    write: lib.func('long write(int fd, const void *buf, unsigned long len)'),
    poll: lib.func('int poll(void *fds, unsigned long nfds, int timeout)'),
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    bind: lib.func('int bind(int fd, const void *addr, unsigned int len)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *val, unsigned int len)'),
    sendto: lib.func('long sendto(int fd, const void *buf, unsigned long len, int flags, const void *addr, unsigned int addrlen)'),
    recvfrom: lib.func('long recvfrom(int fd, void *buf, unsigned long len, int flags, void *addr, void *addrlen)'),
    socketpair: lib.func('int socketpair(int domain, int type, int protocol, void *fds)'),
  };
  cached = {
    open: (path, flags) => open(path, flags) as number,
    close: (fd) => f.close(fd) as number,
    ioctl: (fd, req, arg) => ioctl(fd, req, 'void *', arg) as number,
    read: (fd, buf, len) => Number(f.read(fd, buf, len)),
    write: (fd, buf, len) => Number(f.write(fd, buf, len)),
    poll: (fds, nfds, timeoutMs) => f.poll(fds, nfds, timeoutMs) as number,
    socket: (d, t, p) => f.socket(d, t, p) as number,
    bind: (fd, addr, len) => f.bind(fd, addr, len) as number,
    setsockopt: (fd, level, name, val, len) => f.setsockopt(fd, level, name, val, len) as number,
    sendto: (fd, buf, len, flags, addr, addrLen) => Number(f.sendto(fd, buf, len, flags, addr, addrLen)),
    recvfrom: (fd, buf, len, flags, addr, addrLen) => Number(f.recvfrom(fd, buf, len, flags, addr, addrLen)),
    socketpair: (d, t, p, fds) => f.socketpair(d, t, p, fds) as number,
    errno: () => koffi.errno(),
    strerror: (n) => String(strerror(n)),
  };
  return cached;
}

/** Throws LibcError for a negative result, naming the call and errno's text. */
export function check(call: string, r: number): number {
  if (r >= 0) return r;
  const c = libc();
  const e = c.errno();
  throw new LibcError(call, e, c.strerror(e));
}

/** struct sockaddr_in for an IPv4 address (host-order u32) and port. */
export function sockaddrIn(ip: number, port: number): Buffer {
  const b = Buffer.alloc(SOCKADDR_IN_SIZE);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  b.writeUInt32BE(ip >>> 0, 4);
  return b;
}
