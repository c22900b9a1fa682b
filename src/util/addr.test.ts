import test from 'node:test';
import assert from 'node:assert/strict';
import {
  AddrError, addIP, bitsOf, broadcast, canonicalIP, cidrOf, cidrSize, compareIP, contains, containsCidr, equalIP,
  familyOf, familyOfText, formatCidr, formatIP, ipOf, isIP, isIPv4, isIPv6, isNetwork, maskValue, netmask, network,
  nextSubnet, nthAddress, offsetOf, overlaps, parseCidr, parseIP, subnetOf, tryParseCidr, tryParseIP,
} from './addr.js';

const ip = (s: string) => parseIP(s);
const cidr = (s: string) => parseCidr(s);
const fmt = (s: string) => formatIP(parseIP(s));
const code = (c: string) => (e: unknown) => e instanceof AddrError && e.code === c;

test('family detection', () => {
  assert.equal(familyOf('10.96.0.1'), 4);
  assert.equal(familyOf('fd00::1'), 6);
  assert.equal(familyOf('::ffff:10.0.0.1'), 6);
  for (const bad of ['', '10.96.0', '010.1.1.1', '256.0.0.1', '1.2.3.4.5', '1::2::3', 'fe80::1%eth0', 'abc', ' 1.2.3.4', '1.2.3.4/32']) {
    assert.equal(familyOf(bad), undefined, bad);
    assert.equal(isIP(bad), false, bad);
  }
  assert.ok(isIPv4('0.0.0.0') && !isIPv4('::') && isIPv6('::') && !isIPv6('1.2.3.4'));
  assert.ok(!isIP(undefined) && !isIP(42));
  assert.equal(familyOfText('10.0.0.0/8'), 4);
  assert.equal(familyOfText('fd00::/64'), 6);
  assert.equal(bitsOf(4), 32);
  assert.equal(bitsOf(6), 128);
});

test('IPv4 parse and format round-trip, extremes', () => {
  assert.equal(ip('0.0.0.0').value, 0n);
  assert.equal(ip('255.255.255.255').value, 0xffffffffn);
  assert.equal(ip('10.96.0.10').value, 0x0a60000an);
  for (const s of ['0.0.0.0', '255.255.255.255', '10.96.0.10', '192.168.1.254']) assert.equal(fmt(s), s);
});

