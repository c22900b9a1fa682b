import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIP, parseIP } from '../util/addr.js';
import { AddressPool, AllocatorError, CidrAllocator, PortAllocator, ServiceIPAllocator } from './index.js';

function code(fn: () => unknown): string {
  try { fn(); } catch (e) { assert.ok(e instanceof AllocatorError, String(e)); return e.code; }
  return 'none';
}

test('ip parse/format round trip (v4, v6)', () => {
  for (const s of ['10.96.0.1', '0.0.0.0', '255.255.255.255', 'fd00::1', '::', '2001:db8::ff:0:1', 'fd00:10:96::a', '1:2:3:4:5:6:7:8']) {
    assert.equal(formatIP(parseIP(s)), s);
  }
  assert.equal(formatIP(parseIP('::ffff:10.0.0.1')), '::ffff:a00:1');
});

test('ranges: unparsable CIDRs are EINVAL with the address module\'s message', () => {
  assert.equal(code(() => new ServiceIPAllocator('10.96.0.0')), 'EINVAL');
  assert.throws(() => new ServiceIPAllocator('10.96.0.0/33'), { message: '"10.96.0.0/33": prefix /33 exceeds 32 bits' });
  assert.equal(new ServiceIPAllocator(' 10.96.0.5/12 ').toString(), '10.96.0.0/12');
  assert.equal(code(() => new CidrAllocator('nope/16', 24)), 'EINVAL');
});

test('service IPs: first address reserved, network/broadcast never, errors', () => {
  const a = new ServiceIPAllocator('10.96.0.0/28');
  assert.equal(a.firstIP(), '10.96.0.1');
  assert.equal(a.free(), 14);
  a.allocate('10.96.0.1');
  assert.equal(code(() => a.allocate('10.96.0.1')), 'ETAKEN');
  assert.equal(code(() => a.allocate('10.96.0.0')), 'ERANGE');
  assert.equal(code(() => a.allocate('10.96.0.15')), 'ERANGE');
  assert.equal(code(() => a.allocate('10.97.0.3')), 'ERANGE');
  assert.equal(code(() => a.allocate('fd00::1')), 'ERANGE');
  assert.equal(code(() => a.allocate('nope')), 'EINVAL');
  const got = new Set<string>();
  for (let i = 0; i < 13; i++) got.add(a.allocateNext());
  assert.equal(got.size, 13);
  assert.ok(!got.has('10.96.0.1') && !got.has('10.96.0.0') && !got.has('10.96.0.15'));
  assert.equal(a.free(), 0);
  assert.equal(code(() => a.allocateNext()), 'EFULL');
  a.release('10.96.0.7');
  assert.equal(a.has('10.96.0.7'), false);
  assert.equal(a.allocateNext(), '10.96.0.7');
});

test('service IPs: allocateNext never returns the reserved first address even when it is free', () => {
  const a = new ServiceIPAllocator('10.0.0.0/29'); // 6 usable, .1 reserved → 5
  const got = new Set<string>();
  for (let i = 0; i < 5; i++) got.add(a.allocateNext());
  assert.ok(!got.has('10.0.0.1'));
  assert.equal(code(() => a.allocateNext()), 'EFULL');
  a.allocate('10.0.0.1');
});

test('service IPs: 500 allocations distinct and in range; release frees all', () => {
  const a = new ServiceIPAllocator('10.96.0.0/12');
  a.allocate('10.96.0.1');
  a.allocate('10.96.0.10');
  const before = a.free();
  const ips = Array.from({ length: 500 }, () => a.allocateNext());
  assert.equal(new Set(ips).size, 500);
  for (const ip of ips) {
    const v = parseIP(ip).value;
    assert.ok(v > parseIP('10.96.0.1').value && v < parseIP('10.111.255.255').value, ip);
  }
  assert.equal(a.free(), before - 500);
  for (const ip of ips) a.release(ip);
  assert.equal(a.free(), before);
  assert.ok(a.has('10.96.0.10'));
});

test('service IPs: dynamic allocation avoids the low static band while it can', () => {
  const a = new ServiceIPAllocator('10.10.0.0/16');
  for (let i = 0; i < 300; i++) assert.ok(parseIP(a.allocateNext()).value > parseIP('10.10.1.0').value);
});

