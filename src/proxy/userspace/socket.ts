import net from 'node:net';
import dgram from 'node:dgram';
import type { Logger } from '../../util/log.js';
import type { RoundRobin } from './balancer.js';

const split = (ep: string): { host: string; port: number } => { const i = ep.lastIndexOf(':'); return { host: ep.slice(0, i), port: Number(ep.slice(i + 1)) }; };

/** One listening proxy port of one service port. */
export interface ProxySocket { readonly port: number; close(): Promise<void> }

/** TCP: accept, pick an endpoint (retrying others on connect failure), splice both directions. */
export function tcpProxy(lb: RoundRobin, log: Logger, bindHost = '0.0.0.0'): Promise<ProxySocket> {
  const conns = new Set<net.Socket>();
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    conns.add(client);
    client.on('close', () => conns.delete(client));
    client.on('error', () => client.destroy());
    const tried = new Set<string>();
    const attempt = (): void => {
      const ep = lb.pick(client.remoteAddress?.replace(/^::ffff:/, '') ?? '', tried);
      if (!ep) { client.destroy(); return; }
      tried.add(ep);
      const up = net.connect({ ...split(ep), timeout: 3000 });
      let connected = false;
      const fail = (): void => { up.destroy(); if (!connected) attempt(); else client.destroy(); };
      up.once('timeout', fail);
      up.on('error', fail);
      up.once('connect', () => {
        connected = true;
        up.setTimeout(0);
        conns.add(up); up.on('close', () => { conns.delete(up); client.end(); });
        client.on('close', () => up.destroy());
        client.pipe(up); up.pipe(client);
        client.resume();
      });
    };
    attempt();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, bindHost, () => {
      const port = (server.address() as net.AddressInfo).port;
      log.debug({ port }, 'tcp proxy listening');
      resolve({ port, close: () => new Promise<void>((r) => { for (const c of conns) c.destroy(); server.close(() => r()); }) });
    });
  });
}

/** UDP: one upstream socket per client address, replies relayed back; idle flows expire. */
export function udpProxy(lb: RoundRobin, log: Logger, bindHost = '0.0.0.0', idleMs = 30_000): Promise<ProxySocket> {
  const sock = dgram.createSocket('udp4');
  const flows = new Map<string, { up: dgram.Socket; last: number }>();
  sock.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let f = flows.get(key);
    if (!f) {
      const ep = lb.pick(rinfo.address);
      if (!ep) return;
      const up = dgram.createSocket('udp4');
      up.on('message', (reply) => { const fl = flows.get(key); if (fl) fl.last = Date.now(); sock.send(reply, rinfo.port, rinfo.address); });
      up.on('error', () => { up.close(); flows.delete(key); });
      const { host, port } = split(ep);
      up.connect(port, host);
      f = { up, last: Date.now() };
      flows.set(key, f);
      const flow = f;
      up.once('connect', () => flow.up.send(msg));
      return;
    }
    f.last = Date.now();
    try { f.up.send(msg); } catch { /* not yet connected: dropped like a lost datagram */ }
  });
  const gc = setInterval(() => { const now = Date.now(); for (const [k, f] of flows) if (now - f.last > idleMs) { f.up.close(); flows.delete(k); } }, 5000);
  gc.unref();
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, bindHost, () => {
      const port = sock.address().port;
      log.debug({ port }, 'udp proxy listening');
      resolve({ port, close: async () => { clearInterval(gc); for (const f of flows.values()) f.up.close(); flows.clear(); await new Promise<void>((r) => sock.close(() => r())); } });
    });
  });
}
