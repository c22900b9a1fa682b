/**
 * A small HTTP load generator for the soak test, run inside a lab netns (`node loadgen.js …`):
 * `--conns` TCP connections, each sending GET / at `rate / conns` requests a second (paced, open
 * loop: a late response is not waited for beyond `--timeout-ms`), reconnecting after
 * `--per-conn` requests so new connections keep going through the Service's DNAT and reach new
 * endpoints. Every request is counted: ok (HTTP 200 whose body is podnet/echo's `pod=… ip=…`) or
 * failed with its reason and wall-clock time (so the caller can tell failures inside a rollout
 * window from the others). One JSON summary on stdout at the end; a progress line a second on stderr.
 *
 *   node loadgen.js --target 10.96.12.7:80 --rate 1000 --duration 600 --conns 20 --per-conn 100
 */
import { connect, type Socket } from 'node:net';

export interface LoadFailure { at: number; reason: string }
export interface LoadSummary {
  target: string; rate: number; durationS: number; conns: number;
  startedAt: number; endedAt: number;
  sent: number; ok: number; failed: number;
  failures: LoadFailure[]; failureCount: Record<string, number>;
  perSecond: number[]; pods: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
  connections: number;
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const target = arg('target', '127.0.0.1:8080');
const [host, portText] = [target.slice(0, target.lastIndexOf(':')), target.slice(target.lastIndexOf(':') + 1)];
const rate = Number(arg('rate', '1000'));
const durationS = Number(arg('duration', '30'));
const conns = Number(arg('conns', '20'));
const perConn = Number(arg('per-conn', '100'));
const timeoutMs = Number(arg('timeout-ms', '2000'));

const startedAt = Date.now();
const endAt = startedAt + durationS * 1000;
const s: LoadSummary = {
  target, rate, durationS, conns, startedAt, endedAt: 0, sent: 0, ok: 0, failed: 0, failures: [], failureCount: {},
  perSecond: [], pods: {}, latencyMs: { p50: 0, p99: 0, max: 0 }, connections: 0,
};
const latencies: number[] = [];
let stopping = false;

function fail(reason: string): void {
  s.failed++;
  s.failureCount[reason] = (s.failureCount[reason] ?? 0) + 1;
  if (s.failures.length < 2000) s.failures.push({ at: Date.now(), reason });
}
function succeed(body: string, ms: number): void {
  s.ok++;
  const sec = Math.floor((Date.now() - startedAt) / 1000);
  s.perSecond[sec] = (s.perSecond[sec] ?? 0) + 1;
  const pod = /^pod=(\S+)/.exec(body)?.[1] ?? '?';
  s.pods[pod] = (s.pods[pod] ?? 0) + 1;
  latencies.push(ms);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A connection: one permanent data/close listener each, so a peer's close is seen while idle too. */
interface Conn { sock: Socket; dead: boolean; onData?: (d: Buffer) => void; onDead?: (reason: string) => void }

/** One request on `c`: resolves with the body, rejects with a reason. */
function request(c: Conn): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (err: string | undefined, body?: string): void => {
      clearTimeout(timer);
      c.onData = undefined; c.onDead = undefined;
      if (err) reject(new Error(err)); else resolve(body!);
    };
    c.onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? -1);
      if (len < 0) { done('no content-length'); return; }
      if (buf.length < end + 4 + len) return;
      const body = buf.subarray(end + 4, end + 4 + len).toString();
      if (!/^HTTP\/1\.1 200 /.test(head)) { done(`status ${head.split('\r\n')[0]}`); return; }
      if (!body.startsWith('pod=')) { done('unexpected body'); return; }
      done(undefined, body);
    };
    c.onDead = (reason: string): void => done(reason);
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    c.sock.write(`GET / HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\n\r\n`);
  });
}

function open(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port: Number(portText) });
    const c: Conn = { sock, dead: false };
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('connect timeout')); }, timeoutMs);
    const die = (reason: string): void => { if (c.dead) return; c.dead = true; c.onDead?.(reason); };
    sock.on('data', (d: Buffer) => c.onData?.(d));
    sock.on('end', () => die('closed by peer'));
    sock.on('close', () => die('closed'));
    sock.on('error', (e: NodeJS.ErrnoException) => die(e.code ?? e.message));
    sock.once('connect', () => { clearTimeout(timer); sock.setNoDelay(true); s.connections++; resolve(c); });
    sock.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); reject(new Error(`connect ${e.code ?? e.message}`)); });
  });
}

/** One connection slot: its own schedule of rate/conns requests a second, staggered. */
async function slot(i: number): Promise<void> {
  const interval = (1000 * conns) / rate;
  let next = startedAt + (interval * i) / conns;
  let c: Conn | undefined;
  let used = 0;
  while (!stopping && next < endAt) {
    await sleep(next - Date.now());
    next += interval;
    if (Date.now() - next > 5000) next = Date.now(); // far behind (a stalled loop): do not burst
    s.sent++;
    const t0 = Date.now();
    try {
      // a keep-alive connection the server closed while idle is reopened, as any HTTP client does
      if (c?.dead) { c.sock.destroy(); c = undefined; }
      if (!c) { c = await open(); used = 0; }
      const body = await request(c);
      succeed(body, Date.now() - t0);
      if (++used >= perConn) { c.sock.end(); c = undefined; }
    } catch (e) {
      fail((e as Error).message);
      c?.sock.destroy(); c = undefined;
    }
  }
  c?.sock.end();
}

const progress = setInterval(() => {
  process.stderr.write(`loadgen t=${Math.round((Date.now() - startedAt) / 1000)}s sent=${s.sent} ok=${s.ok} failed=${s.failed}\n`);
}, 1000);
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => { stopping = true; });
process.stdin.on('end', () => { stopping = true; });
process.stdin.resume();

await Promise.all(Array.from({ length: conns }, (_, i) => slot(i)));
clearInterval(progress);
s.endedAt = Date.now();
latencies.sort((a, b) => a - b);
const q = (p: number): number => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! : 0;
s.latencyMs = { p50: q(0.5), p99: q(0.99), max: latencies.at(-1) ?? 0 };
for (let i = 0; i < s.perSecond.length; i++) s.perSecond[i] ??= 0;
process.stdout.write(JSON.stringify(s) + '\n');
process.exit(0);
