import type { KObject } from '../meta/types.js';

/** Where and how to reach the API: from a kubeconfig, or a unix socket with a client cert. */
export interface ClientConfig {
  server: string;                 // https://127.0.0.1:6443 or unix:///run/podnet/lab/api
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  userAgent?: string;
  /** Don't verify the server certificate (kubeconfig insecure-skip-tls-verify). */
  insecureSkipTlsVerify?: boolean;
  /** Per-request timeout for non-watch requests, ms (default 30000). */
  timeoutMs?: number;
}

export interface ListOptions { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string; resourceVersion?: string }
export interface ListResult<T> { items: T[]; resourceVersion: string; continue?: string }
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface ApiWatchEvent<T> { type: WatchEventType; object: T }

export interface CreateOptions { name?: string; subresource?: string; fieldManager?: string }
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** A resource reference: group/version/resource plus the namespace for namespaced kinds. */
export interface ResourceRef { group: string; version: string; resource: string; namespace?: string }

/** The one HTTP client to the API (src/client/). Every daemon and CLI command uses it. */
export interface KubeClient {
  get<T extends KObject>(ref: ResourceRef, name: string): Promise<T>;
  list<T extends KObject>(ref: ResourceRef, opts?: ListOptions): Promise<ListResult<T>>;
  /** POST to the collection; with `opts.name` + `opts.subresource` POST to `…/NAME/SUBRESOURCE` (e.g. pods/binding). */
  create<T extends KObject>(ref: ResourceRef, obj: T, opts?: CreateOptions): Promise<T>;
  update<T extends KObject>(ref: ResourceRef, obj: T, subresource?: string): Promise<T>;
  patch<T extends KObject>(ref: ResourceRef, name: string, patch: unknown, type: 'merge' | 'json' | 'strategic', subresource?: string): Promise<T>;
  delete(ref: ResourceRef, name: string, opts?: DeleteOptions): Promise<void>;
  watch<T extends KObject>(ref: ResourceRef, opts: ListOptions & { resourceVersion: string; allowWatchBookmarks?: boolean }, signal: AbortSignal): AsyncIterable<ApiWatchEvent<T>>;
}

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** list + watch + cache; re-lists on 410 Gone; `synced` resolves after the first list. */
export interface Informer<T extends KObject> {
  start(signal: AbortSignal): Promise<void>;
  synced(): Promise<void>;
  list(): T[];
  get(namespace: string | undefined, name: string): T | undefined;
  on(h: InformerHandlers<T>): void;
}
