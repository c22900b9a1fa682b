import type { Listener } from './server.js';

/** Messages between the DNS primary and its UDP worker processes (over the cluster IPC channel). */
export type ToWorker =
  | { t: 'init'; listeners: Listener[] }
  | { t: 'table'; buf: Uint8Array }                         // AnswerTable.encode()
  | { t: 'stale' }                                          // the view changed: stop using the table
  | { t: 'reply'; seq: number; out?: Uint8Array; learn?: { gen: number; key: string; tpl: Uint8Array } }
  | { t: 'metrics?'; seq: number };

export type FromWorker =
  | { t: 'hello' }                                          // listening for messages: send init
  | { t: 'bound'; addresses: Listener[] }
  | { t: 'bindError'; message: string }
  | { t: 'query'; seq: number; msg: Uint8Array }           // a query the fast path could not answer
  | { t: 'metrics'; seq: number; json: object[] };

/** A Buffer view of bytes that crossed the channel (structured clone hands over Uint8Arrays). */
export function asBuffer(u: Uint8Array): Buffer { return Buffer.from(u.buffer, u.byteOffset, u.byteLength); }
