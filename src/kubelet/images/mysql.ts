/**
 * podnet/mysql: a TCP server on 3306 that speaks the first step of the MySQL client/server protocol
 * (a HandshakeV10 packet whose server version names the pod), then answers the client's login with
 * an OK packet and closes on COM_QUIT. A stand-in for the seed's MySQL, not a database.
 */
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface MysqlOptions { podName: string; port?: number; signal?: AbortSignal }

function packet(seq: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUIntLE(payload.length, 0, 3);
  h[3] = seq & 0xff;
  return Buffer.concat([h, payload]);
}

/** HandshakeV10 (protocol version 10) with mysql_native_password. */
export function greeting(podName: string, connectionId: number): Buffer {
  const salt = Buffer.from(randomBytes(20).map((b) => (b % 94) + 33));
  const caps = 0x000fa7ff >>> 0; // CLIENT_LONG_PASSWORD | … | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH
  const parts: Buffer[] = [
    Buffer.from([10]),
    Buffer.from(`5.7.44-podnet-${podName}\0`),
    (() => { const b = Buffer.alloc(4); b.writeUInt32LE(connectionId >>> 0); return b; })(),
    salt.subarray(0, 8), Buffer.from([0]),
    (() => { const b = Buffer.alloc(2); b.writeUInt16LE(caps & 0xffff); return b; })(),
    Buffer.from([33]), // utf8_general_ci
    Buffer.from([2, 0]), // SERVER_STATUS_AUTOCOMMIT
    (() => { const b = Buffer.alloc(2); b.writeUInt16LE(caps >>> 16); return b; })(),
    Buffer.from([21]),
    Buffer.alloc(10),
    salt.subarray(8, 20), Buffer.from([0]),
    Buffer.from('mysql_native_password\0'),
  ];
  return packet(0, Buffer.concat(parts));
}

const OK = Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]);

export async function runMysql(o: MysqlOptions): Promise<void> {
  let nextId = 1;
  const srv = createServer((s) => {
    s.on('error', () => s.destroy());
    s.write(greeting(o.podName, nextId++));
    process.stdout.write(`mysql: connection from ${s.remoteAddress}:${s.remotePort}\n`);
    s.on('data', (d) => {
      if (d.length >= 5 && d[4] === 0x01) { s.end(); return; } // COM_QUIT
      const seq = d.length >= 4 ? (d[3]! + 1) & 0xff : 1;
      s.write(packet(seq, OK));
    });
  });
  await new Promise<void>((r) => srv.listen(o.port ?? 3306, '0.0.0.0', r));
  process.stdout.write(`podnet/mysql: pod=${o.podName} listening on :${o.port ?? 3306}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => { srv.close(); resolve(); };
    o.signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
