/**
 * port-forward, three ways:
 * - SPDY (portforward.k8s.io; kubectl 1.27–1.30, and 1.31+ after a failed WebSocket upgrade):
 *   per forwarded connection the client opens an `error` and a `data` stream with the same
 *   `requestID` and the pod `port`; we connect to localhost:port in the pod and copy bytes between
 *   it and the data stream; a failure is written as text on the error stream.
 * - SPDY tunnelled in WebSocket (subprotocol SPDY/3.1+portforward.k8s.io, kubectl 1.31+): the
 *   same SPDY session, each binary WebSocket message carrying the next bytes of it.
 * - the channel WebSocket protocol (portforward.k8s.io / v4.channel.k8s.io, ports in the query):
 *   channel 2i is port i's data, 2i+1 its errors, and the first message on each is the port
 *   (uint16, little-endian).
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Logger } from '../../util/log.js';
import { headerValue } from '../../util/spdy/headers.js';
import { RST } from '../../util/spdy/frames.js';
import type { SpdySession, SpdyStream } from '../../util/spdy/session.js';

export const PORTFORWARD_WS_TUNNEL = 'SPDY/3.1+portforward.k8s.io';
export const PORTFORWARD_WS_PROTOCOLS = [PORTFORWARD_WS_TUNNEL, 'v4.channel.k8s.io', 'portforward.k8s.io'] as const;

/** Opens a connection to localhost:port in the pod. */
export type PodDial = (port: number) => Promise<Socket>;

/** The text upstream writes on the error stream when a forward fails. */
export function forwardError(port: number, pod: string, uid: string, err: string): string {
  return `error forwarding port ${port} to pod ${pod}, uid ${uid}: ${err}`;
}

/** Valid TCP port from a header/query value, or undefined. */
export function parsePort(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** Copies between a pod socket and a stream-like sink/source, half-closes included; cb when both ends are done. */
function splice(sock: Socket, write: (b: Buffer) => void, end: () => void, attach: (data: (b: Buffer) => void, end: () => void) => void, done: () => void): void {
  let open = 2;
  const one = (): void => { if (--open === 0) done(); };
  sock.on('data', (b: Buffer) => write(b));
  sock.on('end', () => { end(); one(); });
  sock.on('error', () => { sock.destroy(); });
  sock.on('close', () => { if (open > 0) { end(); open = 1; one(); } });
  attach((b) => { if (!sock.destroyed) sock.write(b); }, () => { if (!sock.destroyed) sock.end(); one(); });
  sock.resume();
}

/** Serves a SPDY port-forward session until the client closes it. */
export function serveSpdyPortForward(session: SpdySession, dial: PodDial, pod: { name: string; uid: string }, log: Logger): void {
  const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream; started?: boolean }>();
  const sockets = new Set<Socket>();
  session.on('close', () => { for (const s of sockets) s.destroy(); });
  session.on('stream', (s: SpdyStream) => {
    const type = headerValue(s.headers, 'streamtype');
    const id = headerValue(s.headers, 'requestid');
    const portText = headerValue(s.headers, 'port');
    const port = parsePort(portText);
    if ((type !== 'data' && type !== 'error') || port === undefined) {
      log.debug({ type, port: portText }, 'port-forward: bad stream');
      s.reset(RST.PROTOCOL_ERROR);
      return;
    }
    s.reply();
    const key = id || portText; // clients before requestID paired by port
    const p = pairs.get(key) ?? {};
    pairs.set(key, p);
    if (p[type]) { s.reset(RST.PROTOCOL_ERROR); return; }
    p[type] = s;
    if (type === 'error') s.consume(() => undefined);
    if (!p.data || !p.error || p.started) return;
    p.started = true;
    const { data, error } = p as { data: SpdyStream; error: SpdyStream };
    const cleanup = (): void => { pairs.delete(key); };
    dial(port).then((sock) => {
      sockets.add(sock);
      splice(sock, (b) => data.write(b), () => data.end(), (d, e) => data.consume(d, e), () => { sockets.delete(sock); error.end(); cleanup(); });
      data.on('reset', () => sock.destroy());
    }, (e: unknown) => {
      error.write(Buffer.from(forwardError(port, pod.name, pod.uid, (e as Error).message)));
      error.end();
      data.end();
      cleanup();
    });
  });
}

/** A WebSocket seen as a byte stream (binary messages in order): how the SPDY tunnel rides it. */
export function webSocketDuplex(ws: WebSocket): Duplex {
  const d = new Duplex({
    read() { /* messages are pushed as they come */ },
    write(chunk: Buffer, _enc, cb) { if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true }, (e) => cb(e ?? null)); else cb(); },
    final(cb) { ws.close(1000); cb(); },
    destroy(err, cb) { ws.terminate(); cb(err); },
  });
  ws.on('message', (data: Buffer) => d.push(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer)));
  ws.on('close', () => { d.push(null); d.destroy(); });
  ws.on('error', () => d.destroy());
  return d;
}

/** The channel WebSocket protocol: one connection per port in `ports`, for the life of the WebSocket. */
export function serveWsPortForward(ws: WebSocket, ports: number[], dial: PodDial, pod: { name: string; uid: string }): void {
  const send = (ch: number, b: Buffer): void => { if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([ch]), b])); };
  const portPrefix = (p: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(p); return b; };
  const sinks = new Map<number, { data: (b: Buffer) => void; end: () => void }>();
  const early = new Map<number, Buffer[]>();
  const sockets: Socket[] = [];
  ports.forEach((port, i) => {
    send(2 * i, portPrefix(port));
    send(2 * i + 1, portPrefix(port));
    dial(port).then((sock) => {
      sockets.push(sock);
      splice(sock, (b) => send(2 * i, b), () => undefined, (d, e) => { sinks.set(2 * i, { data: d, end: e }); for (const b of early.get(2 * i) ?? []) d(b); early.delete(2 * i); }, () => undefined);
    }, (e: unknown) => send(2 * i + 1, Buffer.from(forwardError(port, pod.name, pod.uid, (e as Error).message))));
  });
  ws.on('message', (data: Buffer) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    if (!buf.length) return;
    const ch = buf[0]!;
    const rest = buf.subarray(1);
    if (ch % 2 !== 0 || ch / 2 >= ports.length) return;
    if (!rest.length) return;
    const sink = sinks.get(ch);
    if (sink) sink.data(rest); else early.set(ch, [...(early.get(ch) ?? []), rest]);
  });
  ws.on('close', () => { for (const s of sockets) s.destroy(); });
}
