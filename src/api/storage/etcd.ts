import type { Etcd3, IKeyValue, IOptions, IWatchResponse } from 'etcd3';
import { etcd3 } from '../../util/etcd3lazy.js';
import { createLogger, type Logger } from '../../util/log.js';
import { startAutoCompaction } from './autocompact.js';
import { EventQueue } from './queue.js';
import { StoreError, prefixEndBytes, type Entry, type Store, type StoreOptions, type WatchEvent } from './store.js';

/**
 * Store on a real etcd v3 (API v3 over gRPC via the `etcd3` package). Keys are used as given.
 * Writes are single transactions comparing create_revision (create) or mod_revision (CAS); watches
 * run on their own gRPC stream with start_revision, prev_kv and progress requests for bookmarks.
 */
export interface EtcdStoreOptions extends StoreOptions {
  /** Deadline of each unary call; an unreachable etcd fails with EUNAVAILABLE after it. Default 5 s. */
  callTimeoutMs?: number;
  logger?: Logger;
}

type Policy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;
/** No circuit breaker per host: after an etcd restart calls go through at once. */
const passthrough = {
  execute: <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T) =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
} as unknown as Policy;

function mapError(err: unknown, what: string): Error {
  if (err instanceof StoreError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/compacted/.test(msg)) return new StoreError('ECOMPACTED', `${what}: ${msg}`, { cause: err });
  if (/future revision/.test(msg)) return new StoreError('EFUTURE', `${what}: ${msg}`, { cause: err });
  if (err instanceof Error && err.name === 'GRPCInvalidArgumentError') return new StoreError('EINVAL', `${what}: ${msg}`, { cause: err });
  return new StoreError('EUNAVAILABLE', `${what}: etcd unavailable: ${msg}`, { cause: err });
}

function entryOf(kv: IKeyValue): Entry {
  return { key: kv.key.toString(), value: kv.value, createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) };
}

