import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRestore, emptyIptables, traceIptables } from './iptables.js';
import { applyNft, emptyNft, traceNft } from './nft.js';
import type { Packet } from './types.js';

const opts = { nodeIPs: ['192.168.1.10'] };
const pkt: Packet = { src: '10.0.0.1', dst: '10.96.0.1', dport: 80, proto: 'tcp' };
const ipt = (nat: string, filter = ''): ReturnType<typeof emptyIptables> => {
  const s = emptyIptables();
  applyRestore(s, `*filter\n${filter}\nCOMMIT\n*nat\n${nat}\nCOMMIT\n`);
  return s;
};

test('statistic cascade: every endpoint is reachable; probability 1 and 0 do not fork', () => {
  const nat = [':S - [0:0]', '-A PREROUTING -j S',
    '-A S -m statistic --mode random --probability 0.3333333333 -j DNAT --to-destination 10.1.0.1:80',
    '-A S -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.1.0.2:80',
    '-A S -j DNAT --to-destination 10.1.0.3:80'].join('\n');
  assert.deepEqual(traceIptables(ipt(nat), pkt, opts).endpoints, ['10.1.0.1:80', '10.1.0.2:80', '10.1.0.3:80']);
  const sure = ':S - [0:0]\n-A PREROUTING -j S\n-A S -m statistic --mode random --probability 1 -j DNAT --to-destination 10.1.0.1:80\n-A S -m statistic --mode random --probability 0 -j DNAT --to-destination 10.1.0.9:80';
  const r = traceIptables(ipt(sure), pkt, opts);
  assert.equal(r.outcomes.length, 1);
  assert.deepEqual(r.endpoints, ['10.1.0.1:80']);
});

test('goto returns to the caller of the current chain; RETURN resumes after the jump', () => {
  const nat = [':A - [0:0]', ':B - [0:0]', '-A PREROUTING -j A', '-A PREROUTING -j DNAT --to-destination 10.1.0.2:80',
    '-A A -g B', '-A A -j DNAT --to-destination 10.1.0.9:80', '-A B -j MARK --or-mark 0x1', '-A B -j RETURN'].join('\n');
  const r = traceIptables(ipt(nat), pkt, opts);
  assert.deepEqual(r.endpoints, ['10.1.0.2:80']);
  assert.equal(r.outcomes[0]!.markAtPostrouting, 1);
});

test('nat is for NEW connections only; filter policy DROP applies when nothing accepts', () => {
  const nat = '-A PREROUTING -j DNAT --to-destination 10.1.0.2:80';
  assert.deepEqual(traceIptables(ipt(nat), { ...pkt, ctState: 'ESTABLISHED' }, opts).endpoints, []);
  const s = ipt(nat, ':FORWARD DROP [0:0]\n-A FORWARD -s 10.0.0.2 -j ACCEPT');
  assert.equal(traceIptables(s, pkt, opts).verdict, 'DROP');
  assert.equal(traceIptables(s, { ...pkt, src: '10.0.0.2' }, opts).verdict, 'ACCEPT');
});

test('a jump loop is an error, not a hang', () => {
  assert.throws(() => traceIptables(ipt(':A - [0:0]\n-A PREROUTING -j A\n-A A -j A'), pkt, opts), /deeper than 64 at A/);
});

test('addrtype LOCAL and fib type local answer from the node IPs (and loopback)', () => {
  const nat = '-A OUTPUT -m addrtype --dst-type LOCAL -j DNAT --to-destination 10.1.0.2:80';
  for (const [dst, hit] of [['192.168.1.10', true], ['127.0.0.1', true], ['192.168.1.11', false]] as const)
    assert.equal(traceIptables(ipt(nat), { ...pkt, dst, fromLocal: true }, opts).endpoints.length, hit ? 1 : 0, dst);
  const n = emptyNft();
  applyNft(n, 'add table ip t\nadd chain ip t o { type nat hook output priority -100 ; }\nadd rule ip t o fib daddr type local tcp dport 80 dnat to 10.1.0.2');
  assert.deepEqual(traceNft(n, { ...pkt, dst: '192.168.1.10', fromLocal: true }, opts).endpoints, ['10.1.0.2:80']);
  assert.deepEqual(traceNft(n, { ...pkt, dst: '192.168.1.10', fromLocal: true, proto: 'udp' }, opts).endpoints, []);
});

test('nft: numgen with an anonymous vmap forks per key; base chains run by priority', () => {
  const n = emptyNft();
  applyNft(n, ['add table ip t', 'add chain ip t a', 'add chain ip t b',
    'add chain ip t late { type filter hook forward priority 10 ; }', 'add chain ip t early { type filter hook forward priority -10 ; }',
    'add chain ip t pre { type nat hook prerouting priority -100 ; }',
    'add rule ip t a meta l4proto tcp dnat to 10.1.0.1:80', 'add rule ip t b meta l4proto tcp dnat to 10.1.0.2:80',
    'add rule ip t pre numgen random mod 3 vmap { 0 : goto a , 1 : goto b }',
    'add rule ip t early ip daddr 10.1.0.1 mark set 0x7', 'add rule ip t late mark 0x7 drop'].join('\n'));
  const r = traceNft(n, pkt, opts);
  assert.equal(r.outcomes.length, 3);
  assert.equal(r.verdict, 'ACCEPT|DROP');
  assert.deepEqual(r.endpoints, ['10.1.0.2:80']);
  assert.deepEqual(r.outcomes.map((o) => o.dnat).sort(), ['10.1.0.1:80', '10.1.0.2:80', null].sort());
});
