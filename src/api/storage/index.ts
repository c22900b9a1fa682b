import { join } from 'node:path';
import { EtcdStore } from './etcd.js';
import { SqliteStore } from './sqlite.js';
import { StoreError, type Store, type StoreOptions } from './store.js';

export { StoreError, type Store, type Entry, type WatchEvent, type StoreOptions, type StoreErrorCode } from './store.js';
export { SqliteStore } from './sqlite.js';
export { EtcdStore } from './etcd.js';

/** Opens an engine from the part of the spec after `name:` ('' when absent). */
export type StoreFactory = (arg: string, dataDir: string, opts: StoreOptions) => Promise<Store>;

const engines = new Map<string, StoreFactory>();

/** Registers a storage engine under a name (`--storage NAME[:ARG]`). */
function registerStoreEngine(name: string, factory: StoreFactory): void {
  engines.set(name, factory);
}

export function storeEngines(): string[] {
  return [...engines.keys()].sort();
}

/** The file name of the default SQLite store inside the data dir. */
const DEFAULT_SQLITE_FILE = 'podnet.db';

registerStoreEngine('sqlite', async (arg, dataDir, opts) => {
  if (arg === '' && dataDir === '') throw new StoreError('EINVAL', 'storage "sqlite" needs a data dir or an explicit path (sqlite:/path/file.db)');
  return new SqliteStore(arg === '' ? join(dataDir, DEFAULT_SQLITE_FILE) : arg, opts);
});

registerStoreEngine('etcd', async (arg, _dataDir, opts) => {
  const endpoints = arg.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (endpoints.length === 0) throw new StoreError('EINVAL', 'storage "etcd" needs endpoints: etcd:http://127.0.0.1:2379[,http://…]');
  for (const e of endpoints) {
    let url: URL;
    try { url = new URL(e); } catch { throw new StoreError('EINVAL', `storage etcd: endpoint "${e}" is not a URL (want http://host:port)`); }
    if (url.protocol !== 'http:') throw new StoreError('EINVAL', `storage etcd: endpoint "${e}": only http:// is supported`);
    if (url.port === '') throw new StoreError('EINVAL', `storage etcd: endpoint "${e}" has no port`);
  }
  return new EtcdStore(endpoints, opts);
});

/**
 * Opens the store named by a `--storage` spec: `sqlite` (data-dir/podnet.db), `sqlite:/path/file.db`,
 * `etcd:http://127.0.0.1:2379[,http://…]`. Throws StoreError('EINVAL') for a bad spec.
 */
export async function createStore(spec: string, dataDir: string, opts: StoreOptions = {}): Promise<Store> {
  const s = spec.trim();
  const colon = s.indexOf(':');
  const name = colon < 0 ? s : s.slice(0, colon);
  const arg = colon < 0 ? '' : s.slice(colon + 1);
  const factory = engines.get(name);
  if (!factory) {
    throw new StoreError('EINVAL', `unknown storage "${spec}": want one of ${storeEngines().map((n) => `${n}[:…]`).join(', ')}`);
  }
  return factory(arg, dataDir, opts);
}
