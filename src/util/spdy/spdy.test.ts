import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adler32, SPDY3_DICTIONARY } from './dictionary.js';
import { encodeFrame, FLAG_FIN, FrameParser, GOAWAY, RST, SETTINGS, SpdyProtocolError, type Frame } from './frames.js';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCodec } from './headers.js';
import { SpdySession, type SpdyStream } from './session.js';
import { pair, Peer } from './testing.js';

function setup(o: ConstructorParameters<typeof SpdySession>[1] = {}): { session: SpdySession; peer: Peer; streams: SpdyStream[] } {
  const [a, b] = pair();
  const session = new SpdySession(a, o);
  const streams: SpdyStream[] = [];
  session.on('stream', (s: SpdyStream) => streams.push(s));
  return { session, peer: new Peer(b), streams };
}

test('dictionary: 1423 bytes with the Adler-32 SPDY/3 clients expect', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
});

test('frames: every type round-trips, one per chunk or all in one chunk', () => {
  const frames: Frame[] = [
    { type: 'data', streamId: 5, flags: FLAG_FIN, data: Buffer.from('hello') },
    { type: 'syn_stream', streamId: 3, associatedId: 1, priority: 2, flags: 0, block: Buffer.from([1, 2, 3]) },
    { type: 'syn_reply', streamId: 3, flags: FLAG_FIN, block: Buffer.from([9]) },
    { type: 'headers', streamId: 3, flags: 0, block: Buffer.alloc(0) },
    { type: 'rst_stream', streamId: 7, status: RST.CANCEL },
    { type: 'settings', flags: 0, entries: [{ flags: 1, id: SETTINGS.INITIAL_WINDOW_SIZE, value: 1234 }] },
    { type: 'ping', id: 7 },
    { type: 'goaway', lastGoodStreamId: 9, status: GOAWAY.PROTOCOL_ERROR },
    { type: 'window_update', streamId: 0, delta: 65536 },
  ];
  const wire = Buffer.concat(frames.map(encodeFrame));
  assert.deepEqual(new FrameParser().push(wire), frames);
  // split at every byte: the parser yields the same frames
  const p = new FrameParser();
  const got: Frame[] = [];
  for (let i = 0; i < wire.length; i++) got.push(...p.push(wire.subarray(i, i + 1)));
  assert.deepEqual(got, frames);
  assert.equal(p.pending, 0);
});

test('frames: malformed input is a SpdyProtocolError', () => {
  const bad = (b: Buffer): void => assert.throws(() => new FrameParser().push(b), SpdyProtocolError);
  bad(Buffer.from([0x80, 0x02, 0x00, 0x01, 0, 0, 0, 10, ...Buffer.alloc(10)])); // version 2
  bad(Buffer.from([0x80, 0x03, 0x00, 0x06, 0, 0, 0, 3, 1, 2, 3])); // PING of 3 bytes
  bad(Buffer.from([0x80, 0x03, 0x00, 0x01, 0, 0, 0, 2, 1, 2])); // short SYN_STREAM
  bad(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])); // data on stream 0
  assert.throws(() => new FrameParser(100).push(Buffer.from([0, 0, 0, 1, 0, 0, 1, 0])), /exceeds 100/);
  // an unknown control type is ignored, not an error
  assert.deepEqual(new FrameParser().push(Buffer.from([0x80, 0x03, 0x00, 0x63, 0, 0, 0, 0])), [{ type: 'unknown', frameType: 0x63 }]);
});

test('header blocks: lowercased, multi-valued, compressed by one context per direction', async () => {
  const h = { streamtype: ['stdout'], 'X-Multi': ['a', 'b'] };
  const block = encodeHeaderBlock(h);
  assert.deepEqual(decodeHeaderBlock(block), { streamtype: ['stdout'], 'x-multi': ['a', 'b'] });
  const c = HeaderCodec.compressor();
  const d = HeaderCodec.decompressor();
  const z1 = await c.run(block);
  const z2 = await c.run(block); // the second block references the first: much smaller
  assert.ok(z2.length < z1.length, `${z2.length} < ${z1.length}`);
  assert.deepEqual(await d.run(z1), block);
  assert.deepEqual(await d.run(z2), block);
  await assert.rejects(HeaderCodec.decompressor().run(Buffer.from('not zlib at all')), SpdyProtocolError);
  assert.throws(() => decodeHeaderBlock(block.subarray(0, block.length - 1)), /truncated/);
  c.close(); d.close();
});

test('session: SYN_STREAM → stream with headers, SYN_REPLY, data both ways, FIN closes', async () => {
  const { session, peer, streams } = setup();
  const wire = Buffer.concat([await peer.syn(1, { streamtype: ['stdin'] }), peer.data(1, 'abc'), peer.data(1, 'def', true)]);
  // deliver the bytes in 3-byte TCP-like chunks
  for (let i = 0; i < wire.length; i += 3) peer.sock.write(wire.subarray(i, i + 3));
  await peer.until(() => streams.length === 1);
  const s = streams[0]!;
  assert.deepEqual(s.headers.streamtype, ['stdin']);
  const got: Buffer[] = [];
  await new Promise<void>((r) => s.consume((b) => got.push(b), r));
  assert.equal(Buffer.concat(got).toString(), 'abcdef');
  s.write(Buffer.from('out'));
  s.end();
  await peer.until(() => peer.finOn(1) && peer.replies.has(1));
  assert.deepEqual(peer.order.filter((o) => o.endsWith(':1')), ['syn_reply:1', 'data:1', 'data:1'], 'SYN_REPLY before the data, then FIN');
  assert.equal(peer.dataOn(1).toString(), 'out');
  assert.equal(session.openStreams, 0);
  session.close();
  await peer.until(() => peer.frames.some((f) => f.type === 'goaway'));
});

