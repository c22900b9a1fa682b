/**
 * The WebSocket transport of exec/attach (channel.k8s.io v1–v5, base64.channel.k8s.io): each
 * binary message is one channel byte (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize) + data.
 * v5 adds the close signal: a message [255, channel] from the client closes that channel (stdin
 * EOF), which v4 could not express.
 */
import type { WebSocket } from 'ws';
import { jsonObjects, terminalSize, type CommandIO, type StreamOptions, type StreamStatus } from './remotecommand.js';

export const REMOTECOMMAND_WS_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'] as const;

/** Channel numbers of the remotecommand WebSocket protocols. */
export const CH = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The newest subprotocol both sides speak. */
export function pickWsProtocol(offered: Iterable<string>, supported: readonly string[]): string | false {
  const set = new Set(offered);
  return supported.find((p) => set.has(p)) ?? false;
}

export function wsCommandIO(ws: WebSocket, opts: StreamOptions): CommandIO {
  const proto = ws.protocol;
  const b64 = proto === 'base64.channel.k8s.io';
  const statusJson = proto === 'v4.channel.k8s.io' || proto === 'v5.channel.k8s.io';
  const send = (ch: number, data: Buffer): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (b64) ws.send(String.fromCharCode(48 + ch) + data.toString('base64'));
    else ws.send(Buffer.concat([Buffer.from([ch]), data]));
  };
  // v1–v4 clients expect an empty frame on each channel first (upstream writes one per stream)
  if (proto !== 'v5.channel.k8s.io') for (const ch of [CH.stdin, CH.stdout, CH.stderr, CH.error]) send(ch, Buffer.alloc(0));
  let stdinData: ((b: Buffer) => void) | undefined;
  let stdinEnd: (() => void) | undefined;
  let stdinEnded = false;
  const early: Buffer[] = [];
  const resizeCbs: ((c: number, r: number) => void)[] = [];
  const onResize = jsonObjects((o) => { const sz = terminalSize(o); if (sz) for (const cb of resizeCbs) cb(sz.cols, sz.rows); });
  const closeStdin = (): void => { if (stdinEnded) return; stdinEnded = true; stdinEnd?.(); };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    let buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    if (!buf.length) return;
    if (!isBinary && b64) buf = Buffer.concat([Buffer.from([buf[0]! - 48]), Buffer.from(buf.subarray(1).toString(), 'base64')]);
    const ch = buf[0]!;
    const rest = buf.subarray(1);
    if (ch === CH.stdin && opts.stdin && !stdinEnded) { if (stdinData) stdinData(rest); else early.push(rest); }
    else if (ch === CH.resize) onResize(rest);
    else if (ch === CH.close && proto === 'v5.channel.k8s.io' && rest[0] === CH.stdin) closeStdin();
  });
  const closeCbs: (() => void)[] = [];
  let closed = false;
  ws.on('close', () => { closed = true; closeStdin(); for (const c of closeCbs.splice(0)) c(); });
  let finished = false;
  return {
    opts,
    readStdin: (data, end) => { stdinData = data; stdinEnd = end; for (const b of early.splice(0)) data(b); if (stdinEnded) end(); },
    stdout: (b) => send(CH.stdout, b),
    stderr: (b) => send(CH.stderr, b),
    onResize: (cb) => { resizeCbs.push(cb); },
    onClose: (cb) => { if (closed) cb(); else closeCbs.push(cb); },
    finish: (status: StreamStatus) => {
      if (finished) return;
      finished = true;
      if (statusJson) send(CH.error, Buffer.from(JSON.stringify(status)));
      else if (status.status !== 'Success') send(CH.error, Buffer.from(String(status.message ?? 'error')));
      ws.close(1000);
    },
  };
}