test('IPv6 parse and canonical (RFC 5952) format', () => {
  assert.equal(ip('::').value, 0n);
  assert.equal(ip('::1').value, 1n);
  assert.equal(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff').value, (1n << 128n) - 1n);
  const cases: [string, string][] = [
    ['::', '::'], ['::1', '::1'], ['1::', '1::'], ['fd00::1', 'fd00::1'], ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'], // longest run wins
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['fd00:0:0:1::1', 'fd00:0:0:1::1'], ['::ffff:10.0.0.1', '::ffff:a00:1'], ['::10.0.0.1', '::a00:1'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ];
  for (const [i, o] of cases) assert.equal(fmt(i), o, i);
  assert.equal(canonicalIP('FD00::0001'), 'fd00::1');
  assert.ok(equalIP(ip('fd00::1'), ip('fd00:0::1')));
});

test('invalid addresses throw EBADIP with a stable message', () => {
  assert.throws(() => parseIP('10.96.0'), code('EBADIP'));
  assert.throws(() => parseIP('nope'), { message: '"nope" is not a valid IP address' });
  assert.equal(tryParseIP('1.2.3.256'), undefined);
  assert.equal(tryParseIP('::g'), undefined);
});

test('ipOf, addIP and compareIP keep inside the address space', () => {
  assert.deepEqual(ipOf(4, 0xffffffffn), ip('255.255.255.255'));
  assert.throws(() => ipOf(4, 1n << 32n), code('EOVERFLOW'));
  assert.throws(() => ipOf(6, -1n), code('EOVERFLOW'));
  assert.equal(formatIP(addIP(ip('10.0.0.255'), 1)), '10.0.1.0');
  assert.equal(formatIP(addIP(ip('10.0.1.0'), -1n)), '10.0.0.255');
  assert.equal(formatIP(addIP(ip('fd00::ffff'), 1n)), 'fd00::1:0');
  assert.throws(() => addIP(ip('255.255.255.255'), 1), code('EOVERFLOW'));
  assert.throws(() => addIP(ip('0.0.0.0'), -1), code('EOVERFLOW'));
  assert.throws(() => addIP(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 1), code('EOVERFLOW'));
  const sorted = ['fd00::1', '10.0.0.10', '10.0.0.9', '::1', '9.255.255.255'].map(ip).sort(compareIP).map(formatIP);
  assert.deepEqual(sorted, ['9.255.255.255', '10.0.0.9', '10.0.0.10', '::1', 'fd00::1']);
  assert.equal(compareIP(ip('1.1.1.1'), ip('1.1.1.1')), 0);
});

test('CIDR parse keeps host bits; network/broadcast/mask/size', () => {
  const c = cidr('10.1.2.5/24');
  assert.equal(formatCidr(c), '10.1.2.5/24');
  assert.equal(formatCidr(network(c)), '10.1.2.0/24');
  assert.equal(formatIP(broadcast(c)), '10.1.2.255');
  assert.equal(formatIP(netmask(c)), '255.255.255.0');
  assert.equal(cidrSize(c), 256n);
  assert.ok(!isNetwork(c) && isNetwork(network(c)));
  assert.equal(maskValue(4, 12), 0xfff00000n);
  assert.equal(formatCidr(network(cidr('fd00:10:244:1::7/64'))), 'fd00:10:244:1::/64');
  assert.equal(formatIP(broadcast(cidr('fd00::/64'))), 'fd00::ffff:ffff:ffff:ffff');
  assert.equal(formatIP(netmask(cidr('fd00::/64'))), 'ffff:ffff:ffff:ffff::');
  assert.equal(formatCidr(subnetOf(ip('10.244.7.9'), 16)), '10.244.0.0/16');
  assert.equal(formatCidr(cidrOf(ip('fd00::'), 48)), 'fd00::/48');
  assert.throws(() => cidrOf(ip('10.0.0.0'), 33), code('EBADCIDR'));
  assert.throws(() => cidrOf(ip('10.0.0.0'), 1.5), code('EBADCIDR'));
});

test('CIDR edge prefixes /0, /32, /128', () => {
  const all4 = cidr('10.9.8.7/0');
  assert.equal(formatCidr(network(all4)), '0.0.0.0/0');
  assert.equal(formatIP(broadcast(all4)), '255.255.255.255');
  assert.equal(formatIP(netmask(all4)), '0.0.0.0');
  assert.equal(cidrSize(all4), 1n << 32n);
  assert.ok(contains(all4, ip('255.255.255.255')) && contains(all4, ip('0.0.0.0')));
  assert.ok(!contains(all4, ip('::1')), 'no cross-family containment');
  const host = cidr('10.9.8.7/32');
  assert.equal(cidrSize(host), 1n);
  assert.equal(formatIP(broadcast(host)), '10.9.8.7');
  assert.equal(formatIP(netmask(host)), '255.255.255.255');
  assert.ok(contains(host, ip('10.9.8.7')) && !contains(host, ip('10.9.8.8')));
  const all6 = cidr('::/0');
  assert.equal(cidrSize(all6), 1n << 128n);
  assert.equal(formatIP(broadcast(all6)), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  const host6 = cidr('fd00::1/128');
  assert.equal(cidrSize(host6), 1n);
  assert.ok(contains(host6, ip('fd00::1')) && !contains(host6, ip('fd00::2')));
  assert.throws(() => nextSubnet(cidr('255.255.255.255/32')), code('EOVERFLOW'));
  assert.throws(() => nextSubnet(all4), code('EOVERFLOW'));
  assert.throws(() => nextSubnet(all6), code('EOVERFLOW'));
});

test('invalid CIDRs throw EBADCIDR with stable messages', () => {
  assert.throws(() => parseCidr('10.0.0.0'), { code: 'EBADCIDR', message: '"10.0.0.0" is not a valid CIDR (want ADDRESS/PREFIX)' });
  assert.throws(() => parseCidr('10.0.0.0/33'), { code: 'EBADCIDR', message: '"10.0.0.0/33": prefix /33 exceeds 32 bits' });
  assert.throws(() => parseCidr('fd00::/129'), { code: 'EBADCIDR', message: '"fd00::/129": prefix /129 exceeds 128 bits' });
  assert.throws(() => parseCidr('10.0.0/8'), { code: 'EBADCIDR', message: '"10.0.0" is not a valid IP address' });
  for (const bad of ['', '/8', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/1000', '10.0.0.0/ 8', ' 10.0.0.0/8', '10.0.0.0/8x']) {
    assert.throws(() => parseCidr(bad), code('EBADCIDR'), bad);
    assert.equal(tryParseCidr(bad), undefined, bad);
  }
  assert.ok(tryParseCidr('10.0.0.0/08'), 'leading zeros in the prefix are accepted like Go net.ParseCIDR');
});

test('contains, containsCidr and overlaps', () => {
  assert.ok(containsCidr(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')));
  assert.ok(!containsCidr(cidr('10.0.0.0/8'), cidr('11.0.0.0/16')));
  assert.ok(!containsCidr(cidr('10.1.0.0/16'), cidr('10.0.0.0/8')), 'the wider is not inside the narrower');
  assert.ok(containsCidr(cidr('10.0.0.0/8'), cidr('10.0.0.0/8')));
  assert.ok(containsCidr(cidr('fd00::/48'), cidr('fd00:0:0:1::/64')));
  assert.ok(!containsCidr(cidr('fd00::/48'), cidr('10.0.0.0/8')));
  assert.ok(overlaps(cidr('10.1.0.0/16'), cidr('10.0.0.0/8')) && overlaps(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')));
  assert.ok(!overlaps(cidr('10.1.0.0/16'), cidr('10.2.0.0/16')));
  assert.ok(!overlaps(cidr('::/0'), cidr('0.0.0.0/0')));
  assert.ok(contains(cidr('10.96.0.0/12'), ip('10.111.255.255')) && !contains(cidr('10.96.0.0/12'), ip('10.112.0.0')));
});

test('nthAddress, offsetOf, nextSubnet', () => {
  assert.equal(formatIP(nthAddress(cidr('10.96.0.0/12'), 10)), '10.96.0.10');
  assert.equal(formatIP(nthAddress(cidr('10.0.0.250/24'), 10)), '10.0.0.10', 'counted from the network address');
  assert.equal(formatIP(nthAddress(cidr('10.0.0.0/24'), 255)), '10.0.0.255');
  assert.throws(() => nthAddress(cidr('10.0.0.0/24'), 256), { code: 'ERANGE', message: 'address #256 is outside 10.0.0.0/24' });
  assert.throws(() => nthAddress(cidr('10.0.0.0/24'), -1), code('ERANGE'));
  assert.equal(formatIP(nthAddress(cidr('fd00::/64'), 0x10000n)), 'fd00::1:0');
  assert.equal(offsetOf(cidr('10.96.0.0/12'), ip('10.96.1.1')), 257n);
  assert.throws(() => offsetOf(cidr('10.96.0.0/12'), ip('10.112.0.0')), code('ERANGE'));
  assert.throws(() => offsetOf(cidr('10.96.0.0/12'), ip('fd00::1')), code('EFAMILY'));
  assert.equal(formatCidr(nextSubnet(cidr('10.244.0.7/24'))), '10.244.1.0/24');
  assert.equal(formatCidr(nextSubnet(cidr('10.244.255.0/24'))), '10.245.0.0/24');
  assert.equal(formatCidr(nextSubnet(cidr('fd00:0:0:ffff::/64'))), 'fd00:0:1::/64');
  assert.equal(formatCidr(nextSubnet(cidr('0.0.0.0/1'))), '128.0.0.0/1');
});
