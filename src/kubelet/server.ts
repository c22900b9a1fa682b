/**
 * The kubelet API on a unix socket (the apiserver proxies pods/log and pods/exec here):
 *   GET /containerLogs/{ns}/{pod}/{container}?follow=&tailLines=&timestamps=&previous=&limitBytes=&sinceTime=
 *   GET|POST /exec/{ns}/{pod}/{container}?command=…&stdin=1&stdout=1&stderr=1&tty=0
 *   GET|POST /attach/{ns}/{pod}/{container}?stdin=1&stdout=1&stderr=1&tty=0
 *   GET|POST /portForward/{ns}/{pod}[?ports=…]
 *     upgraded to SPDY/3.1 (streaming/spdy.ts) or WebSocket (streaming/websocket.ts, portforward.ts)
 *   GET /healthz, GET /metrics (Prometheus)
 * The socket is 0600 in a 0700 directory (util/unixsocket.ts): it runs commands in containers.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { openSync, readSync, closeSync, statSync, unlinkSync, readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { PodPortDialer } from '../net/podport.js';
import { SpdySession } from '../util/spdy/session.js';
import type { Logger } from '../util/log.js';
import { lockSocket, prepareSocketPath } from '../util/unixsocket.js';
import { parseLogLine, renderLogs } from './logs.js';
import { KubeletMetrics } from './metrics.js';
import type { PodRuntime } from './runtime.js';
import type { ExecTarget } from './containerprocess.js';
import { runAttach, runExec, streamOptions, type CommandIO } from './streaming/remotecommand.js';
import { acceptSpdy, isSpdyUpgrade, PORTFORWARD_SPDY_PROTOCOLS, REMOTECOMMAND_SPDY_PROTOCOLS, spdyCommandIO } from './streaming/spdy.js';
import { parsePort, PORTFORWARD_WS_PROTOCOLS, PORTFORWARD_WS_TUNNEL, serveSpdyPortForward, serveWsPortForward, webSocketDuplex } from './streaming/portforward.js';
import { pickWsProtocol, REMOTECOMMAND_WS_PROTOCOLS, wsCommandIO } from './streaming/websocket.js';

/** Picks the newest exec subprotocol both sides speak (WebSocket). */
export function pickProtocol(offered: Iterable<string>): string | false {
  return pickWsProtocol(offered, REMOTECOMMAND_WS_PROTOCOLS.filter((p) => p !== 'base64.channel.k8s.io'));
}

export { exitStatus } from './streaming/remotecommand.js';
export { shellQuote } from './containerprocess.js';

function plain(res: ServerResponse, code: number, msg: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(msg.endsWith('\n') ? msg : msg + '\n');
}

export interface KubeletServer { close(): Promise<void>; socketPath: string; metrics: KubeletMetrics }

