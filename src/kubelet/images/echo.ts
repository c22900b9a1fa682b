/** podnet/echo: HTTP on 8080 answering `pod=<name> ip=<pod IP> peer=<ip:port>`; TCP and UDP echo on 9000. */
import { createServer as createHttp } from 'node:http';
import { createServer as createTcp } from 'node:net';
import { createSocket } from 'node:dgram';

export interface EchoOptions { podName: string; podIP: string; httpPort?: number; echoPort?: number; signal?: AbortSignal }

function peerOf(addr: string | undefined, port: number | undefined): string {
  const a = (addr ?? '').replace(/^::ffff:/, '');
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

export async function runEcho(o: EchoOptions): Promise<void> {
  const httpPort = o.httpPort ?? 8080;
  const echoPort = o.echoPort ?? 9000;
  const http = createHttp((req, res) => {
    const body = `pod=${o.podName} ip=${o.podIP} peer=${peerOf(req.socket.remoteAddress, req.socket.remotePort)}\n`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    process.stdout.write(`http ${req.method} ${req.url} from ${peerOf(req.socket.remoteAddress, req.socket.remotePort)}\n`);
  });
  const tcp = createTcp((s) => { s.on('error', () => s.destroy()); s.pipe(s); });
  const udp = createSocket({ type: 'udp4' });
  udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  await Promise.all([
    new Promise<void>((r) => http.listen(httpPort, '0.0.0.0', r)),
    new Promise<void>((r) => tcp.listen(echoPort, '0.0.0.0', r)),
    new Promise<void>((r) => udp.bind(echoPort, '0.0.0.0', r)),
  ]);
  process.stdout.write(`podnet/echo: pod=${o.podName} ip=${o.podIP} http :${httpPort}, tcp+udp echo :${echoPort}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => { http.close(); tcp.close(); udp.close(); resolve(); };
    o.signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
