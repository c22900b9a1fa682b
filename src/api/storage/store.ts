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
  /** Keys with the prefix, in key order; `revision` is the store revision the list reflects. */
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
   * oldest revision still kept (the API answers 410 Gone).
   */
  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent>;
  currentRevision(): Promise<number>;
  /** Drops history at or below revision; later watches from older revisions get ECOMPACTED. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export type StoreErrorCode = 'EEXIST' | 'ENOENT' | 'ECONFLICT' | 'ECOMPACTED' | 'EUNAVAILABLE';
export class StoreError extends PodnetError {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