export async function startKubeletServer(socketPath: string, rt: PodRuntime, log: Logger, nodeName = ''): Promise<KubeletServer> {
  const metrics = new KubeletMetrics({ nodeName, runningPods: () => rt.uids().length });
  prepareSocketPath(socketPath);
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols, req) => {
      if (protocols.has(TUNNEL_TOKEN)) return PORTFORWARD_WS_TUNNEL;
      return pickWsProtocol(protocols, /^\/portforward\//i.test(req.url ?? '') ? PORTFORWARD_WS_PROTOCOLS : REMOTECOMMAND_WS_PROTOCOLS);
    },
  });
  /**
   * `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token ('/'), which the ws library refuses in
   * Sec-WebSocket-Protocol; kubectl (Go) sends it anyway. Before ws parses the header we swap it
   * for a token and answer with the real name.
   */
  const TUNNEL_TOKEN = 'x-podnet-spdy-portforward-tunnel';
  const tokeniseTunnel = (req: IncomingMessage): void => {
    const h = req.headers['sec-websocket-protocol'];
    if (typeof h === 'string' && h.includes(PORTFORWARD_WS_TUNNEL)) req.headers['sec-websocket-protocol'] = h.split(',').map((p) => p.trim() === PORTFORWARD_WS_TUNNEL ? TUNNEL_TOKEN : p.trim()).join(', ');
  };
  const follows = new Set<() => void>();
  /** Upgraded connections (SPDY and WebSocket), cut when the server closes. */
  const upgraded = new Set<Duplex>();

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
    if (['exec', 'attach', 'portForward', 'portforward'].includes(parts[0] ?? '')) return plain(res, 400, `${parts[0]} needs an upgrade: SPDY/3.1 or websocket`);
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
    socket.on('error', () => socket.destroy());
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const reject = (code: number, msg: string): void => {
      socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
    };
    const spdy = isSpdyUpgrade(req);
    if (!spdy && String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return reject(400, `unsupported upgrade ${String(req.headers.upgrade ?? '')}: want SPDY/3.1 or websocket`);
    const [verb, ns, pod, container] = parts as [string, string | undefined, string | undefined, string | undefined];
    if (!ns || !pod) return reject(404, `404 page not found: ${url.pathname}`);
    if (verb === 'exec' || verb === 'attach') {
      const opts = streamOptions(url.searchParams);
      if (!opts.stdin && !opts.stdout && !opts.stderr) return reject(400, 'you must specify at least 1 of stdin, stdout, stderr');
      let start: (io: CommandIO) => void;
      if (verb === 'exec') {
        const t = rt.execTarget(ns, pod, container);
        if ('error' in t) return reject(t.code, t.error);
        const command = url.searchParams.getAll('command');
        if (!command.length) return reject(400, 'you must specify at least 1 command');
        // the runtime starts it inside the container: its root filesystem, environment, working directory and user
        const target: ExecTarget = {
          initPid: t.initPid,
          start: (argv, o) => {
            const c = rt.execProcess(ns, pod, container, argv, o);
            if ('error' in c) throw new Error(c.error);
            return c;
          },
        };
        start = (io) => runExec(io, target, command, log);
      } else {
        const target = rt.attachTarget(ns, pod, container);
        if ('error' in target) return reject(target.code, target.error);
        start = (io) => runAttach(io, target);
      }
      if (spdy) {
        const acc = acceptSpdy(req, socket, head, REMOTECOMMAND_SPDY_PROTOCOLS);
        if (!acc) return;
        log.info({ verb, pod: `${ns}/${pod}`, transport: 'SPDY/3.1', protocol: acc.protocol }, 'streaming session');
        spdyCommandIO(acc.session, acc.protocol, opts).then(start, (e: unknown) => log.debug({ err: (e as Error).message }, `${verb}: no session`));
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        log.info({ verb, pod: `${ns}/${pod}`, transport: 'websocket', protocol: ws.protocol }, 'streaming session');
        start(wsCommandIO(ws, opts));
      });
      return;
    }
    if (verb === 'portForward' || verb === 'portforward') {
      const target = rt.execTarget(ns, pod);
      if ('error' in target) return reject(target.code, target.error);
      const uid = String(rt.findPod(ns, pod)?.pod.metadata.uid ?? '');
      // one relay into the pod's network namespace per session, started on the first connection
      let dialer: Promise<PodPortDialer> | undefined;
      const dial = (port: number): Promise<Socket> => (dialer ??= PodPortDialer.open(target.initPid, dirname(socketPath))).then((d) => d.dial(port));
      const done = (): void => { void dialer?.then((d) => d.close(), () => undefined); };
      const who = { name: pod, uid };
      if (spdy) {
        const acc = acceptSpdy(req, socket, head, PORTFORWARD_SPDY_PROTOCOLS);
        if (!acc) return;
        acc.session.on('close', done);
        log.info({ verb: 'portforward', pod: `${ns}/${pod}`, transport: 'SPDY/3.1', protocol: acc.protocol }, 'streaming session');
        serveSpdyPortForward(acc.session, dial, who, log);
        return;
      }
      tokeniseTunnel(req);
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('close', done);
        log.info({ verb: 'portforward', pod: `${ns}/${pod}`, transport: 'websocket', protocol: ws.protocol }, 'streaming session');
        if (ws.protocol === PORTFORWARD_WS_TUNNEL) {
          const session = new SpdySession(webSocketDuplex(ws));
          serveSpdyPortForward(session, dial, who, log);
          return;
        }
        const ports = url.searchParams.getAll('ports').flatMap((p) => p.split(',')).map((p) => parsePort(p.trim()));
        if (!ports.length || ports.some((p) => p === undefined)) { ws.close(1008, 'ports: want one or more ports 1-65535'); return; }
        serveWsPortForward(ws, ports as number[], dial, who);
      });
      return;
    }
    reject(404, `404 page not found: ${url.pathname}`);
  });

  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(socketPath, () => resolve()); });
  lockSocket(socketPath);
  return {
    socketPath, metrics,
    close: async () => {
      for (const f of [...follows]) f();
      for (const c of wss.clients) c.terminate();
      for (const s of upgraded) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      try { unlinkSync(socketPath); } catch { /* gone */ }
    },
  };
}
