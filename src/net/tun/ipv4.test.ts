import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decrementTtl, dstOf, icmpNetUnreachable, inetChecksum, ipToU32, isWholeIPv4, prefixMask, srcOf, u32ToIp } from './ipv4.js';

/** A UDP-in-IPv4 packet with a valid header checksum. */
function packet(src: string, dst: string, ttl: number, payload = 'hello'): Buffer {
  const b = Buffer.alloc(20 + 8 + payload.length);
  b[0] = 0x45; b.writeUInt16BE(b.length, 2); b[8] = ttl; b[9] = 17;
  b.writeUInt32BE(ipToU32(src), 12); b.writeUInt32BE(ipToU32(dst), 16);
  b.writeUInt16BE(inetChecksum(b, 0, 20), 10);
  b.writeUInt16BE(1234, 20); b.writeUInt16BE(80, 22); b.writeUInt16BE(8 + payload.length, 24);
  b.write(payload, 28);
  return b;
}

test('addresses and masks as unsigned 32-bit numbers', () => {
  assert.equal(ipToU32('10.244.1.0'), 0x0af40100);
  assert.equal(ipToU32('255.255.255.255'), 0xffffffff);
  assert.equal(u32ToIp(0xc0a88add), '192.168.138.221');
  assert.equal(prefixMask(24), 0xffffff00);
  assert.equal(prefixMask(0), 0);
  assert.equal(prefixMask(32), 0xffffffff);
  assert.throws(() => ipToU32('10.244.1'), /not an IPv4 address/);
  assert.throws(() => ipToU32('10.244.1.256'), /not an IPv4 address/);
});

test('a whole IPv4 packet: version, header length, total length within what was read', () => {
  const p = packet('10.244.1.3', '10.244.0.2', 64);
  assert.ok(isWholeIPv4(p, p.length));
  assert.ok(!isWholeIPv4(p, p.length - 1), 'truncated');
  assert.ok(!isWholeIPv4(p, 19));
  const v6 = Buffer.from(p); v6[0] = 0x60;
  assert.ok(!isWholeIPv4(v6, v6.length));
  const shortIhl = Buffer.from(p); shortIhl[0] = 0x44;
  assert.ok(!isWholeIPv4(shortIhl, shortIhl.length));
  assert.equal(u32ToIp(srcOf(p)), '10.244.1.3');
  assert.equal(u32ToIp(dstOf(p)), '10.244.0.2');
});

test('TTL decrement keeps the header checksum valid (incremental update = full recompute)', () => {
  for (let ttl = 2; ttl <= 255; ttl++) {
    for (const [s, d] of [['10.244.1.3', '10.244.0.2'], ['0.0.0.0', '0.0.0.1'], ['255.255.255.254', '255.255.255.255']] as const) {
      const p = packet(s, d, ttl);
      assert.ok(decrementTtl(p));
      assert.equal(p[8], ttl - 1);
      assert.equal(inetChecksum(p, 0, 20), 0, `ttl ${ttl} ${s}>${d}: header sums to 0`);
    }
  }
  const last = packet('10.244.1.3', '10.244.0.2', 1);
  const copy = Buffer.from(last);
  assert.equal(decrementTtl(last), false);
  assert.deepEqual(last, copy, 'left alone');
});

test('ICMP net unreachable: from the router to the sender, quoting header + 8 bytes, valid checksums', () => {
  const p = packet('10.244.1.3', '10.244.9.9', 63, 'payload-longer-than-eight');
  const e = icmpNetUnreachable(p, p.length, ipToU32('10.244.1.0'))!;
  assert.ok(e);
  assert.equal(e.length, 20 + 8 + 28);
  assert.equal(u32ToIp(srcOf(e)), '10.244.1.0');
  assert.equal(u32ToIp(dstOf(e)), '10.244.1.3');
  assert.equal(e[9], 1);
  assert.deepEqual([e[20], e[21]], [3, 0]);
  assert.equal(inetChecksum(e, 0, 20), 0);
  assert.equal(inetChecksum(e, 20, e.length - 20), 0);
  assert.deepEqual(e.subarray(28), p.subarray(0, 28));
  // never an error about an error
  const again = icmpNetUnreachable(e, e.length, ipToU32('10.244.2.0'));
  assert.equal(again, undefined);
  assert.equal(icmpNetUnreachable(p, 10, 1), undefined);
});
