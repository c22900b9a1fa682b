/**
 * The kernel side of `podnet trace`: a short-lived nft table of podnet's own (`inet podnet-trace`)
 * that sets `meta nftrace` on one probe's packets, `nft monitor trace` to read what every hooked
 * chain of every table did with them, route lookups as the kernel makes them (`ip route get`, with
 * iif/from for forwarded packets), the probe's conntrack entries, and the probe itself (a TCP
 * connect, a UDP datagram or an ICMP echo sent from inside a namespace). Never the host's namespace
 * (nsExec/argvInNetns refuse it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { nsExec, type NetnsPath } from './exec.js';
import { argvInNetns } from './spawn.js';

export const TRACE_FAMILY = 'inet';
export const TRACE_TABLE = 'podnet-trace';

/** Creates (or replaces) the trace table in ns with `script` (see traceTableScript). */
export async function installTraceTable(ns: NetnsPath, script: string): Promise<void> {
  await nsExec(ns, ['nft', '-f', '-'], { input: script });
}

/** Deletes the trace table; missing is fine. */
export async function removeTraceTable(ns: NetnsPath): Promise<void> {
  await nsExec(ns, ['nft', 'delete', 'table', TRACE_FAMILY, TRACE_TABLE], { allowFail: true });
}

/** A running `nft monitor trace` inside ns; stop() ends it and returns what it printed. */
export interface TraceMonitor { stop(): Promise<string> }

export function startTraceMonitor(ns: NetnsPath): TraceMonitor {
  const argv = argvInNetns(ns, ['nft', 'monitor', 'trace']);
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', () => { /* nft's warnings are not trace events */ });
  const closed = new Promise<void>((resolve) => { child.on('close', () => resolve()); child.on('error', () => resolve()); });
  return {
    async stop(): Promise<string> {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await closed;
      return Buffer.concat(out).toString();
    },
  };
}

/** What `ip -json route get` answers, or the kernel's refusal (e.g. "Network is unreachable"). */
export interface RouteLookup { ok: boolean; dst: string; gateway?: string; dev?: string; prefsrc?: string; type?: string; error?: string }

export async function routeGet(ns: NetnsPath, dst: string, o: { from?: string; iif?: string } = {}): Promise<RouteLookup> {
  const args = ['ip', '-json', '-4', 'route', 'get', dst, ...(o.from ? ['from', o.from] : []), ...(o.iif ? ['iif', o.iif] : [])];
  const r = await nsExec(ns, args, { allowFail: true });
  if (r.code !== 0) return { ok: false, dst, error: (r.stderr.trim().replace(/^RTNETLINK answers: /, '') || `exit ${r.code}`) };
  const j = (JSON.parse(r.stdout) as { dst: string; gateway?: string; dev?: string; prefsrc?: string; type?: string }[])[0];
  if (!j) return { ok: false, dst, error: 'no answer' };
  // a route of type unreachable/blackhole/prohibit is a refusal too
  if (j.type && j.type !== 'unicast' && j.type !== 'local') return { ok: false, dst, type: j.type, error: `route type ${j.type}` };
  return { ok: true, dst: j.dst, ...(j.gateway ? { gateway: j.gateway } : {}), ...(j.dev ? { dev: j.dev } : {}), ...(j.prefsrc ? { prefsrc: j.prefsrc } : {}), ...(j.type ? { type: j.type } : {}) };
}

/** `conntrack -L` lines of one protocol, optionally from one source address/port. */
export async function conntrackList(ns: NetnsPath, o: { protocol: 'tcp' | 'udp' | 'icmp'; origSrc?: string; sport?: number }): Promise<string> {
  const args = ['conntrack', '-L', '-p', o.protocol, ...(o.origSrc ? ['--orig-src', o.origSrc] : []), ...(o.sport ? ['--sport', String(o.sport)] : [])];
  const r = await nsExec(ns, args, { allowFail: true });
  return r.stdout;
}

export type ProbeOutcome = 'connected' | 'replied' | 'refused' | 'unreachable' | 'timeout' | 'sent';
export interface ProbeResult { outcome: ProbeOutcome; detail: string; ms: number }

/** The probe program, run by node inside the source namespace: one connection or datagram, bounded. */
const PROBE_JS = `
const [proto, host, port, sport, ms] = process.argv.slice(1);
const done = (outcome, detail) => { process.stdout.write(JSON.stringify({ outcome, detail })); process.exit(0); };
const code = (e) => e && e.code === 'ECONNREFUSED' ? 'refused' : (e && /UNREACH/.test(e.code || '') ? 'unreachable' : 'timeout');
setTimeout(() => done(proto === 'udp' ? 'sent' : 'timeout', 'no answer within ' + ms + ' ms'), Number(ms));
if (proto === 'tcp') {
  const s = require('net').connect({ host, port: Number(port), localPort: Number(sport) });
  s.on('connect', () => { s.destroy(); done('connected', 'TCP connection established'); });
  s.on('error', (e) => done(code(e), e.code + ' ' + e.message));
} else {
  const u = require('dgram').createSocket('udp4');
  u.on('error', (e) => done(code(e), e.code + ' ' + e.message));
  u.on('message', (m, r) => done('replied', 'reply of ' + m.length + ' bytes from ' + r.address + ':' + r.port));
  u.bind(Number(sport), () => u.connect(Number(port), host, () => u.send(Buffer.from('podnet-trace\\n'))));
}
`;

/** Sends one probe from ns: TCP connect / UDP datagram (from `sport`) or one ICMP echo. */
export async function sendProbe(ns: NetnsPath, p: { protocol: 'tcp' | 'udp' | 'icmp'; dst: string; port?: number; sport: number; timeoutMs: number }): Promise<ProbeResult> {
  const t0 = Date.now();
  if (p.protocol === 'icmp') {
    const secs = Math.max(1, Math.ceil(p.timeoutMs / 1000));
    const r = await nsExec(ns, ['ping', '-n', '-c', '1', '-W', String(secs), p.dst], { allowFail: true, timeoutMs: p.timeoutMs + 3000 });
    const text = `${r.stdout}\n${r.stderr}`;
    const ms = Date.now() - t0;
    if (/ 1 received/.test(text)) return { outcome: 'replied', detail: 'ICMP echo reply', ms };
    const un = /From (\S+) icmp_seq=\d+ (Destination \S+ Unreachable)/.exec(text) ?? /(connect: )(Network is unreachable)/.exec(text);
    if (un) return { outcome: /Port/.test(un[2]!) ? 'refused' : 'unreachable', detail: `${un[2]} (from ${un[1]!.replace(/: $/, 'the source')})`, ms };
    return { outcome: 'timeout', detail: `no echo reply within ${secs} s`, ms };
  }
  const r = await nsExec(ns, [process.execPath, '-e', PROBE_JS, p.protocol, p.dst, String(p.port ?? 0), String(p.sport), String(p.timeoutMs)],
    { allowFail: true, timeoutMs: p.timeoutMs + 5000 });
  const ms = Date.now() - t0;
  try { return { ...(JSON.parse(r.stdout) as { outcome: ProbeOutcome; detail: string }), ms }; } catch { return { outcome: 'timeout', detail: `probe failed: ${r.stderr.trim().slice(0, 200)}`, ms }; }
}
