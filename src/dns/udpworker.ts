/**
 * A UDP worker process of `podnet dns` (a cluster worker; see udpworkers.ts). It binds the
 * listeners through the primary, which shares one socket per listener among the workers, and
 * answers from the precomputed table the primary ships; every other query goes to the primary's
 * full path over IPC and the reply goes out from here.
 */
import cluster from 'node:cluster';
import dgram from 'node:dgram';
import { familyOf } from '../util/addr.js';
import { AnswerTable } from './answertable.js';
import { parseSimpleQuery } from './question.js';
import { createDnsMetrics } from './metrics.js';
import { RCODE_NAMES } from './respond.js';
import { setRecvBuffer, type Listener } from './server.js';
import { asBuffer, type FromWorker, type ToWorker } from './udpproto.js';

const MAX_PENDING = 10_000;

function send(m: FromWorker): void { process.send?.(m); }

if (!cluster.isWorker) throw new Error('udpworker.js runs as a cluster worker of podnet dns');
// A terminal's Ctrl-C reaches the whole process group: the primary decides when workers stop
// (SIGTERM), and a worker also exits by itself when the primary's IPC channel goes away.
process.on('SIGINT', () => undefined);

const metrics = createDnsMetrics({ processMetrics: false });
let table: AnswerTable | undefined;
let seq = 0;
const pending = new Map<number, { sock: dgram.Socket; port: number; address: string }>();

function onMessage(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
  const started = process.hrtime.bigint();
  const q = table ? parseSimpleQuery(msg) : undefined;
  const hit = q ? table!.answer(msg, q) : undefined;
  if (hit) {
    metrics.requests.inc({ proto: 'udp', type: hit.type });
    metrics.responses.inc({ rcode: RCODE_NAMES[hit.out[3]! & 0xf] ?? 'NOERROR' });
    metrics.duration.observe({ proto: 'udp' }, Number(process.hrtime.bigint() - started) / 1e9);
    sock.send(hit.out, rinfo.port, rinfo.address);
    return;
  }
  if (pending.size >= MAX_PENDING) return;     // the primary is behind: shed load like a full socket buffer would
  seq = (seq + 1) % 0x7fffffff;
  pending.set(seq, { sock, port: rinfo.port, address: rinfo.address });
  send({ t: 'query', seq, msg });
}

async function bindAll(listeners: Listener[]): Promise<Listener[]> {
  const out: Listener[] = [];
  for (const l of listeners) {
    const sock = dgram.createSocket({ type: familyOf(l.host) === 6 ? 'udp6' : 'udp4', reuseAddr: true });
    sock.on('message', (m, r) => onMessage(sock, m, r));
    await new Promise<void>((res, rej) => { sock.once('error', rej); sock.bind({ port: l.port, address: l.host, exclusive: false }, () => { sock.off('error', rej); res(); }); });
    sock.on('error', () => undefined);        // send errors (e.g. an unreachable client) must not kill the worker
    setRecvBuffer(sock);
    out.push({ host: sock.address().address, port: sock.address().port });
  }
  return out;
}

process.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'init':
      bindAll(m.listeners).then((addresses) => send({ t: 'bound', addresses }), (e: unknown) => send({ t: 'bindError', message: (e as Error).message }));
      return;
    case 'table': table = AnswerTable.decode(asBuffer(m.buf)); return;
    case 'stale': table = undefined; return;
    case 'reply': {
      const p = pending.get(m.seq);
      if (!p) return;
      pending.delete(m.seq);
      if (m.out) p.sock.send(asBuffer(m.out), p.port, p.address);
      if (m.learn && table && table.gen === m.learn.gen) table.adopt(m.learn.key, asBuffer(m.learn.tpl));
      return;
    }
    case 'metrics?':
      void metrics.dnsRegistry.getMetricsAsJSON().then((json) => send({ t: 'metrics', seq: m.seq, json }));
      return;
  }
});

// Messages sent before this module ran would have been lost: ask for the set-up now.
send({ t: 'hello' });