const ZERO = Buffer.from([0]);

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly log: Logger;
  private readonly progressIntervalMs: number;
  private readonly watchMaxPending: number;
  private readonly stopCompaction: () => void;
  private readonly streams = new Set<EventQueue<WatchEvent>>();
  private closed = false;

  constructor(readonly endpoints: string[], opts: EtcdStoreOptions = {}) {
    this.log = opts.logger ?? createLogger('storage-etcd');
    this.progressIntervalMs = opts.progressIntervalMs ?? 5000;
    this.watchMaxPending = opts.watchMaxPending ?? 100_000;
    const timeout = opts.callTimeoutMs ?? 5000;
    this.client = new (etcd3().Etcd3)({
      hosts: endpoints,
      dialTimeout: timeout,
      // a list of 10k pods is ~10 MB: lift grpc's 4 MB receive cap as kube-apiserver does
      grpcOptions: { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
      faultHandling: { host: () => passthrough },
    });
    this.stopCompaction = startAutoCompaction(this, opts.compactIntervalMs ?? 300_000, opts.compactMinRetain ?? 1000, this.log);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('EUNAVAILABLE', 'etcd store is closed');
    try {
      return await fn();
    } catch (err) {
      throw mapError(err, what);
    }
  }

  async get(key: string): Promise<Entry | undefined> {
    const res = await this.call(`get ${key}`, () => this.client.kv.range({ key: Buffer.from(key) }));
    return res.kvs.length > 0 ? entryOf(res.kvs[0]!) : undefined;
  }

  async list(prefix: string, opts: { limit?: number; startKey?: string; revision?: number } = {}): Promise<{ items: Entry[]; revision: number; more: boolean }> {
    const lower = opts.startKey !== undefined && opts.startKey > prefix ? opts.startKey : prefix;
    const at = opts.revision !== undefined && opts.revision > 0 ? opts.revision : undefined;
    const res = await this.call(`list ${prefix}`, () => this.client.kv.range({
      key: lower === '' ? ZERO : Buffer.from(lower),
      range_end: prefixEndBytes(prefix),
      limit: opts.limit !== undefined && opts.limit > 0 ? opts.limit : 0,
      revision: at ?? 0,
    }));
    return { items: res.kvs.map(entryOf), revision: at ?? Number(res.header.revision), more: res.more };
  }

  async count(prefix: string): Promise<number> {
    const res = await this.call(`count ${prefix}`, () => this.client.kv.range({
      key: prefix === '' ? ZERO : Buffer.from(prefix), range_end: prefixEndBytes(prefix), count_only: true,
    }));
    return Number(res.count);
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    const k = Buffer.from(key);
    const res = await this.call(`create ${key}`, () => this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
    }));
    if (!res.succeeded) throw new StoreError('EEXIST', `key ${key} already exists`);
    return Number(res.header.revision);
  }

  async update(key: string, value: Uint8Array, expectRevision: number): Promise<number> {
    const k = Buffer.from(key);
    const res = await this.call(`update ${key}`, () => this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectRevision }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) this.failed(key, res.responses[0]?.response_range.kvs ?? [], expectRevision);
    return Number(res.header.revision);
  }

  async delete(key: string, expectRevision?: number): Promise<number> {
    const k = Buffer.from(key);
    const res = await this.call(`delete ${key}`, () => this.client.kv.txn({
      compare: [expectRevision !== undefined
        ? { key: k, target: 'Mod', result: 'Equal', mod_revision: expectRevision }
        : { key: k, target: 'Version', result: 'Greater', version: 0 }],
      success: [{ request_delete_range: { key: k } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) this.failed(key, res.responses[0]?.response_range.kvs ?? [], expectRevision);
    return Number(res.header.revision);
  }

  private failed(key: string, kvs: IKeyValue[], expectRevision: number | undefined): never {
    if (kvs.length === 0) throw new StoreError('ENOENT', `key ${key} not found`);
    throw new StoreError('ECONFLICT', `key ${key} is at revision ${kvs[0]!.mod_revision}, not ${expectRevision}`);
  }

  async *watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncGenerator<WatchEvent> {
    if (signal.aborted) return;
    const stream = await this.call(`watch ${prefix}`, () => this.client.watchClient.watch());
    const queue = new EventQueue<WatchEvent>(signal, this.watchMaxPending,
      () => new StoreError('EUNAVAILABLE', `watch ${prefix}: consumer fell ${this.watchMaxPending} events behind; closed`));
    this.streams.add(queue);
    // start_revision = fromRevision (not +1) so that etcd refuses exactly when fromRevision < the
    // compacted revision, like the sqlite engine; the event at fromRevision itself is skipped below.
    const start = Math.max(fromRevision, 1);
    let created = false;
    const onData = (res: IWatchResponse): void => {
      if (res.canceled || Number(res.compact_revision) > 0) {
        if (Number(res.compact_revision) > 0) {
          queue.fail(new StoreError('ECOMPACTED', `watch ${prefix} from revision ${fromRevision}: compacted (oldest kept: ${res.compact_revision})`));
        } else {
          queue.fail(new StoreError('EUNAVAILABLE', `watch ${prefix} canceled by etcd: ${res.cancel_reason}`));
        }
        return;
      }
      if (res.created) { created = true; return; }
      if (res.events.length === 0) {
        queue.push({ type: 'progress', revision: Number(res.header.revision) });
        return;
      }
      for (const ev of res.events) {
        const rev = Number(ev.kv.mod_revision);
        if (rev <= fromRevision) continue;
        const prev = ev.prev_kv ? entryOf(ev.prev_kv) : undefined;
        if (ev.type === 'Delete') queue.push({ type: 'delete', key: ev.kv.key.toString(), revision: rev, prev });
        else queue.push({ type: 'put', entry: entryOf(ev.kv), prev });
      }
    };
    stream.on('data', onData);
    stream.on('error', (err: Error) => {
      if (!signal.aborted) queue.fail(mapError(err, `watch ${prefix}`));
    });
    stream.on('end', () => {
      if (!signal.aborted) queue.fail(new StoreError('EUNAVAILABLE', `watch ${prefix}: etcd closed the stream`));
    });
    stream.write({
      create_request: {
        key: prefix === '' ? ZERO : Buffer.from(prefix),
        range_end: prefixEndBytes(prefix),
        start_revision: start,
        prev_kv: true,
        progress_notify: true,
      },
    });
    const timer = setInterval(() => { if (created) stream.write({ progress_request: {} }); }, this.progressIntervalMs);
    timer.unref();
    try {
      yield* queue.drain();
    } finally {
      clearInterval(timer);
      this.streams.delete(queue);
      queue.end();
      stream.on('error', () => {});
      stream.cancel();
    }
  }

  async currentRevision(): Promise<number> {
    const res = await this.call('current revision', () => this.client.kv.range({ key: ZERO, count_only: true }));
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.call(`compact ${revision}`, () => this.client.kv.compact({ revision, physical: true }));
    } catch (err) {
      if (err instanceof StoreError && err.code === 'ECOMPACTED') return; // already compacted that far
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopCompaction();
    for (const q of this.streams) q.end();
    this.streams.clear();
    this.client.close();
  }
}
