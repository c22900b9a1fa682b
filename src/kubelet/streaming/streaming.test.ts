import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeFrame } from '../../util/spdy/frames.js';
import { SpdySession } from '../../util/spdy/session.js';
import { pair, Peer } from '../../util/spdy/testing.js';
import { exitStatus, jsonObjects, streamOptions, terminalSize, type CommandIO } from './remotecommand.js';
import { spdyCommandIO } from './spdy.js';
import { forwardError, parsePort, serveSpdyPortForward, serveWsPortForward } from './portforward.js';
import { CH, pickWsProtocol, REMOTECOMMAND_WS_PROTOCOLS, wsCommandIO } from './websocket.js';
import { createLogger } from '../../util/log.js';

const log = createLogger('streaming-test', 'silent');

test('stream options: a tty has no separate stderr; exit status as upstream', () => {
  assert.deepEqual(streamOptions(new URLSearchParams('stdin=1&stdout=true&stderr=1&tty=1')), { stdin: true, stdout: true, stderr: false, tty: true });
  assert.deepEqual(streamOptions(new URLSearchParams('stdout=1&stderr=1')), { stdin: false, stdout: true, stderr: true, tty: false });
  assert.deepEqual(exitStatus(0, null), { metadata: {}, status: 'Success' });
  const s = exitStatus(3, null) as { reason: string; details: { causes: { reason: string; message: string }[] } };
  assert.equal(s.reason, 'NonZeroExitCode');
  assert.deepEqual(s.details.causes, [{ reason: 'ExitCode', message: '3' }]);
});

test('resize events: JSON objects split across chunks or several per chunk', () => {
  const got: unknown[] = [];
  const feed = jsonObjects((o) => got.push(o));
  feed(Buffer.from('{"Width":80,'));
  feed(Buffer.from('"Height":24}{"Width":100,"Height":30}{"Wi'));
  feed(Buffer.from('dth":1,"Height":2,"x":"}{"}'));
  assert.deepEqual(got, [{ Width: 80, Height: 24 }, { Width: 100, Height: 30 }, { Width: 1, Height: 2, x: '}{' }]);
  assert.deepEqual(terminalSize(got[0]), { cols: 80, rows: 24 });
  assert.equal(terminalSize({ Width: 0, Height: 10 }), undefined);
  assert.equal(terminalSize('x'), undefined);
});

test('WebSocket protocol choice: newest both speak', () => {
  assert.equal(pickWsProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io'], REMOTECOMMAND_WS_PROTOCOLS), 'v5.channel.k8s.io');
  assert.equal(pickWsProtocol(['channel.k8s.io'], REMOTECOMMAND_WS_PROTOCOLS), 'channel.k8s.io');
  assert.equal(pickWsProtocol(['nope'], REMOTECOMMAND_WS_PROTOCOLS), false);
  assert.equal(parsePort('8080'), 8080);
  for (const bad of ['0', '65536', '-1', 'http', '']) assert.equal(parsePort(bad), undefined);
  assert.equal(forwardError(80, 'web', 'u1', 'x'), 'error forwarding port 80 to pod web, uid u1: x');
});

/** A WebSocket server on a unix socket whose connections become CommandIOs. */
async function wsSetup(protocol: string, opts = { stdin: true, stdout: true, stderr: true, tty: false }) {
  const dir = mkdtempSync(join(tmpdir(), 'pn-ws-'));
  const sock = join(dir, 's');
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http, handleProtocols: (p) => pickWsProtocol(p, REMOTECOMMAND_WS_PROTOCOLS) });
  const ioP = new Promise<CommandIO>((r) => wss.on('connection', (ws) => r(wsCommandIO(ws, opts))));
  await new Promise<void>((r) => http.listen(sock, r));
  const client = new WebSocket(`ws+unix://${sock}:/exec`, [protocol]);
  const msgs: Buffer[] = [];
  client.on('message', (d: Buffer) => msgs.push(Buffer.from(d)));
  const closed = new Promise<number>((r) => client.on('close', (code) => r(code)));
  await new Promise((r) => client.on('open', r));
  const io = await ioP;
  return { io, client, msgs, closed, done: () => { wss.close(); http.close(); rmSync(dir, { recursive: true, force: true }); } };
}

