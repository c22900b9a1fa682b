/** Messages between the DNS main thread and its batched UDP threads (see udpthreads.ts). */
export type ToThread =
  | { t: 'table'; buf: Uint8Array }                         // AnswerTable.encode()
  | { t: 'stale' }                                          // the view changed: stop using the table
  | { t: 'learn'; gen: number; key: string; tpl: Uint8Array }
  | { t: 'metrics?'; seq: number }
  | { t: 'stop' };

export type FromThread =
  | { t: 'query'; sock: number; msg: Uint8Array; peer: Uint8Array }   // the fast path could not answer it
  | { t: 'metrics'; seq: number; json: object[] }
  | { t: 'error'; message: string };

/** What a UDP thread starts with: the socket fds (one per listener) it shares with the others. */
export interface ThreadData { fds: number[] }
