/**
 * The master netns's API endpoint: a TCP listener (the lab runs it on 192.168.138.224:6443, the
 * `kubernetes` Service's endpoint) that relays every connection byte for byte to the API server's
 * unix socket, as a TCP load balancer in front of kube-apiserver would. TLS passes through
 * untouched: clients verify the API server's own certificate and present their own.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { isIP } from '../util/addr.js';
import { PodnetError } from '../util/errors.js';

export class ForwarderError extends PodnetError {}

export interface ListenAddress { host: string; port: number }

/** `IP:port` (IPv6 in brackets) → host and port (pure). */
export function parseListenAddress(s: string): ListenAddress {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !isIP(m[1]!) || port < 1 || port > 65535) throw new ForwarderError('EFLAG', `--listen must be IP:port (port 1-65535), not "${s}"`);
  return { host: m[1]!, port };
}

export interface ApiForwarderOptions extends ListenAddress {
  /** The API server's unix socket. */
  socketPath: string;
  /** One line per relay failure (the lab's log file). */
  log?: (line: string) => void;
}

export interface ApiForwarder {
  address: ListenAddress;
  /** Connections being relayed now. */
  active(): number;
  close(): Promise<void>;
}

/** Relays one accepted connection to the unix socket; either side closing or failing ends both. */
function relay(client: Socket, socketPath: string, live: Set<Socket>, log: (line: string) => void): void {
  const upstream = createConnection({ path: socketPath, allowHalfOpen: true });
  live.add(client);
  let ended = false;
  const end = (why?: Error): void => {
    if (ended) return;
    ended = true;
    live.delete(client);
    if (why) log(`${client.remoteAddress}:${client.remotePort}: ${why.message}`);
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end);
  upstream.on('error', end);
  client.on('close', () => end());
  upstream.on('close', () => end());
  client.pipe(upstream);
  upstream.pipe(client);
}

export async function startApiForwarder(o: ApiForwarderOptions): Promise<ApiForwarder> {
  const log = o.log ?? ((): void => undefined);
  const live = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (c) => relay(c, o.socketPath, live, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return {
    address: { host: o.host, port },
    active: () => live.size,
    close: () => new Promise<void>((resolve) => {
      for (const c of live) c.destroy();
      server.close(() => resolve());
    }),
  };
}
