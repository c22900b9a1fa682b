/**
 * The API server's Prometheus metrics, with kube-apiserver's names and labels:
 * apiserver_request_total / apiserver_request_duration_seconds per verb and resource,
 * etcd_request_duration_seconds per storage operation and resource type, and
 * apiserver_storage_objects counted from the store when scraped.
 */
import { Counter, Gauge, Histogram, Registry as PromRegistry } from 'prom-client';
import { allKinds } from '../kinds/index.js';
import type { KindSemantics } from '../kinds/types.js';
import type { Store } from '../storage/store.js';
import { storageKey } from './registry.js';
import { parseRoute } from './routes.js';

/** What a request did, in the labels upstream's request metrics use. */
export interface RequestInfo { verb: string; group: string; version: string; resource: string; subresource: string; scope: string }

/** Upstream's metric verb: GET/LIST/WATCH/POST/PUT/PATCH/DELETE/CONNECT (uppercase). */
export function requestInfo(method: string, url: URL, upgrade = false): RequestInfo {
  const r = parseRoute(url.pathname.replace(/\/+$/, '') || '/');
  const m = method.toUpperCase();
  if (r.type !== 'resource') {
    const info = r.type === 'unknownResource' ? { group: r.group, version: r.version, resource: r.resource } : { group: '', version: '', resource: '' };
    return { verb: m, ...info, subresource: '', scope: '' };
  }
  const k = r.kind;
  const watch = r.watchPrefix || url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  let verb = m;
  if (upgrade || r.subresource === 'exec') verb = 'CONNECT';
  else if (m === 'GET' && r.name === undefined) verb = watch ? 'WATCH' : 'LIST';
  else if (m === 'GET' && watch) verb = 'WATCH';
  const scope = r.name !== undefined ? 'resource' : k.namespaced && r.namespace ? 'namespace' : 'cluster';
  return { verb, group: k.group, version: k.version, resource: k.resource, subresource: r.subresource ?? '', scope };
}

const REQUEST_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const ETCD_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const REQ_LABELS = ['verb', 'group', 'version', 'resource', 'subresource', 'scope'] as const;

/** `resource` or `resource.group`, as upstream names a resource in storage metrics. */
const qualified = (k: KindSemantics): string => (k.group ? `${k.resource}.${k.group}` : k.resource);

export class ApiMetrics {
  readonly registry = new PromRegistry();
  readonly requests = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.', labelNames: [...REQ_LABELS, 'component', 'code'], registers: [this.registry] });
  readonly duration = new Histogram({ name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.', labelNames: [...REQ_LABELS, 'component'], buckets: REQUEST_BUCKETS, registers: [this.registry] });
  readonly etcd = new Histogram({ name: 'etcd_request_duration_seconds', help: 'Etcd request latency in seconds for each operation and object type.', labelNames: ['operation', 'type'], buckets: ETCD_BUCKETS, registers: [this.registry] });
  private readonly prefixes: { prefix: string; type: string }[];

  constructor(private readonly store?: Store, kinds: readonly KindSemantics[] = allKinds) {
    // longest prefix first, so /registry/apps/deployments/ wins over a shorter match
    this.prefixes = kinds.map((k) => ({ prefix: storageKey(k, undefined), type: qualified(k) })).sort((a, b) => b.prefix.length - a.prefix.length);
    const self = this;
    new Gauge({
      name: 'apiserver_storage_objects', help: 'Number of stored objects at the time of last check split by kind.', labelNames: ['resource'], registers: [this.registry],
      async collect() {
        if (!self.store) return;
        for (const p of self.prefixes) this.set({ resource: p.type }, await self.store.count(p.prefix).catch(() => -1));
      },
    });
  }

  /** Records one finished request (long-running WATCH/CONNECT are counted but not timed, as upstream). */
  observeRequest(info: RequestInfo, code: number, seconds: number): void {
    const labels = { verb: info.verb, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, scope: info.scope, component: 'apiserver' };
    this.requests.inc({ ...labels, code: String(code) });
    if (info.verb !== 'WATCH' && info.verb !== 'CONNECT') this.duration.observe(labels, seconds);
  }

  /** The resource type a storage key belongs to (`pods`, `deployments.apps`), or the key's first segments. */
  typeOfKey(key: string): string {
    const hit = this.prefixes.find((p) => key.startsWith(p.prefix));
    return hit ? hit.type : key.split('/').slice(0, 3).join('/');
  }

  /** The store with each call timed into etcd_request_duration_seconds. */
  instrument(store: Store): Store {
    const time = <T>(operation: string, key: string, run: () => Promise<T>): Promise<T> => {
      const end = this.etcd.startTimer({ operation, type: this.typeOfKey(key) });
      return run().finally(() => { end(); });
    };
    return {
      get: (key) => time('get', key, () => store.get(key)),
      list: (prefix, opts) => time('list', prefix, () => store.list(prefix, opts)),
      count: (prefix) => time('listWithCount', prefix, () => store.count(prefix)),
      create: (key, value) => time('create', key, () => store.create(key, value)),
      update: (key, value, rev) => time('update', key, () => store.update(key, value, rev)),
      delete: (key, rev) => time('delete', key, () => store.delete(key, rev)),
      watch: (prefix, from, signal) => store.watch(prefix, from, signal),
      currentRevision: () => store.currentRevision(),
      compact: (rev) => store.compact(rev),
      close: () => store.close(),
    };
  }
}