test('session: PING echoed, RST_STREAM from the peer resets the stream, data for an unknown stream → RST', async () => {
  const { session, peer, streams } = setup();
  peer.sock.write(encodeFrame({ type: 'ping', id: 1 }));
  await peer.until(() => peer.frames.some((f) => f.type === 'ping' && f.id === 1));
  peer.sock.write(await peer.syn(1, { streamtype: ['error'] }));
  await peer.until(() => streams.length === 1);
  const reset = new Promise((r) => streams[0]!.once('reset', r));
  peer.sock.write(encodeFrame({ type: 'rst_stream', streamId: 1, status: RST.CANCEL }));
  assert.equal(await reset, RST.CANCEL);
  peer.sock.write(peer.data(9, 'x'));
  await peer.until(() => peer.frames.some((f) => f.type === 'rst_stream' && f.streamId === 9 && f.status === RST.INVALID_STREAM));
  session.close();
});

test('session: flow control — a peer that does flow control gets at most its window until WINDOW_UPDATE', async () => {
  const { session, peer, streams } = setup();
  peer.sock.write(encodeFrame({ type: 'settings', flags: 0, entries: [{ flags: 0, id: SETTINGS.INITIAL_WINDOW_SIZE, value: 1000 }] }));
  peer.sock.write(await peer.syn(1, { streamtype: ['stdout'] }));
  await peer.until(() => streams.length === 1);
  const s = streams[0]!;
  s.write(Buffer.alloc(2500, 0x61));
  s.end();
  await peer.until(() => peer.dataOn(1).length === 1000);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(peer.dataOn(1).length, 1000, 'stalls at the window');
  assert.equal(s.queued, 1500);
  peer.sock.write(encodeFrame({ type: 'window_update', streamId: 1, delta: 1000 }));
  await peer.until(() => peer.dataOn(1).length === 2000);
  assert.ok(!peer.finOn(1));
  peer.sock.write(encodeFrame({ type: 'window_update', streamId: 1, delta: 5000 }));
  await peer.until(() => peer.finOn(1));
  assert.equal(peer.dataOn(1).length, 2500);
  session.close();
});

test('session: a peer without flow control (Go spdystream) is not stalled; we re-open our windows as data arrives', async () => {
  const { session, peer, streams } = setup();
  peer.sock.write(await peer.syn(1, { streamtype: ['stdout'] }));
  await peer.until(() => streams.length === 1);
  streams[0]!.write(Buffer.alloc(200_000, 1));
  streams[0]!.end();
  await peer.until(() => peer.finOn(1));
  assert.equal(peer.dataOn(1).length, 200_000);
  // 100 KB received from the peer → WINDOW_UPDATEs for the stream and the session (stream 0)
  peer.sock.write(await peer.syn(3, { streamtype: ['stdin'] }));
  peer.sock.write(peer.data(3, Buffer.alloc(100_000, 2)));
  await peer.until(() => peer.frames.some((f) => f.type === 'window_update' && f.streamId === 3));
  assert.ok(peer.frames.some((f) => f.type === 'window_update' && f.streamId === 0));
  const total = peer.frames.filter((f): f is Extract<Frame, { type: 'window_update' }> => f.type === 'window_update' && f.streamId === 3).reduce((n, f) => n + f.delta, 0);
  assert.ok(total >= 64 * 1024 && total <= 100_000, `stream window re-opened by ${total}`);
  session.close();
});

test('session: a malformed frame → GOAWAY PROTOCOL_ERROR and the socket closes, no crash', async () => {
  const { session, peer } = setup();
  const errors: Error[] = [];
  session.on('protocolError', (e: Error) => errors.push(e));
  const closed = new Promise((r) => session.once('close', r));
  peer.sock.write(Buffer.from([0x80, 0x03, 0x00, 0x07, 0, 0, 0, 3, 1, 2, 3])); // GOAWAY of 3 bytes
  await closed;
  await peer.until(() => peer.ended);
  assert.ok(peer.frames.some((f) => f.type === 'goaway' && f.status === GOAWAY.PROTOCOL_ERROR));
  assert.equal(errors.length, 1);
  // a bad header block (garbage instead of zlib) does the same
  const b = setup();
  const closed2 = new Promise((r) => b.session.once('close', r));
  b.peer.sock.write(encodeFrame({ type: 'syn_stream', streamId: 1, associatedId: 0, priority: 0, flags: 0, block: Buffer.from('garbage!') }));
  await closed2;
  await b.peer.until(() => b.peer.frames.some((f) => f.type === 'goaway' && f.status === GOAWAY.PROTOCOL_ERROR));
  // stream ids must be new and odd
  const c = setup();
  const closed3 = new Promise((r) => c.session.once('close', r));
  c.peer.sock.write(await c.peer.syn(2, { streamtype: ['data'] }));
  await closed3;
});
