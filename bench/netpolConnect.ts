// Runs inside the client netns: N sequential TCP connects to ip:port (fresh conntrack entry each),
// prints {p50,p90,p99} in microseconds as one JSON line.
import { connect } from 'node:net';

const [ip = '10.244.2.11', portS = '8080', nS = '300'] = process.argv.slice(2);
const n = Number(nS);
function once(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = connect({ host: ip, port: Number(portS) });
    const timer = setTimeout(() => { s.destroy(); reject(new Error('connect timed out')); }, 2000);
    s.once('connect', () => { const us = Number(process.hrtime.bigint() - t0) / 1000; clearTimeout(timer); s.destroy(); resolve(us); });
    s.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
const xs: number[] = [];
for (let i = 0; i < 20; i++) await once();
for (let i = 0; i < n; i++) xs.push(await once());
xs.sort((a, b) => a - b);
const q = (f: number): number => Math.round(xs[Math.min(xs.length - 1, Math.floor(f * xs.length))]! * 10) / 10;
process.stdout.write(JSON.stringify({ p50: q(0.5), p90: q(0.9), p99: q(0.99) }) + '\n');
