/**
 * The IPv4 header work a userspace tunnel does (pure, on Buffers): read the destination, check a
 * packet is whole, decrement the TTL with an incremental checksum update (as a router does,
 * RFC 1624), and build the ICMP "destination unreachable" a router sends when it has no route.
 */

/** Dotted quad → unsigned 32-bit number (throws on anything else). */
export function ipToU32(ip: string): number {
  const p = ip.split('.');
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

export function u32ToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The netmask of a prefix length as an unsigned 32-bit number. */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** True when buf[0..n) starts with a whole IPv4 packet: version 4, header ≥ 20 bytes, total length ≤ n. */
export function isWholeIPv4(buf: Buffer, n: number): boolean {
  if (n < 20) return false;
  const b0 = buf[0]!;
  if (b0 >> 4 !== 4) return false;
  const ihl = (b0 & 15) * 4;
  if (ihl < 20) return false;
  const total = buf.readUInt16BE(2);
  return total >= ihl && total <= n;
}

export function dstOf(buf: Buffer): number { return buf.readUInt32BE(16); }
export function srcOf(buf: Buffer): number { return buf.readUInt32BE(12); }

/** The Internet checksum (RFC 1071) of buf[off, off+len). */
export function inetChecksum(buf: Buffer, off: number, len: number): number {
  let sum = 0;
  let i = off;
  for (; i + 1 < off + len; i += 2) sum += buf.readUInt16BE(i);
  if (i < off + len) sum += buf[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Decrements the TTL and patches the header checksum incrementally (the TTL is the high byte of
 * its 16-bit word, so the word drops by 0x0100 and the checksum rises by as much, end-around).
 * Returns false, leaving the packet alone, when the TTL would reach 0 (the packet must be dropped).
 */
export function decrementTtl(buf: Buffer): boolean {
  const ttl = buf[8]!;
  if (ttl <= 1) return false;
  buf[8] = ttl - 1;
  let c = buf.readUInt16BE(10) + 0x0100;
  c = (c + (c >> 16)) & 0xffff;
  buf.writeUInt16BE(c, 10);
  return true;
}

/**
 * ICMP destination unreachable (type 3, code 0: network unreachable) from `routerIP` to the
 * sender of `orig`, quoting its header and first 8 bytes of payload (RFC 792). Undefined when the
 * original is itself an ICMP error or not a whole packet (no error about an error).
 */
export function icmpNetUnreachable(orig: Buffer, n: number, routerIP: number): Buffer | undefined {
  if (!isWholeIPv4(orig, n)) return undefined;
  const ihl = (orig[0]! & 15) * 4;
  if (orig[9] === 1 && n > ihl) {
    const type = orig[ihl]!;
    if (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) return undefined;
  }
  const quoted = Math.min(n, ihl + 8);
  const out = Buffer.alloc(20 + 8 + quoted);
  out[0] = 0x45;
  out.writeUInt16BE(out.length, 2);
  out[8] = 64;
  out[9] = 1; // ICMP
  out.writeUInt32BE(routerIP >>> 0, 12);
  out.writeUInt32BE(srcOf(orig), 16);
  out.writeUInt16BE(inetChecksum(out, 0, 20), 10);
  out[20] = 3; out[21] = 0;
  orig.copy(out, 28, 0, quoted);
  out.writeUInt16BE(inetChecksum(out, 20, out.length - 20), 22);
  return out;
}