test('service IPs: IPv6', () => {
  const a = new ServiceIPAllocator('fd00:10:96::/112');
  assert.equal(a.firstIP(), 'fd00:10:96::1');
  a.allocate('fd00:10:96::a');
  const ip = a.allocateNext();
  assert.ok(ip.startsWith('fd00:10:96::'));
  assert.equal(code(() => a.allocate('fd00:10:97::1')), 'ERANGE');
});

test('ports: range, taken, full, release', () => {
  const p = new PortAllocator(30000, 32767);
  assert.equal(p.free(), 2768);
  p.allocate(30080);
  assert.equal(code(() => p.allocate(30080)), 'ETAKEN');
  assert.equal(code(() => p.allocate(29999)), 'ERANGE');
  assert.equal(code(() => p.allocate(32768)), 'ERANGE');
  const ports = Array.from({ length: 500 }, () => p.allocateNext());
  assert.equal(new Set([...ports, 30080]).size, 501);
  for (const x of ports) p.release(x);
  assert.equal(p.free(), 2767);
  const small = new PortAllocator(100, 102);
  small.allocateNext(); small.allocateNext(); small.allocateNext();
  assert.equal(code(() => small.allocateNext()), 'EFULL');
  assert.equal(code(() => new PortAllocator(5, 1)), 'EINVAL');
});

test('node CIDRs: sequential, explicit, exhaustion, release', () => {
  const c = new CidrAllocator('10.244.0.0/16', 24);
  assert.equal(c.size(), 256);
  assert.equal(c.allocateNext(), '10.244.0.0/24');
  c.allocate('10.244.1.0/24');
  assert.equal(c.allocateNext(), '10.244.2.0/24');
  assert.equal(code(() => c.allocate('10.244.1.0/24')), 'ETAKEN');
  assert.equal(code(() => c.allocate('10.245.1.0/24')), 'ERANGE');
  assert.equal(code(() => c.allocate('10.244.1.0/25')), 'ERANGE');
  const t = new CidrAllocator('10.20.0.0/23', 24);
  assert.equal(t.allocateNext(), '10.20.0.0/24');
  assert.equal(t.allocateNext(), '10.20.1.0/24');
  assert.equal(code(() => t.allocateNext()), 'EFULL');
  t.release('10.20.0.0/24');
  assert.equal(t.allocateNext(), '10.20.0.0/24');
  assert.equal(code(() => new CidrAllocator('10.0.0.0/16', 8)), 'EINVAL');
  const v6 = new CidrAllocator('fd00:10:244::/56', 64);
  assert.equal(v6.allocateNext(), 'fd00:10:244::/64');
  assert.equal(v6.allocateNext(), 'fd00:10:244:1::/64');
});

test('load balancer pool: range or CIDR, lowest free first, holders', () => {
  const p = new AddressPool('192.168.1.240/30');
  assert.equal(p.size(), 4);
  assert.ok(p.contains('192.168.1.240') && p.contains('192.168.1.243') && !p.contains('192.168.1.244') && !p.contains('nope'));
  assert.equal(p.firstFree(), '192.168.1.240');
  p.hold('192.168.1.240', 'a/x');
  p.hold('192.168.1.242', 'b/y');
  assert.equal(p.firstFree(), '192.168.1.241');
  assert.equal(p.holder('192.168.1.242'), 'b/y');
  p.hold('192.168.1.242', 'b/y'); // idempotent for the same holder
  assert.equal(code(() => p.hold('192.168.1.242', 'a/x')), 'ETAKEN');
  assert.equal(code(() => p.hold('10.0.0.1', 'a/x')), 'ERANGE');
  p.hold('192.168.1.241', 'a/x');
  p.hold('192.168.1.243', 'c/z');
  assert.equal(p.firstFree(), undefined);
  p.releaseHolder('a/x');
  assert.equal(p.used(), 2);
  assert.equal(p.firstFree(), '192.168.1.240');
  p.release('192.168.1.242');
  assert.equal(p.holder('192.168.1.242'), undefined);
  const r = new AddressPool('10.0.0.254-10.0.1.1');
  assert.equal(r.size(), 4);
  assert.ok(r.contains('10.0.1.0'));
  assert.equal(new AddressPool('fd00::10-fd00::1f').size(), 16);
  for (const bad of ['10.0.0.5-10.0.0.1', '10.0.0.0/8', '10.0.0.1', '10.0.0.1-fd00::1', 'a-b', '10.0.0.1-10.0.0.2-10.0.0.3']) assert.equal(code(() => new AddressPool(bad)), 'EINVAL', bad);
});
