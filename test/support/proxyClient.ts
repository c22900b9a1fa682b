// Client helper run inside a netns: `node proxyClient.js tcp|udp HOST PORT COUNT [timeoutMs]`.
// Prints one JSON line: { answers: { name: count }, errors: { code: count }, firstErrorMs }.
import net from 'node:net';
import dgram from 'node:dgram';

const [proto = 'tcp', host = '', portS = '0', countS = '1', timeoutS = '2000'] = process.argv.slice(2);
const port = Number(portS), count = Number(countS), timeout = Number(timeoutS);
const answers: Record<string, number> = {};
const errors: Record<string, number> = {};
const sources: Record<string, number> = {};
let firstErrorMs: number | undefined;

function once(): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const done = (line?: string, err?: string): void => {
      if (line) { const [n, src] = line.trim().split(' '); answers[n!] = (answers[n!] ?? 0) + 1; if (src) sources[src] = (sources[src] ?? 0) + 1; }
      if (err) { errors[err] = (errors[err] ?? 0) + 1; firstErrorMs ??= Date.now() - t0; }
      resolve();
    };
    if (proto === 'tcp') {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => { s.destroy(); done(undefined, 'TIMEOUT'); }, timeout);
      let buf = '';
      s.on('data', (d) => { buf += d.toString(); if (buf.includes('\n')) { clearTimeout(timer); s.destroy(); done(buf.split('\n')[0]); } });
      s.on('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); done(undefined, e.code ?? 'ERR'); });
    } else {
      const s = dgram.createSocket('udp4');
      const timer = setTimeout(() => { s.close(); done(undefined, 'TIMEOUT'); }, timeout);
      s.on('message', (m) => { clearTimeout(timer); s.close(); done(m.toString()); });
      s.on('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); try { s.close(); } catch { /* closed */ } done(undefined, e.code ?? 'ERR'); });
      s.connect(port, host, () => s.send('hi'));
    }
  });
}

for (let i = 0; i < count; i++) await once();
process.stdout.write(JSON.stringify({ answers, errors, sources, firstErrorMs }) + '\n');
