/**
 * The two ends of the NetworkPolicy truth table, run with plain node inside pod network namespaces:
 *   `node netpolProbe.js serve`  — TCP 80, TCP 81 (accept, close), UDP 80 (echo): the pods' container
 *   `node netpolProbe.js probe`  — reads JSON lines {id, timeoutMs, probes:[{ip, port, proto}]} on stdin
 *                                  and answers {id, results:[bool]}: every probe of a line runs at once.
 * proto TCP: connected within the timeout; UDP: the echo came back; DNS: a DNS query over UDP got a reply.
 */
import { createServer, connect, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';

export interface ProbeSpec { ip: string; port: number; proto: 'TCP' | 'UDP' | 'DNS' }
export interface ProbeRequest { id: number; timeoutMs: number; probes?: ProbeSpec[]; hold?: { ip: string; port: number }; check?: boolean }

function serve(): void {
  for (const port of [80, 81]) createServer((s) => { s.on('error', () => s.destroy()); s.end('ok\n'); }).listen(port, '0.0.0.0');
  // TCP 82 echoes: a long-lived connection for the "established connections survive" check
  createServer((s) => { s.on('error', () => s.destroy()); s.pipe(s); }).listen(82, '0.0.0.0');
  const u = createSocket('udp4');
  u.on('message', (m, r) => u.send(m, r.port, r.address));
  u.bind(80, '0.0.0.0');
  process.stdout.write('serving tcp 80 81, udp 80\n');
}

function tcp(p: ProbeSpec, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: p.ip, port: p.port });
    const done = (ok: boolean): void => { clearTimeout(t); s.destroy(); resolve(ok); };
    const t = setTimeout(() => done(false), ms);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function dnsQuery(): Buffer {
  const name = 'kubernetes.default.svc.cluster.local'.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]);
  return Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...name, 0, 0, 1, 0, 1]);
}

/**
 * UDP probes use a fresh source port each (counting up): a reused port could hit a conntrack entry a
 * previous case established, which `ct state established` rightly lets through.
 */
let nextUdpPort = 20000;

function udp(p: ProbeSpec, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(nextUdpPort++);
    const done = (ok: boolean): void => { clearTimeout(t); try { s.close(); } catch { /* closed */ } resolve(ok); };
    const t = setTimeout(() => done(false), ms);
    s.once('message', () => done(true));
    s.once('error', () => done(false));
    s.send(p.proto === 'DNS' ? dnsQuery() : Buffer.from('probe'), p.port, p.ip);
  });
}

let held: Socket | undefined;

/** Opens (and keeps) one TCP connection. */
function hold(ip: string, port: number, ms: number): Promise<boolean> {
  held?.destroy();
  return new Promise((resolve) => {
    const s = connect({ host: ip, port });
    const t = setTimeout(() => { s.destroy(); resolve(false); }, ms);
    s.once('connect', () => { clearTimeout(t); held = s; resolve(true); });
    s.once('error', () => { clearTimeout(t); resolve(false); });
  });
}

/** A round trip over the held connection. */
function check(ms: number): Promise<boolean> {
  const s = held;
  if (!s || s.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.once('data', () => { clearTimeout(t); resolve(true); });
    s.write('ping\n');
  });
}

function probe(): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const req = JSON.parse(line) as ProbeRequest;
    const answer = (results: boolean[]): void => { process.stdout.write(JSON.stringify({ id: req.id, results }) + '\n'); };
    if (req.hold) { void hold(req.hold.ip, req.hold.port, req.timeoutMs).then((ok) => answer([ok])); return; }
    if (req.check) { void check(req.timeoutMs).then((ok) => answer([ok])); return; }
    void Promise.all((req.probes ?? []).map((p) => (p.proto === 'TCP' ? tcp(p, req.timeoutMs) : udp(p, req.timeoutMs)))).then((results) => {
      process.stdout.write(JSON.stringify({ id: req.id, results }) + '\n');
    });
  });
  rl.on('close', () => process.exit(0));
}

if (process.argv[2] === 'serve') serve();
else if (process.argv[2] === 'probe') probe();
