/**
 * The SPDY/3.1 transport of exec/attach (remotecommand v1–v4) and port-forward, as kubectl
 * 1.27–1.29 (and 1.30+ after a failed WebSocket upgrade) speak it: the request carries
 * `Upgrade: SPDY/3.1` and the protocols it speaks in X-Stream-Protocol-Version; we answer 101 with
 * the one we picked; then the client opens one SPDY stream per stdio stream, named by its
 * `streamType` header.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { headerValue } from '../../util/spdy/headers.js';
import { SpdySession, type SpdyStream } from '../../util/spdy/session.js';
import { jsonObjects, terminalSize, type CommandIO, type StreamOptions, type StreamStatus } from './remotecommand.js';

export const REMOTECOMMAND_SPDY_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;
export const PORTFORWARD_SPDY_PROTOCOLS = ['portforward.k8s.io'] as const;
/** How long the client may take to open the streams it asked for (upstream: 30 s). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** True for an `Upgrade: SPDY/3.1` request. */
export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return /^spdy\/3\.1$/i.test(String(req.headers.upgrade ?? '').trim());
}

/** The X-Stream-Protocol-Version values a client offered (several headers or comma lists). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'x-stream-protocol-version') out.push(...req.rawHeaders[i + 1]!.split(',').map((s) => s.trim()).filter(Boolean));
  }
  return out;
}

/**
 * Answers the upgrade: 101 with the newest protocol both speak, or 403 naming both lists (as
 * upstream's handshake). Returns the session and protocol, or undefined after refusing.
 */
export function acceptSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, supported: readonly string[]): { session: SpdySession; protocol: string } | undefined {
  const offered = offeredProtocols(req);
  const protocol = offered.length ? supported.find((p) => offered.includes(p)) : '';
  if (protocol === undefined) {
    const msg = `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server accepts ${JSON.stringify(supported)}`;
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
    return undefined;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n${protocol ? `X-Stream-Protocol-Version: ${protocol}\r\n` : ''}\r\n`);
  const session = new SpdySession(socket);
  if (head.length) session.feed(head);
  return { session, protocol };
}

/**
 * Collects the streams an exec/attach asked for (error always; stdin/stdout/stderr as asked;
 * resize with a tty from v3 on) and resolves a CommandIO over them.
 */
export function spdyCommandIO(session: SpdySession, protocol: string, opts: StreamOptions): Promise<CommandIO> {
  const want = new Set(['error']);
  if (opts.stdin) want.add('stdin');
  if (opts.stdout) want.add('stdout');
  if (opts.stderr) want.add('stderr');
  const withResize = opts.tty && (protocol === 'v3.channel.k8s.io' || protocol === 'v4.channel.k8s.io');
  if (withResize) want.add('resize');
  const streams = new Map<string, SpdyStream>();
  const resizeCbs: ((c: number, r: number) => void)[] = [];
  const closeCbs: (() => void)[] = [];
  let closed = false;
  session.on('close', () => { closed = true; for (const c of closeCbs.splice(0)) c(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`timed out waiting for client to create streams ${[...want].filter((w) => !streams.has(w)).join(', ')}`)); session.close(); }, STREAM_CREATION_TIMEOUT_MS);
    session.on('close', () => { clearTimeout(timer); reject(new Error('connection closed before the streams were created')); });
    session.on('stream', (s: SpdyStream) => {
      const type = headerValue(s.headers, 'streamtype');
      s.reply();
      if (!want.has(type) || streams.has(type)) { s.reset(); return; }
      streams.set(type, s);
      if (type === 'resize') s.consume(jsonObjects((o) => { const sz = terminalSize(o); if (sz) for (const cb of resizeCbs) cb(sz.cols, sz.rows); }));
      if (type === 'stdout' || type === 'stderr' || type === 'error') s.consume(() => undefined);
      if (streams.size < want.size) return;
      clearTimeout(timer);
      let finished = false;
      resolve({
        opts,
        readStdin: (data, end) => { const st = streams.get('stdin'); if (st) st.consume(data, end); else end(); },
        stdout: (b) => { streams.get('stdout')?.write(b); },
        stderr: (b) => { streams.get('stderr')?.write(b); },
        onResize: (cb) => { resizeCbs.push(cb); },
        onClose: (cb) => { if (closed) cb(); else closeCbs.push(cb); },
        finish: (status: StreamStatus) => {
          if (finished) return;
          finished = true;
          streams.get('stdout')?.end();
          streams.get('stderr')?.end();
          const err = streams.get('error')!;
          // v4: the Status JSON; v1–v3: a message only for a failure
          if (protocol === 'v4.channel.k8s.io') err.write(Buffer.from(JSON.stringify(status)));
          else if (status.status !== 'Success') err.write(Buffer.from(String(status.message ?? 'error')));
          err.end();
          streams.get('stdin')?.end();
          streams.get('resize')?.end();
          session.close();
        },
      });
    });
  });
}
