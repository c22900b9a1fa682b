import { PodnetError } from '../../util/errors.js';

/** One stored value with etcd-like revisions: modRevision becomes the object's resourceVersion. */
export interface Entry { key: string; value: Uint8Array; createRevision: number; modRevision: number }

export type WatchEvent =
  | { type: 'put'; entry: Entry; prev?: Entry }
  | { type: 'delete'; key: string; revision: number; prev?: Entry }
  /** Emitted periodically with the store's current revision (for watch bookmarks). */
  | { type: 'progress'; revision: number };

/**
 * The storage engine behind the API server. Keys look like kube-apiserver's
 * `/registry/<resource>/<namespace>/<name>`. Every write bumps one global revision.
 * Implementations: sqlite.ts (default, embedded), etcd.ts (etcd v3).
 */
export interface Store {
  get(key: string): Promise<Entry | undefined>;
  /**
   * Keys with the prefix, in key order; `revision` is the store revision the list reflects.
   * `startKey` is inclusive (etcd range semantics): to continue after a page whose last key was K,
   * pass `startKey: K + '\0'` and `revision` = the first page's revision. `more` is true when keys
   * beyond the returned page exist. A `revision` older than the compacted one fails with ECOMPACTED,
   * one newer than the current revision with EFUTURE.
   */
  list(prefix: string, opts?: { limit?: number; startKey?: string; revision?: number }): Promise<{ items: Entry[]; revision: number; more: boolean }>;
  count(prefix: string): Promise<number>;
  /** Fails with StoreError('EEXIST') when the key exists. Returns the new revision. */
  create(key: string, value: Uint8Array): Promise<number>;
  /** Compare-and-swap on modRevision: StoreError('ECONFLICT') if it moved, ('ENOENT') if gone. */
  update(key: string, value: Uint8Array, expectRevision: number): Promise<number>;
  /** Deletes (optionally only at expectRevision). Returns the revision of the deletion. */
  delete(key: string, expectRevision?: number): Promise<number>;
  /**
   * Events for keys under prefix with revision > fromRevision, in revision order, then live events
   * until the signal aborts. Throws StoreError('ECOMPACTED') when fromRevision is older than the
   * oldest revision still kept (the API answers 410 Gone). The error surfaces from the first next().
   * 'progress' events carry a revision R such that every event <= R has already been yielded
   * (a bookmark); they come every `progressIntervalMs` of the store.
   */
  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent>;
  currentRevision(): Promise<number>;
  /** Drops history at or below revision; later watches from older revisions get ECOMPACTED. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** EFUTURE: a list at (or compaction to) a revision the store has not reached yet. */
export type StoreErrorCode = 'EEXIST' | 'ENOENT' | 'ECONFLICT' | 'ECOMPACTED' | 'EUNAVAILABLE' | 'EFUTURE' | 'EINVAL';
export class StoreError extends PodnetError {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Options every engine understands (all optional). */
export interface StoreOptions {
  /** Interval of 'progress' events on idle watches. Default 5000 ms. */
  progressIntervalMs?: number;
  /** Automatic compaction period (kube-apiserver's --etcd-compaction-interval). Default 5 min; 0 disables. */
  compactIntervalMs?: number;
  /** Automatic compaction never drops the newest N revisions (kine keeps 1000). Default 1000. */
  compactMinRetain?: number;
  /** Events a watch consumer may fall behind by before the watch fails with EUNAVAILABLE. Default 100000. */
  watchMaxPending?: number;
}

/**
 * The first key after every key having `prefix` (etcd's range_end for a prefix), as bytes;
 * `\0` (= "to the end of the keyspace", etcd's convention) for the empty prefix.
 */
export function prefixEndBytes(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const out = Buffer.from(b.subarray(0, i + 1));
      out[i] = out[i]! + 1;
      return out;
    }
  }
  return Buffer.from([0]);
}

/**
 * The same bound as a string (code point order = UTF-8 byte order); undefined for the empty prefix.
 */
export function prefixEndString(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const cps = Array.from(prefix);
  const last = cps.pop()!.codePointAt(0)!;
  return cps.join('') + String.fromCodePoint(last + 1);
}
