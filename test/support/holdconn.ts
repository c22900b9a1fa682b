/**
 * Holds established TCP connections to echo servers (podnet/echo's TCP echo on 9000) and proves
 * they keep working: every 100 ms each connection sends a numbered line and must get the same line
 * back. Prints `connected` once every connection is up; after a line on stdin it does 10 more
 * rounds and prints one JSON line: per target, the round trips done and whether (and why) it broke.
 *
 *   node holdconn.js 10.244.1.5:9000 10.96.0.20:9000
 */
import { connect, type Socket } from 'node:net';

export interface HoldResult { to: string; roundTrips: number; broken?: string; localPort?: number }

interface Held { to: string; sock: Socket; rx: string; res: HoldResult }

const targets = process.argv.slice(2);
const held: Held[] = [];

async function open(to: string): Promise<Held> {
  const i = to.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const sock = connect({ host: to.slice(0, i), port: Number(to.slice(i + 1)) });
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`connect ${to}: timeout`)); }, 10_000);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.setNoDelay(true);
      const h: Held = { to, sock, rx: '', res: { to, roundTrips: 0, localPort: sock.localPort } };
      sock.on('data', (d: Buffer) => { h.rx += d.toString(); });
      sock.on('error', (e: NodeJS.ErrnoException) => { h.res.broken ??= e.code ?? e.message; });
      sock.on('close', () => { h.res.broken ??= 'closed'; });
      resolve(h);
    });
    sock.once('error', (e) => { clearTimeout(timer); reject(new Error(`connect ${to}: ${e.message}`)); });
  });
}

async function round(h: Held, n: number): Promise<void> {
  if (h.res.broken) return;
  const line = `ping ${n}\n`;
  h.rx = '';
  h.sock.write(line);
  const end = Date.now() + 5000;
  while (!h.rx.includes(line)) {
    if (h.res.broken) return;
    if (Date.now() > end) { h.res.broken = `no echo of round ${n} within 5 s`; return; }
    await new Promise((r) => setTimeout(r, 5));
  }
  h.res.roundTrips++;
}

try {
  for (const t of targets) held.push(await open(t));
} catch (e) {
  process.stdout.write(`connect failed: ${(e as Error).message}\n`);
  process.exit(2);
}
process.stdout.write('connected\n');
let stopAt: number | undefined;
process.stdin.on('data', () => { stopAt ??= n + 10; });
process.stdin.on('end', () => { stopAt ??= n + 10; });
let n = 0;
const deadline = Date.now() + 600_000;
while ((stopAt === undefined || n < stopAt) && Date.now() < deadline) {
  await Promise.all(held.map((h) => round(h, n)));
  n++;
  await new Promise((r) => setTimeout(r, 100));
}
process.stdout.write(JSON.stringify(held.map((h) => h.res)) + '\n');
for (const h of held) h.sock.destroy();
process.exit(0);
