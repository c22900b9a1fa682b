/**
 * The packet pump with its real threads and syscalls, without a netns: each "TUN device" is one end
 * of a SOCK_SEQPACKET socketpair (read/write move whole packets, as on a TUN fd), and the two
 * tunnels talk UDP on 127.0.0.1 (loopback only, as podnet may in the host's namespace).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_SEQPACKET, libc } from './libc.js';
import { inetChecksum, ipToU32, u32ToIp } from './ipv4.js';
import { startUdpTunnel, type UdpTunnel } from './pump.js';

function pair(): [number, number] {
  const b = Buffer.alloc(8);
  assert.equal(libc().socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, b), 0);
  return [b.readInt32LE(0), b.readInt32LE(4)];
}

function packet(src: string, dst: string, ttl: number, payload: string): Buffer {
  const b = Buffer.alloc(20 + payload.length);
  b[0] = 0x45; b.writeUInt16BE(b.length, 2); b[8] = ttl; b[9] = 17;
  b.writeUInt32BE(ipToU32(src), 12); b.writeUInt32BE(ipToU32(dst), 16);
  b.writeUInt16BE(inetChecksum(b, 0, 20), 10);
  b.write(payload, 20);
  return b;
}

async function readPacket(fd: number, ms = 3000): Promise<Buffer | undefined> {
  const buf = Buffer.alloc(2048);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const n = libc().read(fd, buf, buf.length);
    if (n > 0) return Buffer.from(buf.subarray(0, n));
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}

const freePort = (): Promise<number> => new Promise((resolve) => {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

test('udp tunnel: packets cross between two pumps (TTL decremented), no route → ICMP net unreachable, strangers dropped', async () => {
  const c = libc();
  const [aTun, aApp] = pair();
  const [bTun, bApp] = pair();
  const [pa, pb] = [await freePort(), await freePort()];
  const tunnels: UdpTunnel[] = [];
  try {
    const a = await startUdpTunnel({ tunFd: aTun, port: pa, bindIP: '127.0.0.1', mtu: 1472, pollMs: 50 });
    tunnels.push(a);
    const b = await startUdpTunnel({ tunFd: bTun, port: pb, bindIP: '127.0.0.1', mtu: 1472, pollMs: 50 });
    tunnels.push(b);
    a.setLocalIP('10.244.1.0');
    a.setRoutes([{ subnet: '10.244.2.0/24', peerIP: '127.0.0.1', peerPort: pb }]);
    b.setRoutes([{ subnet: '10.244.1.0/24', peerIP: '127.0.0.1', peerPort: pa }]);

    // node A's kernel hands the pump a packet for B's subnet; B's "kernel" receives it.
    const p = packet('10.244.1.3', '10.244.2.7', 63, 'hello over udp');
    assert.equal(c.write(aApp, p, p.length), p.length);
    const got = await readPacket(bApp);
    assert.ok(got, 'the packet came out of B\'s TUN');
    assert.equal(got.toString('latin1', 20), 'hello over udp');
    assert.equal(got[8], 62, 'TTL decremented once, by the sending pump');
    assert.equal(inetChecksum(got, 0, 20), 0, 'header checksum still valid');
    assert.equal(u32ToIp(got.readUInt32BE(12)), '10.244.1.3', 'source kept');

    // and back
    const r = packet('10.244.2.7', '10.244.1.3', 64, 'reply');
    c.write(bApp, r, r.length);
    assert.equal((await readPacket(aApp))?.toString('latin1', 20), 'reply');

    // no lease holds 10.244.9.0/24: A answers with ICMP net unreachable from its flannel0 address
    const lost = packet('10.244.1.3', '10.244.9.9', 64, 'nowhere');
    c.write(aApp, lost, lost.length);
    const icmp = await readPacket(aApp);
    assert.ok(icmp, 'an ICMP error came back into A\'s TUN');
    assert.equal(icmp[9], 1);
    assert.deepEqual([icmp[20], icmp[21]], [3, 0]);
    assert.equal(u32ToIp(icmp.readUInt32BE(12)), '10.244.1.0');
    assert.equal(u32ToIp(icmp.readUInt32BE(16)), '10.244.1.3');

    // a datagram from an address that holds no lease is not written into the TUN
    b.setRoutes([]);
    const s = createSocket('udp4');
    await new Promise<void>((res) => s.send(packet('10.244.1.3', '10.244.2.7', 64, 'stranger'), pb, '127.0.0.1', () => res()));
    s.close();
    assert.equal(await readPacket(bApp, 400), undefined, 'dropped');

    await new Promise((r2) => setTimeout(r2, 150)); // counters are published at each wake-up
    const sa = a.stats(), sb = b.stats();
    assert.equal(sa.egressPackets, 1);
    assert.equal(sa.noRoute, 1);
    assert.equal(sa.ingressPackets, 1);
    assert.equal(sb.ingressPackets, 1);
    assert.equal(sb.unknownPeer, 1);
  } finally {
    for (const t of tunnels) await t.close();
    for (const fd of [aTun, aApp, bTun, bApp]) c.close(fd);
  }
});
