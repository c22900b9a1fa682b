import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindSemantics, KObject } from '../kinds/types.js';
import type { Registry } from './registry.js';
import { ApiStatusError, gone } from './status.js';
import { toTable, type IncludeObject } from './table.js';

export interface WatchRequest {
  kind: KindSemantics;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  /** Encode each object as a one-row Table (kubectl get -w). */
  table?: { include: IncludeObject };
}

/** Default watch duration when the client sets none (upstream picks 30–60 min at random). */
const DEFAULT_TIMEOUT_S = 1800;

/**
 * The framed line of an event. An object the registry shares between watchers (one decoded store
 * event, see Registry.watch) is encoded once per event type and the line reused by every watcher.
 */
const encodedLines = new WeakMap<object, Map<string, Buffer>>();
export function eventLine(type: string, object: unknown): Buffer {
  if (typeof object !== 'object' || object === null) return Buffer.from(JSON.stringify({ type, object }) + '\n');
  let m = encodedLines.get(object);
  const hit = m?.get(type);
  if (hit !== undefined) return hit;
  const line = Buffer.from(JSON.stringify({ type, object }) + '\n');
  if (!m) encodedLines.set(object, m = new Map());
  m.set(type, line);
  return line;
}

/**
 * Streams watch events as newline-delimited JSON (`{"type":…,"object":…}`), upstream's framing.
 * resourceVersion "" or "0" starts with synthetic ADDED events for the current state; a compacted
 * resourceVersion ends the stream with an ERROR event carrying a 410 Status.
 */
export async function serveWatch(reg: Registry, w: WatchRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const f = reg.filters(w.kind, w);
  const ac = new AbortController();
  const timeout = setTimeout(() => ac.abort(), (w.timeoutSeconds && w.timeoutSeconds > 0 ? w.timeoutSeconds : DEFAULT_TIMEOUT_S) * 1000);
  const onClose = (): void => ac.abort();
  req.on('close', onClose);
  res.on('close', onClose);
  let headerSent = false;
  let first = true;
  const write = (type: string, object: unknown, shared = false): boolean => {
    if (!headerSent) {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
      headerSent = true;
    }
    return res.write(shared ? eventLine(type, object) : JSON.stringify({ type, object }) + '\n');
  };
  const encode = (o: KObject, type: string): unknown => {
    if (!w.table || type === 'BOOKMARK') return o;
    const t = toTable(w.kind, [o], w.table.include, { resourceVersion: o.metadata.resourceVersion }, first);
    first = false;
    return t;
  };
  try {
    let fromRV: number;
    const rv = w.resourceVersion;
    if (!rv || rv === '0') {
      const list = await reg.list(w.kind, w.namespace, { labelSelector: w.labelSelector, fieldSelector: w.fieldSelector });
      for (const o of list.items) write('ADDED', encode(o, 'ADDED'));
      fromRV = Number(list.resourceVersion);
    } else {
      fromRV = Number(rv);
      if (!Number.isInteger(fromRV) || fromRV < 0) throw new ApiStatusError(400, 'BadRequest', `invalid resource version: ${rv}`);
    }
    if (!headerSent) { res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' }); headerSent = true; res.flushHeaders(); }
    for await (const ev of reg.watch(w.kind, w.namespace, fromRV, f, ac.signal, w.allowBookmarks)) {
      if (ac.signal.aborted) break;
      const ok = write(ev.type, encode(ev.object, ev.type), !w.table);
      if (!ok) await new Promise<void>((r) => { res.once('drain', r); ac.signal.addEventListener('abort', () => r(), { once: true }); });
    }
  } catch (e) {
    if (!ac.signal.aborted) {
      const err = e instanceof ApiStatusError ? e : gone(String((e as Error).message));
      if (err.httpCode === 410 || headerSent) {
        // Upstream sends the 410 inside the stream as an ERROR event.
        write('ERROR', err.body());
      } else {
        res.writeHead(err.httpCode, { 'content-type': 'application/json' });
        res.end(JSON.stringify(err.body()));
        return;
      }
    }
  } finally {
    clearTimeout(timeout);
    req.off('close', onClose);
  }
  if (!res.writableEnded) res.end();
}