test('WebSocket v5: stdin, the close signal ends stdin, resize on channel 4, Status on channel 3, close 1000', async () => {
  const { io, client, msgs, closed, done } = await wsSetup('v5.channel.k8s.io');
  try {
    const stdin: string[] = [];
    const ended = new Promise<void>((r) => io.readStdin((b) => stdin.push(b.toString()), r));
    const sizes: string[] = [];
    io.onResize((c, r) => sizes.push(`${c}x${r}`));
    client.send(Buffer.concat([Buffer.from([CH.stdin]), Buffer.from('hello ')]));
    client.send(Buffer.concat([Buffer.from([CH.stdin]), Buffer.from('world')]));
    client.send(Buffer.concat([Buffer.from([CH.resize]), Buffer.from('{"Width":90,"Height":33}')]));
    client.send(Buffer.from([CH.close, CH.stdin]));
    await ended;
    assert.equal(stdin.join(''), 'hello world');
    assert.deepEqual(sizes, ['90x33']);
    io.stdout(Buffer.from('out'));
    io.stderr(Buffer.from('err'));
    io.finish(exitStatus(2, null));
    assert.equal(await closed, 1000);
    assert.deepEqual(msgs.map((m) => m[0]), [CH.stdout, CH.stderr, CH.error], 'v5 sends no empty frames first');
    assert.equal(msgs[0]!.subarray(1).toString(), 'out');
    assert.equal(JSON.parse(msgs[2]!.subarray(1).toString()).reason, 'NonZeroExitCode');
  } finally { done(); }
});

test('WebSocket v4: an empty frame per channel first; the close signal is not v4 (stdin stays open)', async () => {
  const { io, client, msgs, closed, done } = await wsSetup('v4.channel.k8s.io');
  try {
    let ended = false;
    const got: string[] = [];
    io.readStdin((b) => got.push(b.toString()), () => { ended = true; });
    client.send(Buffer.from([CH.close, CH.stdin]));
    client.send(Buffer.concat([Buffer.from([CH.stdin]), Buffer.from('x')]));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(ended, false);
    assert.deepEqual(got, ['x']);
    io.finish(exitStatus(0, null));
    await closed;
    assert.deepEqual(msgs.slice(0, 4).map((m) => [...m]), [[0], [1], [2], [3]]);
    assert.equal(msgs[4]!.subarray(1).toString(), '{"metadata":{},"status":"Success"}');
  } finally { done(); }
});

test('SPDY remotecommand: waits for error/stdin/stdout/resize streams, stdin FIN ends stdin, finish sends output FINs then the Status', async () => {
  const [a, b] = pair();
  const session = new SpdySession(a);
  const peer = new Peer(b);
  const ioP = spdyCommandIO(session, 'v4.channel.k8s.io', { stdin: true, stdout: true, stderr: false, tty: true });
  // the client opens error first (as kubectl does), then the rest; stdin data may come before all exist
  b.write(await peer.syn(1, { streamtype: ['error'] }));
  b.write(await peer.syn(3, { streamtype: ['stdin'] }));
  b.write(peer.data(3, 'early'));
  b.write(await peer.syn(5, { streamtype: ['stdout'] }));
  b.write(await peer.syn(7, { streamtype: ['resize'] }));
  b.write(peer.data(7, '{"Width":120,"Height":40}'));
  const io = await ioP;
  await peer.until(() => [1, 3, 5, 7].every((id) => peer.replies.has(id)));
  const sizes: string[] = [];
  io.onResize((c, r) => sizes.push(`${c}x${r}`));
  const stdin: string[] = [];
  const ended = new Promise<void>((r) => io.readStdin((d) => stdin.push(d.toString()), r));
  b.write(peer.data(3, ' late', true));
  await ended;
  assert.equal(stdin.join(''), 'early late');
  b.write(peer.data(7, '{"Width":100,"Height":20}'));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(sizes, ['100x20'], 'sizes after onResize registered');
  io.stdout(Buffer.from('output'));
  io.finish(exitStatus(3, null));
  await peer.until(() => peer.finOn(1) && peer.finOn(5) && peer.frames.some((f) => f.type === 'goaway'));
  assert.equal(peer.dataOn(5).toString(), 'output');
  assert.equal(JSON.parse(peer.dataOn(1).toString()).details.causes[0].message, '3');
});

