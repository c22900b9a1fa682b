import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger, type Logger } from '../../util/log.js';
import { startAutoCompaction } from './autocompact.js';
import { EventQueue } from './queue.js';
import { StoreError, prefixEndString, type Entry, type Store, type StoreOptions, type WatchEvent } from './store.js';

/**
 * Embedded store on one SQLite file (kine-style): `kv` holds the current value of every key, `log`
 * holds one row per revision (put or delete) for watch replay and reads at past revisions.
 * WAL + synchronous=FULL: a write is fsynced before its promise resolves, so it survives kill -9.
 * One writer process owns the file (exclusive locking mode); watchers are fed in-process.
 */
export interface SqliteStoreOptions extends StoreOptions { logger?: Logger }

interface KvRow { key: string; value: Buffer; create_rev: number; mod_rev: number }
interface LogRow { rev: number; key: string; deleted: number; value: Buffer | null; create_rev: number; prev_rev: number; prev_value: Buffer | null; prev_mod: number | null; prev_create: number | null }

interface Watcher { lower: string; upper: string | undefined; after: number; queue: EventQueue<WatchEvent> }

// kv is a rowid table (values stay in its leaf pages; a WITHOUT ROWID table would spill ~1 KB
// objects into overflow pages and list 3x slower), the key's unique index gives key order.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log (rev INTEGER PRIMARY KEY, key TEXT NOT NULL, deleted INTEGER NOT NULL, value BLOB, create_rev INTEGER NOT NULL, prev_rev INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compacted', 0);
`;

const LOG_COLUMNS = `l.rev, l.key, l.deleted, l.value, l.create_rev, l.prev_rev,
  p.value AS prev_value, p.rev AS prev_mod, p.create_rev AS prev_create`;

function toBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
function entryOf(r: KvRow): Entry {
  return { key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.mod_rev };
}
function inRange(key: string, lower: string, upper: string | undefined): boolean {
  return key >= lower && (upper === undefined || key < upper);
}
/** JS string comparison is UTF-16 order; keys are compared in SQLite as UTF-8 bytes (= code point order). */
function eventOfLog(r: LogRow): WatchEvent {
  const prev: Entry | undefined = r.prev_value !== null && r.prev_mod !== null && r.prev_create !== null
    ? { key: r.key, value: r.prev_value, createRevision: r.prev_create, modRevision: r.prev_mod }
    : undefined;
  if (r.deleted) return { type: 'delete', key: r.key, revision: r.rev, prev };
  return { type: 'put', entry: { key: r.key, value: r.value!, createRevision: r.create_rev, modRevision: r.rev }, prev };
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly log: Logger;
  private readonly watchers = new Set<Watcher>();
  private readonly progressIntervalMs: number;
  private readonly watchMaxPending: number;
  private readonly stopCompaction: () => void;
  private revision: number;
  private compacted: number;
  private closed = false;
  private readonly st;

  constructor(readonly file: string, opts: SqliteStoreOptions = {}) {
    this.log = opts.logger ?? createLogger('storage-sqlite');
    this.progressIntervalMs = opts.progressIntervalMs ?? 5000;
    this.watchMaxPending = opts.watchMaxPending ?? 100_000;
    mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = new Database(file, { timeout: 1000 });
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(SCHEMA);
      chmodSync(file, 0o600); // the store holds secrets; SQLite gives the -wal file the same mode
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
        throw new StoreError('EUNAVAILABLE', `sqlite store ${file} is held by another process`, { cause: err });
      }
      throw new StoreError('EUNAVAILABLE', `cannot open sqlite store ${file}: ${(err as Error).message}`, { cause: err });
    }
    const db = this.db;
    this.st = {
      meta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?'),
      setMeta: db.prepare<[number, string]>('UPDATE meta SET value = ? WHERE name = ?'),
      get: db.prepare<[string], KvRow>('SELECT key, value, create_rev, mod_rev FROM kv WHERE key = ?'),
      insertKv: db.prepare<[string, Buffer, number, number]>('INSERT INTO kv (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)'),
      updateKv: db.prepare<[Buffer, number, string]>('UPDATE kv SET value = ?, mod_rev = ? WHERE key = ?'),
      deleteKv: db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
      insertLog: db.prepare<[number, string, number, Buffer | null, number, number]>(
        'INSERT INTO log (rev, key, deleted, value, create_rev, prev_rev) VALUES (?, ?, ?, ?, ?, ?)'),
      listBounded: db.prepare<[string, string, number], KvRow>(
        'SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?'),
      listOpen: db.prepare<[string, number], KvRow>(
        'SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? ORDER BY key LIMIT ?'),
      countBounded: db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM kv WHERE key >= ? AND key < ?'),
      countOpen: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM kv WHERE key >= ?'),
      // The newest log row per key at or below a revision; deleted keys drop out. Walks the
      // (key, rev) index in key order from the page's start and stops at LIMIT (a page costs its
      // own rows, not a GROUP BY over every later key: 50,000 pods paged by 500 at a past
      // revision took 5 s this way against 0.2 s).
      listAtBounded: db.prepare<[string, string, number, number], KvRow>(`
        SELECT l.key, l.value, l.create_rev, l.rev AS mod_rev FROM log l
        WHERE l.key >= ? AND l.key < ? AND l.deleted = 0 AND l.rev = (SELECT MAX(x.rev) FROM log x WHERE x.key = l.key AND x.rev <= ?)
        ORDER BY l.key LIMIT ?`),
      listAtOpen: db.prepare<[string, number, number], KvRow>(`
        SELECT l.key, l.value, l.create_rev, l.rev AS mod_rev FROM log l
        WHERE l.key >= ? AND l.deleted = 0 AND l.rev = (SELECT MAX(x.rev) FROM log x WHERE x.key = l.key AND x.rev <= ?)
        ORDER BY l.key LIMIT ?`),
      historyBounded: db.prepare<[number, string, string], LogRow>(`
        SELECT ${LOG_COLUMNS} FROM log l LEFT JOIN log p ON p.rev = l.prev_rev
        WHERE l.rev > ? AND l.key >= ? AND l.key < ? ORDER BY l.rev`),
      historyOpen: db.prepare<[number, string], LogRow>(`
        SELECT ${LOG_COLUMNS} FROM log l LEFT JOIN log p ON p.rev = l.prev_rev
        WHERE l.rev > ? AND l.key >= ? ORDER BY l.rev`),
      // kine's rule: drop deletions and every row superseded by a newer row, both at or below the revision.
      compact: db.prepare<[{ rev: number }]>(`
        DELETE FROM log WHERE rev <= @rev AND (deleted = 1 OR rev < (SELECT MAX(l2.rev) FROM log l2 WHERE l2.key = log.key AND l2.rev <= @rev))`),
    };
    this.revision = this.st.meta.get('revision')!.value;
    this.compacted = this.st.meta.get('compacted')!.value;
    this.stopCompaction = startAutoCompaction(this, opts.compactIntervalMs ?? 300_000, opts.compactMinRetain ?? 1000, this.log);
    this.log.debug({ file, revision: this.revision, compacted: this.compacted }, 'sqlite store open');
  }

  private newQueue(prefix: string, signal: AbortSignal): EventQueue<WatchEvent> {
    return new EventQueue<WatchEvent>(signal, this.watchMaxPending,
      () => new StoreError('EUNAVAILABLE', `watch ${prefix}: consumer fell ${this.watchMaxPending} events behind; closed`));
  }

  private check(): void {
    if (this.closed) throw new StoreError('EUNAVAILABLE', `sqlite store ${this.file} is closed`);
  }

  private notify(event: WatchEvent, key: string, rev: number): void {
    for (const w of this.watchers) if (rev > w.after && inRange(key, w.lower, w.upper)) w.queue.push(event);
  }

  /** Runs one write transaction that appends a log row at the next revision. */
  private write<T>(fn: (rev: number) => T): T {
    const rev = this.revision + 1;
    const result = this.db.transaction(() => {
      const r = fn(rev);
      this.st.setMeta.run(rev, 'revision');
      return r;
    })();
    this.revision = rev;
    return result;
  }

  async get(key: string): Promise<Entry | undefined> {
    this.check();
    const r = this.st.get.get(key);
    return r ? entryOf(r) : undefined;
  }

  async list(prefix: string, opts: { limit?: number; startKey?: string; revision?: number } = {}): Promise<{ items: Entry[]; revision: number; more: boolean }> {
    this.check();
    const lower = opts.startKey !== undefined && opts.startKey > prefix ? opts.startKey : prefix;
    const upper = prefixEndString(prefix);
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit + 1 : -1;
    const at = opts.revision !== undefined && opts.revision > 0 ? opts.revision : undefined;
    let rows: KvRow[];
    if (at === undefined || at === this.revision) {
      rows = upper === undefined ? this.st.listOpen.all(lower, limit) : this.st.listBounded.all(lower, upper, limit);
    } else {
      if (at < this.compacted) throw new StoreError('ECOMPACTED', `revision ${at} has been compacted (oldest kept: ${this.compacted})`);
      if (at > this.revision) throw new StoreError('EFUTURE', `revision ${at} is newer than the current revision ${this.revision}`);
      rows = upper === undefined ? this.st.listAtOpen.all(lower, at, limit) : this.st.listAtBounded.all(lower, upper, at, limit);
    }
    const more = limit > 0 && rows.length === limit;
    if (more) rows.pop();
    return { items: rows.map(entryOf), revision: at ?? this.revision, more };
  }

  async count(prefix: string): Promise<number> {
    this.check();
    const upper = prefixEndString(prefix);
    return (upper === undefined ? this.st.countOpen.get(prefix) : this.st.countBounded.get(prefix, upper))!.n;
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    this.check();
    const v = toBuffer(value);
    const rev = this.write((rev) => {
      if (this.st.get.get(key)) throw new StoreError('EEXIST', `key ${key} already exists`);
      this.st.insertKv.run(key, v, rev, rev);
      this.st.insertLog.run(rev, key, 0, v, rev, 0);
      return rev;
    });
    this.notify({ type: 'put', entry: { key, value: v, createRevision: rev, modRevision: rev } }, key, rev);
    return rev;
  }

  async update(key: string, value: Uint8Array, expectRevision: number): Promise<number> {
    this.check();
    const v = toBuffer(value);
    let prev: KvRow | undefined;
    const rev = this.write((rev) => {
      prev = this.st.get.get(key);
      if (!prev) throw new StoreError('ENOENT', `key ${key} not found`);
      if (prev.mod_rev !== expectRevision) {
        throw new StoreError('ECONFLICT', `key ${key} is at revision ${prev.mod_rev}, not ${expectRevision}`);
      }
      this.st.updateKv.run(v, rev, key);
      this.st.insertLog.run(rev, key, 0, v, prev.create_rev, prev.mod_rev);
      return rev;
    });
    this.notify({ type: 'put', entry: { key, value: v, createRevision: prev!.create_rev, modRevision: rev }, prev: entryOf(prev!) }, key, rev);
    return rev;
  }

  async delete(key: string, expectRevision?: number): Promise<number> {
    this.check();
    let prev: KvRow | undefined;
    const rev = this.write((rev) => {
      prev = this.st.get.get(key);
      if (!prev) throw new StoreError('ENOENT', `key ${key} not found`);
      if (expectRevision !== undefined && prev.mod_rev !== expectRevision) {
        throw new StoreError('ECONFLICT', `key ${key} is at revision ${prev.mod_rev}, not ${expectRevision}`);
      }
      this.st.deleteKv.run(key);
      this.st.insertLog.run(rev, key, 1, null, prev.create_rev, prev.mod_rev);
      return rev;
    });
    this.notify({ type: 'delete', key, revision: rev, prev: entryOf(prev!) }, key, rev);
    return rev;
  }

  async *watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncGenerator<WatchEvent> {
    this.check();
    if (fromRevision < this.compacted) {
      throw new StoreError('ECOMPACTED', `watch from revision ${fromRevision}: history before ${this.compacted} has been compacted`);
    }
    if (signal.aborted) return;
    const w: Watcher = { lower: prefix, upper: prefixEndString(prefix), after: fromRevision, queue: this.newQueue(prefix, signal) };
    // Replay and registration happen in one synchronous step: no write can fall between them.
    if (fromRevision < this.revision) {
      const rows = w.upper === undefined ? this.st.historyOpen.all(fromRevision, w.lower) : this.st.historyBounded.all(fromRevision, w.lower, w.upper);
      for (const r of rows) w.queue.push(eventOfLog(r));
    }
    this.watchers.add(w);
    const timer = setInterval(() => w.queue.push({ type: 'progress', revision: this.revision }), this.progressIntervalMs);
    timer.unref();
    try {
      yield* w.queue.drain();
    } finally {
      clearInterval(timer);
      this.watchers.delete(w);
    }
  }

  async currentRevision(): Promise<number> {
    this.check();
    return this.revision;
  }

  async compact(revision: number): Promise<void> {
    this.check();
    if (revision > this.revision) throw new StoreError('EFUTURE', `cannot compact to ${revision}: current revision is ${this.revision}`);
    if (revision <= this.compacted) return;
    this.db.transaction(() => {
      this.st.compact.run({ rev: revision });
      this.st.setMeta.run(revision, 'compacted');
    })();
    this.compacted = revision;
  }

  /** The oldest revision a watch or list may still start from. */
  compactedRevision(): number { return this.compacted; }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopCompaction();
    for (const w of this.watchers) w.queue.end();
    this.watchers.clear();
    this.db.close();
  }
}
