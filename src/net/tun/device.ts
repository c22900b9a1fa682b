/**
 * A TUN device (IFF_TUN | IFF_NO_PI: raw IP packets, no packet-info header) in this process's
 * network namespace, as flannel's udp backend opens flannel0: open /dev/net/tun, ioctl(TUNSETIFF).
 * Not persistent: the device lives as long as the descriptor, so a killed daemon takes it along
 * (and with it the routes through it) and a restarted one makes it again. An existing persistent
 * TUN device of that name is attached instead. The descriptor is close-on-exec (no child process
 * may keep the device alive) and non-blocking (the pump polls it).
 */
import { PodnetError } from '../../util/errors.js';
import { SELF, assertNotHost, nsExec } from '../exec.js';
import { IFF_NO_PI, IFF_TUN, IFNAMSIZ, IFREQ_SIZE, O_CLOEXEC, O_NONBLOCK, O_RDWR, TUNSETIFF, libc } from './libc.js';

export class TunError extends PodnetError {
  constructor(message: string) { super('ETUN', message); }
}

export interface TunDevice { fd: number; name: string }

const EBUSY = 16, EINVAL = 22, EPERM = 1, ENOENT = 2;

/** Opens (creating or attaching) the TUN device `name` in our own netns; never in the host's. */
export function openTun(name: string): TunDevice {
  assertNotHost(SELF, `create TUN device ${name}`);
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new TunError(`bad TUN device name "${name}" (1-15 letters, digits, _ . -)`);
  const c = libc();
  const fd = c.open('/dev/net/tun', O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const e = c.errno();
    throw new TunError(`open /dev/net/tun: ${c.strerror(e)}${e === ENOENT ? ' (load the tun module)' : ''}`);
  }
  const req = Buffer.alloc(IFREQ_SIZE);
  req.write(name, 0, IFNAMSIZ - 1, 'latin1');
  req.writeUInt16LE(IFF_TUN | IFF_NO_PI, IFNAMSIZ);
  if (c.ioctl(fd, TUNSETIFF, req) < 0) {
    const e = c.errno();
    c.close(fd);
    const why = e === EBUSY ? `${name} is already attached to another process (another flanneld in this namespace?)`
      : e === EINVAL ? `${name} exists and is not a TUN device with these flags`
      : e === EPERM ? 'CAP_NET_ADMIN is needed' : c.strerror(e);
    throw new TunError(`TUNSETIFF ${name}: ${why}`);
  }
  const got = req.toString('latin1', 0, IFNAMSIZ).replace(/\0.*$/s, '');
  return { fd, name: got };
}

/** Closes the descriptor; a non-persistent device disappears with it (and its addresses and routes). */
export function closeTun(t: TunDevice): void {
  libc().close(t.fd);
}

/**
 * The transmit queue of the device: packets the kernel routed into it wait here until the pump
 * reads them. The TUN default (500) overflows whenever the pump's thread is descheduled for a few
 * milliseconds on a busy machine, and TCP across nodes then backs off on every drop (measured:
 * 2,700 drops and 0.29 Gbit/s at 500, none and 0.45 Gbit/s at 5000 on the same lab).
 */
export const TUN_TXQUEUELEN = 5000;

/** Sets the device's MTU and transmit queue and brings it up (ip link, in our own netns). */
export async function configureTun(t: TunDevice, mtu: number, txqueuelen = TUN_TXQUEUELEN): Promise<void> {
  await nsExec(SELF, ['ip', 'link', 'set', 'dev', t.name, 'mtu', String(mtu), 'txqueuelen', String(txqueuelen), 'up']);
}
