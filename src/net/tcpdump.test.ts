import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ringFileName, tcpdumpArgv, tcpdumpNotes, TcpdumpError, timedName } from './tcpdump.js';

test('live decode: numeric, line-buffered, the filter at the end', () => {
  assert.deepEqual(tcpdumpArgv({ iface: 'eth0', filter: ['icmp'] }), ['tcpdump', '-n', '-i', 'eth0', '-l', 'icmp']);
  assert.deepEqual(tcpdumpArgv({ iface: 'eth0', count: 5, verbose: 2, filter: ['tcp', 'port', '80'] }), ['tcpdump', '-n', '-i', 'eth0', '-l', '-vv', '-c', '5', 'tcp', 'port', '80']);
});

test('seed 003\'s ring: -w file.pcap -W 10 -C 100 -G 60', () => {
  const a = tcpdumpArgv({ iface: 'eth0', write: '/tmp/file.pcap', files: 10, sizeMB: 100, rotateSeconds: 60 });
  assert.deepEqual(a, ['tcpdump', '-n', '-i', 'eth0', '-w', '/tmp/file-%Y%m%d-%H%M%S.pcap', '-Z', 'root', '-C', '100', '-G', '60', '-W', '10']);
  assert.match(tcpdumpNotes({ iface: 'eth0', write: '/tmp/file.pcap', files: 10, sizeMB: 100, rotateSeconds: 60 })[0]!, /ignores -W/);
  assert.deepEqual(tcpdumpArgv({ iface: 'eth0', write: '/tmp/f', files: 3, sizeMB: 1 }).slice(4), ['-w', '/tmp/f', '-Z', 'root', '-C', '1', '-W', '3']);
});

test('refused: a ring without -w, -W without -C/-G, bad numbers and interface names', () => {
  assert.throws(() => tcpdumpArgv({ iface: 'eth0', files: 3, sizeMB: 1 }), (e: unknown) => e instanceof TcpdumpError && e.code === 'ETCPDUMP');
  assert.throws(() => tcpdumpArgv({ iface: 'eth0', write: '/tmp/f', files: 3 }), /needs --size or --rotate/);
  assert.throws(() => tcpdumpArgv({ iface: 'eth0', write: '/tmp/f', sizeMB: 0 }), /positive integer/);
  assert.throws(() => tcpdumpArgv({ iface: 'eth0; rm -rf /' }), /bad interface/);
});

test('ring file names as tcpdump makes them', () => {
  assert.deepEqual([0, 1, 2].map((i) => ringFileName('/tmp/c.pcap', i, 3)), ['/tmp/c.pcap0', '/tmp/c.pcap1', '/tmp/c.pcap2']);
  assert.deepEqual([0, 9].map((i) => ringFileName('c', i, 10)), ['c0', 'c9']);
  assert.deepEqual([0, 9].map((i) => ringFileName('c', i, 11)), ['c00', 'c09']);
  assert.deepEqual([0, 1].map((i) => ringFileName('c', i)), ['c', 'c1']);
});

test('-G files are named by time unless the name has a strftime conversion', () => {
  assert.equal(timedName('/tmp/c.pcap'), '/tmp/c-%Y%m%d-%H%M%S.pcap');
  assert.equal(timedName('/tmp/x.d/cap'), '/tmp/x.d/cap-%Y%m%d-%H%M%S');
  assert.equal(timedName('/tmp/c-%H.pcap'), '/tmp/c-%H.pcap');
  assert.deepEqual(tcpdumpNotes({ iface: 'eth0', write: '/tmp/c-%s.pcap', files: 3, rotateSeconds: 1 }), ['with -G and -W (no -C) tcpdump stops after 3 files instead of overwriting the oldest']);
  assert.deepEqual(tcpdumpNotes({ iface: 'eth0', write: '/tmp/c', files: 3, sizeMB: 1 }), []);
});
