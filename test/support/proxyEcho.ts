// A tiny backend for proxy tests: answers each TCP connection and UDP datagram with "<name> <client-ip>".
// TCP connections stay open and echo "<name> <line>" for each line (long-lived connection checks).
import net from 'node:net';
import dgram from 'node:dgram';

const [name = 'echo', portS = '8080'] = process.argv.slice(2);
const port = Number(portS);
const strip = (a: string | undefined): string => (a ?? '').replace(/^::ffff:/, '');
net.createServer((s) => {
  s.on('error', () => s.destroy());
  s.write(`${name} ${strip(s.remoteAddress)}\n`);
  let buf = '';
  s.on('data', (d) => { buf += d.toString(); let i; while ((i = buf.indexOf('\n')) >= 0) { const line = buf.slice(0, i); buf = buf.slice(i + 1); s.write(`${name} ${line}\n`); } });
}).listen(port, '0.0.0.0');
const u = dgram.createSocket('udp4');
u.on('message', (_m, r) => u.send(`${name} ${r.address}\n`, r.port, r.address));
u.bind(port, '0.0.0.0', () => process.stdout.write('ready\n'));
