import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NflogPcapReader, nflogArgv, parseNflogRecord } from './nflog.js';

/** Two packets tcpdump -i nflog:7 -w wrote in a netns (nft: limit … log prefix "np-drop in x/a" group 7; a TCP SYN 127.0.0.1 → 127.0.0.2:80). */
const CAPTURE = Buffer.from('d4c3b2a102000400000000000000000000000400ef0000004990096bd7bf0500780000007800000002000007080001000800030013000a006e702d64726f7020696e20782f610000080005000000000108000b000000000008000e0000000000400009004500003c07b94000400635007f0000017f000002ae8c005001e3a27500000000a002ffd7fe3100000204ffd70402080a61e4e114000000000103030a4990096bfdbf0500780000007800000002000007080001000800030013000a006e702d64726f7020696e20782f610000080005000000000108000b000000000008000e0000000000400009004500003c07ba4000400634ff7f0000017f000002ae8c005001e3a27500000000a002ffd7fe3100000204ffd70402080a61e4e510000000000103030a', 'hex');

test('nflogArgv: tcpdump on nflog:GROUP writing pcap to stdout, packet-buffered', () => {
  assert.deepEqual(nflogArgv(7), ['tcpdump', '-n', '-i', 'nflog:7', '-U', '-Z', 'root', '-w', '-']);
  assert.throws(() => nflogArgv(70000), /0-65535/);
  assert.throws(() => nflogArgv(-1), /0-65535/);
});

test('a real capture: records with time, group, prefix and the IPv4 packet, whatever the chunking', () => {
  for (const size of [CAPTURE.length, 1, 7, 50]) {
    const r = new NflogPcapReader();
    const recs = [];
    for (let o = 0; o < CAPTURE.length; o += size) recs.push(...r.push(CAPTURE.subarray(o, o + size)));
    assert.equal(recs.length, 2, `chunks of ${size}`);
    assert.equal(recs[0]!.prefix, 'np-drop in x/a');
    assert.equal(recs[0]!.group, 7);
    assert.equal(recs[0]!.family, 2);
    assert.equal(recs[0]!.payload.length, 60);
    assert.equal(recs[0]!.payload[0], 0x45);
    assert.equal(new Date(recs[0]!.timeMs).toISOString().slice(0, 10), '2026-11-27');
  }
});

test('not pcap, or pcap of another link type: a clear error', () => {
  assert.throws(() => new NflogPcapReader().push(Buffer.alloc(24, 1)), /not a pcap stream/);
  const eth = Buffer.from(CAPTURE.subarray(0, 24)); eth.writeUInt32LE(1, 20);
  assert.throws(() => new NflogPcapReader().push(eth), /link type 1, not NFLOG/);
});

test('parseNflogRecord: TLVs padded to 4 bytes; a truncated TLV ends the walk', () => {
  const tlv = (type: number, v: Buffer): Buffer => { const h = Buffer.alloc(4); h.writeUInt16LE(4 + v.length, 0); h.writeUInt16LE(type, 2); return Buffer.concat([h, v, Buffer.alloc((4 - (v.length % 4)) % 4)]); };
  const b = Buffer.concat([Buffer.from([2, 0, 0, 7]), tlv(10, Buffer.from('np-drop out y/b\0')), tlv(9, Buffer.from([0x45, 1, 2])), Buffer.from([0xff, 0x00])]);
  const r = parseNflogRecord(b, 5);
  assert.equal(r.prefix, 'np-drop out y/b');
  assert.deepEqual([...r.payload], [0x45, 1, 2]);
  assert.throws(() => parseNflogRecord(Buffer.from([2, 0]), 0), /2 bytes/);
});
