/**
 * A batched UDP thread of `podnet dns` (see udpthreads.ts). It polls the sockets the main thread
 * opened, reads up to BATCH_SLOTS queries per call, answers those the precomputed table knows
 * straight into the reply slots (template copy, ID/RD/name spelling patched) and sends them with
 * one call; every other query goes to the main thread's full path, which replies itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BATCH_SLOTS, pollReadable, UdpBatch } from '../net/udpbatch.js';
import { AnswerTable } from './answertable.js';
import { parseSimpleQuery } from './question.js';
import { FastPathCounts } from './fastcounts.js';
import { asBuffer } from './udpproto.js';
import type { FromThread, ThreadData, ToThread } from './udpthreadproto.js';

/** Batches read per readiness callback before other events (table updates) get a turn. */
const ROUNDS_PER_WAKEUP = 16;

const port = parentPort;
if (!port) throw new Error('udpthread.js runs as a worker thread of podnet dns');
const { fds } = workerData as ThreadData;
const send = (m: FromThread): void => port.postMessage(m);

const batch = new UdpBatch();
const counts = new FastPathCounts();
let table: AnswerTable | undefined;

function drain(sock: number): void {
  const fd = fds[sock]!;
  for (let round = 0; round < ROUNDS_PER_WAKEUP; round++) {
    let n: number;
    try {
      n = batch.recv(fd);
    } catch (e) {
      send({ t: 'error', message: (e as Error).message });
      return;
    }
    if (!n) return;
    const t0 = performance.now();
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const len = batch.len(i);
      if (len < 0) { counts.dropped++; continue; }           // longer than any query we answer
      const msg = batch.in(i);
      const q = table ? parseSimpleQuery(msg, len) : undefined;
      const t = q ? table!.lookup(q) : undefined;
      if (t) {
        batch.reply(i, AnswerTable.write(t, batch.out(i), msg, q!));
        counts.answered(msg.readUInt16BE(q!.nameEnd), t.tpl[3]! & 0xf);
        hits++;
        continue;
      }
      send({ t: 'query', sock, msg: Buffer.from(msg.subarray(0, len)), peer: batch.peer(i) });
    }
    batch.flush(fd);
    counts.observe(hits, (performance.now() - t0) / 1000);
    if (n < BATCH_SLOTS) return;
  }
}

const polls = fds.map((fd, sock) => pollReadable(fd, () => drain(sock)));

port.on('message', (m: ToThread) => {
  switch (m.t) {
    case 'table': table = AnswerTable.decode(asBuffer(m.buf)); return;
    case 'stale': table = undefined; return;
    case 'learn': if (table && table.gen === m.gen) table.adopt(m.key, asBuffer(m.tpl)); return;
    case 'metrics?': send({ t: 'metrics', seq: m.seq, json: counts.toJSON() }); return;
    case 'stop':
      for (const p of polls) p.stop();
      port.close();
      return;
  }
});
