import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { familyOf, isIP } from '../util/addr.js';
import { PodnetError } from '../util/errors.js';

export interface Upstream { host: string; port: number }

class UpstreamError extends PodnetError {
  constructor(message: string) { super('EUPSTREAM', message); }
}

/** `nameserver` lines of a resolv.conf-format file (the node's own, never the host's in the lab). */
export function upstreamsFromResolvConf(path: string): Upstream[] {
  return readFileSync(path, 'utf8').split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === 'nameserver' && f[1] && isIP(f[1]))
    .map((f) => ({ host: f[1]!, port: 53 }));
}

/** Parses `10.0.0.2`, `10.0.0.2:5353`, `[fd00::1]:53`. */
export function parseUpstream(s: string): Upstream {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (m) return { host: m[1]!, port: Number(m[2]) };
  if (isIP(s)) return { host: s, port: 53 };
  throw new UpstreamError(`bad upstream address "${s}" (want IP or IP:port)`);
}

/** Sends one query over UDP, resolving with the reply bytes whose ID matches. */
export function queryUdp(up: Upstream, packet: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(familyOf(up.host) === 6 ? 'udp6' : 'udp4');
    const id = packet.readUInt16BE(0);
    const timer = setTimeout(() => { sock.close(); reject(new UpstreamError(`timeout from ${up.host}:${up.port}`)); }, timeoutMs);
    sock.on('message', (msg) => {
      if (msg.length < 12 || msg.readUInt16BE(0) !== id) return;
      clearTimeout(timer); sock.close(); resolve(msg);
    });
    sock.on('error', (e) => { clearTimeout(timer); sock.close(); reject(new UpstreamError(e.message)); });
    sock.send(packet, up.port, up.host);
  });
}

/** Sends one query over TCP (2-byte length framing). */
export function queryTcp(up: Upstream, packet: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: up.host, port: up.port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new UpstreamError(`tcp timeout from ${up.host}:${up.port}`)); }, timeoutMs);
    sock.on('connect', () => { const len = Buffer.alloc(2); len.writeUInt16BE(packet.length); sock.write(Buffer.concat([len, packet])); });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(timer); sock.destroy(); resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(new UpstreamError(e.message)); });
  });
}
