/**
 * The relay `kubectl port-forward` traffic takes into a pod: started in the pod's network
 * namespace (podport.ts runs it under nsenter), it listens on a unix socket (a path, so the
 * kubelet in the node's namespace can reach it) and for each connection reads a 2-byte port,
 * connects to localhost:PORT in the pod, answers one status byte (0 = connected; 1 + message =
 * failed) and then copies bytes both ways, half-closes included. It exits when its stdin (a pipe
 * from the kubelet) closes, so it never outlives the port-forward session.
 */
import { connect, createServer, type Socket } from 'node:net';

const path = process.argv[2];
if (!path) { process.stderr.write('usage: podport-relay SOCKET\n'); process.exit(2); }

function dial(port: number, hosts: string[], done: (s: Socket | undefined, err: string) => void): void {
  const host = hosts[0]!;
  const s = connect({ port, host, allowHalfOpen: true });
  s.once('connect', () => { s.removeAllListeners('error'); done(s, ''); });
  s.once('error', (e) => {
    if (hosts.length > 1) dial(port, hosts.slice(1), done);
    else done(undefined, `dial tcp4 127.0.0.1:${port}: ${e.message.replace(/ 127\.0\.0\.1:\d+$/, '').replace(/^connect /, 'connect: ').replace('ECONNREFUSED', 'connection refused')}`);
  });
}

const server = createServer({ allowHalfOpen: true }, (conn) => {
  conn.on('error', () => conn.destroy());
  let head = Buffer.alloc(0);
  const onData = (b: Buffer): void => {
    head = Buffer.concat([head, b]);
    if (head.length < 2) return;
    conn.off('data', onData);
    conn.pause();
    const port = head.readUInt16BE(0);
    const rest = head.subarray(2);
    dial(port, ['127.0.0.1', '::1'], (up, err) => {
      if (!up) { conn.end(Buffer.concat([Buffer.from([1]), Buffer.from(err)])); return; }
      conn.write(Buffer.from([0]));
      if (rest.length) up.write(rest);
      up.on('error', () => { conn.destroy(); });
      conn.on('error', () => up.destroy());
      conn.pipe(up);
      up.pipe(conn);
      conn.on('close', () => up.destroy());
      up.on('close', () => conn.destroy());
      conn.resume();
    });
  };
  conn.on('data', onData);
});
server.listen(path, () => process.stdout.write('ready\n'));
server.on('error', (e) => { process.stderr.write(`${e.message}\n`); process.exit(1); });
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
