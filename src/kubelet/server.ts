/**
 * The kubelet API on a unix socket (the apiserver proxies pods/log and pods/exec here):
 *   GET /containerLogs/{ns}/{pod}/{container}?follow=&tailLines=&timestamps=&previous=&limitBytes=&sinceTime=
 *   GET /exec/{ns}/{pod}/{container}?command=…&stdin=1&stdout=1&stderr=1&tty=0   (WebSocket, channel.k8s.io v4/v5)
 *   GET /healthz, GET /metrics (Prometheus)
 * The socket is 0600 in a 0700 directory (util/unixsocket.ts): it runs commands in containers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { openSync, readSync, closeSync, statSync, unlinkSync, readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from '../util/log.js';
import { lockSocket, prepareSocketPath } from '../util/unixsocket.js';
import { parseLogLine, renderLogs } from './logs.js';
import { KubeletMetrics } from './metrics.js';
import type { PodRuntime } from './runtime.js';

const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;

/** Picks the newest subprotocol both sides speak. */
export function pickProtocol(offered: Iterable<string>): string | false {
  const set = new Set(offered);
  return EXEC_PROTOCOLS.find((p) => set.has(p)) ?? false;
}

/** The v4+ error-channel Status for an exit code. */
export function exitStatus(code: number | null, signal: string | null): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  const c = code ?? (signal ? 128 : 1);
  return {
    metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command, exit status ${c}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(c) }] },
  };
}