test('SPDY port-forward: data+error streams paired by requestID, bytes both ways with half-close, a failed dial reported on the error stream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-pf-'));
  const sockPath = join(dir, 'upstream');
  // the "pod": echoes in upper case, then closes after the client half-closes
  const upstream = createServer({ allowHalfOpen: true }, (c) => { let t = ''; c.on('data', (d: Buffer) => { t += d.toString(); }); c.on('end', () => c.end(t.toUpperCase())); });
  await new Promise<void>((r) => upstream.listen(sockPath, r));
  try {
    const [a, b] = pair();
    const session = new SpdySession(a);
    const peer = new Peer(b);
    const dial = (port: number): Promise<Socket> => port === 8080
      ? new Promise((r) => { const s = connect({ path: sockPath, allowHalfOpen: true }, () => { s.pause(); r(s); }); })
      : Promise.reject(new Error('dial tcp4 127.0.0.1:9999: connect: connection refused'));
    serveSpdyPortForward(session, dial, { name: 'web', uid: 'u1' }, log);
    b.write(await peer.syn(1, { streamtype: ['error'], port: ['8080'], requestid: ['0'] }));
    b.write(await peer.syn(3, { streamtype: ['data'], port: ['8080'], requestid: ['0'] }));
    b.write(peer.data(3, 'hello pod', true));
    await peer.until(() => peer.finOn(3) && peer.finOn(1));
    assert.equal(peer.dataOn(3).toString(), 'HELLO POD');
    assert.equal(peer.dataOn(1).length, 0, 'no error');
    b.write(await peer.syn(5, { streamtype: ['error'], port: ['9999'], requestid: ['1'] }));
    b.write(await peer.syn(7, { streamtype: ['data'], port: ['9999'], requestid: ['1'] }));
    await peer.until(() => peer.finOn(5));
    assert.equal(peer.dataOn(5).toString(), 'error forwarding port 9999 to pod web, uid u1: dial tcp4 127.0.0.1:9999: connect: connection refused');
    // a stream without a valid port is refused
    b.write(await peer.syn(9, { streamtype: ['data'], port: ['http'], requestid: ['2'] }));
    await peer.until(() => peer.frames.some((f) => f.type === 'rst_stream' && f.streamId === 9));
    session.close();
  } finally { upstream.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('WebSocket channel port-forward: the port (uint16 LE) first on both channels, then data both ways', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-wspf-'));
  const up = join(dir, 'up');
  const upstream = createServer((c) => c.on('data', (d: Buffer) => c.write(`echo:${d.toString()}`)));
  await new Promise<void>((r) => upstream.listen(up, r));
  const sock = join(dir, 's');
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => serveWsPortForward(ws, [8080], () => new Promise((r) => { const s = connect(up, () => { s.pause(); r(s); }); }), { name: 'web', uid: 'u' }));
  await new Promise<void>((r) => http.listen(sock, r));
  try {
    const client = new WebSocket(`ws+unix://${sock}:/portForward/ns/web?ports=8080`, ['v4.channel.k8s.io']);
    const msgs: Buffer[] = [];
    client.on('message', (d: Buffer) => msgs.push(Buffer.from(d)));
    await new Promise((r) => client.on('open', r));
    client.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping')]));
    const end = Date.now() + 3000;
    while (!msgs.some((m) => m[0] === 0 && m.subarray(1).toString() === 'echo:ping') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([...msgs[0]!], [0, 0x90, 0x1f]);
    assert.deepEqual([...msgs[1]!], [1, 0x90, 0x1f]);
    assert.ok(msgs.some((m) => m[0] === 0 && m.subarray(1).toString() === 'echo:ping'), JSON.stringify(msgs.map((m) => m.toString())));
    client.close();
  } finally { wss.close(); http.close(); upstream.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('SPDY frames from a client arriving one byte at a time still open streams (no crash on a protocol error either)', async () => {
  const [a, b] = pair();
  const session = new SpdySession(a);
  const peer = new Peer(b);
  const ioP = spdyCommandIO(session, 'v4.channel.k8s.io', { stdin: false, stdout: true, stderr: false, tty: false });
  const wire = Buffer.concat([await peer.syn(1, { streamtype: ['error'] }), await peer.syn(3, { streamtype: ['stdout'] })]);
  for (const byte of wire) b.write(Buffer.from([byte]));
  const io = await ioP;
  io.finish(exitStatus(0, null));
  await peer.until(() => peer.finOn(1));
  assert.equal(peer.dataOn(1).toString(), '{"metadata":{},"status":"Success"}');
  // a second session: garbage → GOAWAY, the pending CommandIO is rejected, nothing throws
  const [c, d] = pair();
  const s2 = new SpdySession(c);
  const p2 = new Peer(d);
  const io2 = spdyCommandIO(s2, 'v4.channel.k8s.io', { stdin: false, stdout: true, stderr: false, tty: false });
  d.write(encodeFrame({ type: 'ping', id: 1 }).subarray(0, 6));
  d.write(Buffer.from([0, 4, 0, 0, 0, 1, 0x80, 0x02, 0, 1, 0, 0, 0, 0])); // the ping's rest, then a SPDY/2 frame
  await assert.rejects(io2, /closed/);
  await p2.until(() => p2.frames.some((f) => f.type === 'goaway'));
});