/** POSIX shell single-quoting. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function plain(res: ServerResponse, code: number, msg: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(msg.endsWith('\n') ? msg : msg + '\n');
}

export interface KubeletServer { close(): Promise<void>; socketPath: string; metrics: KubeletMetrics }

export async function startKubeletServer(socketPath: string, rt: PodRuntime, log: Logger, nodeName = ''): Promise<KubeletServer> {
  const metrics = new KubeletMetrics({ nodeName, runningPods: () => rt.uids().length });
  prepareSocketPath(socketPath);
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => pickProtocol(protocols) });
  const follows = new Set<() => void>();

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    metrics.request(req.method ?? 'GET', url.pathname, url.searchParams.get('follow') === 'true');
    if (parts[0] === 'healthz') return plain(res, 200, 'ok');
    if (parts[0] === 'metrics' && req.method === 'GET') {
      void metrics.registry.metrics().then((text) => { res.writeHead(200, { 'content-type': metrics.registry.contentType }); res.end(text); }, (e: unknown) => plain(res, 500, (e as Error).message));
      return;
    }
    if (parts[0] === 'containerLogs' && parts.length >= 3 && req.method === 'GET') return serveLogs(url, parts, res);
    if (parts[0] === 'exec') return plain(res, 400, 'exec needs a WebSocket upgrade (channel.k8s.io)');
    plain(res, 404, `404 page not found: ${url.pathname}`);
  });

  function serveLogs(url: URL, parts: string[], res: ServerResponse): void {
    const [, ns, pod, container] = parts as [string, string, string, string | undefined];
    const q = url.searchParams;
    const t = rt.logTarget(ns, pod, container, q.get('previous') === 'true' || q.get('previous') === '1');
    if ('error' in t) return plain(res, t.code, t.error);
    const tail = q.get('tailLines');
    const limit = q.get('limitBytes');
    const query = {
      timestamps: q.get('timestamps') === 'true' || q.get('timestamps') === '1',
      tailLines: tail !== null && tail !== '' ? Number(tail) : undefined,
      sinceTime: q.get('sinceTime') ?? undefined,
      limitBytes: limit ? Number(limit) : undefined,
    };
    let text = '';
    try { text = readFileSync(t.path, 'utf8'); } catch { /* not written yet */ }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'transfer-encoding': 'chunked' });
    res.write(renderLogs(text, query));
    const follow = q.get('follow') === 'true' || q.get('follow') === '1';
    if (!follow) { res.end(); return; }
    // follow: stream what is appended until the container stops or the client goes away
    let offset = Buffer.byteLength(text);
    let carry = '';
    const stop = (): void => { clearInterval(timer); follows.delete(stop); res.end(); };
    follows.add(stop);
    const timer = setInterval(() => {
      let size = 0;
      try { size = statSync(t.path).size; } catch { /* not yet */ }
      if (size > offset) {
        const fd = openSync(t.path, 'r');
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        closeSync(fd);
        offset = size;
        const chunk = carry + buf.toString();
        const lines = chunk.split('\n');
        carry = lines.pop() ?? '';
        let out = '';
        for (const line of lines) {
          const l = parseLogLine(line);
          if (l) out += (query.timestamps ? `${l.time} ` : '') + l.content + (l.partial ? '' : '\n');
        }
        if (out) res.write(out);
      } else if (!t.running()) stop();
    }, 200);
    res.on('close', stop);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    metrics.request(req.method ?? 'GET', url.pathname, true);
    if (parts[0] !== 'exec' || parts.length < 3) { socket.end('HTTP/1.1 404 Not Found\r\n\r\n'); return; }
    const [, ns, pod, container] = parts as [string, string, string, string | undefined];
    const command = url.searchParams.getAll('command');
    const reject = (code: number, msg: string): void => {
      socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : 'Bad Request'}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
    };
    if (!command.length) return reject(400, 'you must specify at least 1 command');
    const q = url.searchParams;
    const tty = q.get('tty') === '1' || q.get('tty') === 'true';
    // the runtime starts it in the container (namespaces, root, env, workingDir, user); with a tty under a pseudo-terminal
    const child = rt.execProcess(ns, pod, container, command, { tty });
    if ('error' in child) return reject(child.code, child.error);
    wss.handleUpgrade(req, socket, head, (ws) => runExec(ws, child, command, q, tty));
  });

  function runExec(ws: WebSocket, child: ChildProcessWithoutNullStreams, command: string[], q: URLSearchParams, tty: boolean): void {
    const proto = ws.protocol;
    const v4 = proto === 'v4.channel.k8s.io' || proto === 'v5.channel.k8s.io';
    const wantStdin = q.get('stdin') === '1' || q.get('stdin') === 'true';
    const send = (ch: number, data: Buffer): void => { if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([ch]), data])); };
    // v1-v4 clients expect an empty frame on each channel first (upstream writes one per stream)
    if (!v4) for (const ch of [0, 1, 2, 3]) send(ch, Buffer.alloc(0));
    child.stdout.on('data', (b: Buffer) => send(1, b));
    child.stderr.on('data', (b: Buffer) => send(tty ? 1 : 2, b));
    child.stdin.on('error', () => undefined);
    if (!wantStdin) child.stdin.end();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      let buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (!isBinary && proto === 'base64.channel.k8s.io') buf = Buffer.from(buf.toString(), 'base64');
      if (!buf.length) return;
      const ch = buf[0]!;
      if (ch === 0 && wantStdin) child.stdin.write(buf.subarray(1));
      else if (ch === 255 && buf[1] === 0) child.stdin.end();
      // channel 4 (resize) ignored: no tty
    });
    ws.on('close', () => { if (child.exitCode === null) child.kill('SIGKILL'); });
    let outDone = 0;
    const maybeFinish = (code: number | null, sig: string | null): void => {
      const status = exitStatus(code, sig);
      if (v4 || proto === 'v3.channel.k8s.io' || proto === 'v2.channel.k8s.io' || proto === 'channel.k8s.io') {
        if (v4 || code !== 0) send(3, Buffer.from(v4 ? JSON.stringify(status) : String(status.message ?? '')));
      }
      ws.close(1000);
    };
    let exit: [number | null, string | null] | undefined;
    const done = (): void => { if (exit && outDone === 2) maybeFinish(exit[0], exit[1]); };
    child.stdout.on('end', () => { outDone++; done(); });
    child.stderr.on('end', () => { outDone++; done(); });
    child.on('exit', (code, sig) => { exit = [code, sig]; done(); });
    child.on('error', (e) => { send(3, Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: e.message, reason: 'InternalError' }))); ws.close(1000); });
    log.debug({ pid: child.pid, command }, 'exec');
  }

  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(socketPath, () => resolve()); });
  lockSocket(socketPath);
  return {
    socketPath, metrics,
    close: async () => {
      for (const f of [...follows]) f();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      try { unlinkSync(socketPath); } catch { /* gone */ }
    },
  };
}
