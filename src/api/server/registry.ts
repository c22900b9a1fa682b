import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KindSemantics, KObject } from '../kinds/types.js';
import { invalidMessage } from '../kinds/index.js';
import { normalizeTimes } from '../../util/time.js';
import { StoreError, type Entry, type Store, type WatchEvent } from '../storage/store.js';
import { alreadyExists, badRequest, conflict, gone, invalid, notFound, ApiStatusError } from './status.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector, type FieldRequirement, type Requirement } from './selectors.js';

/** Per-kind behaviour beyond KindSemantics that needs storage (allocation, graceful deletion, …). */
export interface KindHooks {
  /** Before the store write on create; return an undo for when the write fails. */
  beforeCreate?(obj: KObject): HookResult | Promise<HookResult>;
  /** Before the store write on update (old → new). */
  beforeUpdate?(obj: KObject, old: KObject): HookResult | Promise<HookResult>;
  /** After the object is gone from the store. */
  afterDelete?(obj: KObject): void | Promise<void>;
}

/** What a before-write hook did: undo it (the write failed) or settle it (the write succeeded). */
export interface HookResult { rollback(): void | Promise<void>; commit(): void | Promise<void> }

export interface ListOpts { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string; resourceVersion?: string }
export interface ListOut { items: KObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number }
export interface WriteOpts { dryRun?: boolean }
export type ApiWatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KObject };

const enc = new TextEncoder();
const dec = new TextDecoder();

export function storageKey(k: KindSemantics, ns: string | undefined, name?: string): string {
  const base = `/registry/${k.group ? `${k.group}/` : ''}${k.resource}/`;
  if (!k.namespaced) return name === undefined ? base : base + name;
  if (ns === undefined) return base;
  return name === undefined ? `${base}${ns}/` : `${base}${ns}/${name}`;
}

function decode(e: Entry): KObject {
  const o = JSON.parse(dec.decode(e.value)) as KObject;
  o.metadata.resourceVersion = String(e.modRevision);
  return o;
}
function encode(o: KObject): Uint8Array {
  const copy = { ...o, metadata: { ...o.metadata } };
  delete copy.metadata.resourceVersion;
  return enc.encode(JSON.stringify(copy));
}

/**
 * The listed JSON of a stored object without decoding it: the stored bytes are the object's JSON
 * without metadata.resourceVersion (encode above); when they begin with exactly `head`
 * (`{"apiVersion":…,"kind":…,"metadata":{`, so that metadata is the top-level one and the type
 * is the kind's) the resourceVersion is spliced in as metadata's first field. Undefined when the
 * bytes begin otherwise (the caller decodes and re-encodes).
 */
function splicedJson(head: Buffer, e: Entry): Buffer | undefined {
  const v = e.value;
  if (v.length <= head.length || !head.equals(v.subarray(0, head.length))) return undefined;
  const empty = v[head.length] === 0x7d; // '}': metadata {} (no comma after the spliced field)
  const rv = Buffer.from(`"resourceVersion":"${e.modRevision}"${empty ? '' : ','}`);
  return Buffer.concat([head, rv, v.subarray(head.length)], head.length + rv.length + v.length - head.length);
}

/** The parts of an object that make up its "spec" for generation purposes (all but metadata and status). */
function specOf(o: KObject): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  void _m; void _s; void _a; void _k;
  return rest;
}

/** Finalizers that keep a deleted object terminating: metadata.finalizers, and a Namespace's spec.finalizers. */
function pendingFinalizers(k: KindSemantics, o: KObject): boolean {
  if (o.metadata.finalizers?.length) return true;
  if (k.kind === 'Namespace' && k.group === '') return !!((o.spec as { finalizers?: string[] } | undefined)?.finalizers?.length);
  return false;
}

/** Kinds the garbage collector watches as owners (src/controllers/gc.ts): they honour Foreground and Orphan. */
const GC_OWNERS = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/DaemonSet', 'apps/StatefulSet', 'batch/Job', '/Pod', '/Service', '/Node']);
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/**
 * The finalizers an object gets from a delete with `policy` (upstream's
 * deletionFinalizersForGarbageCollection): Foreground adds foregroundDeletion, Orphan adds orphan,
 * Background removes both. Undefined when the delete leaves them as they are.
 */
export function gcFinalizers(k: KindSemantics, current: string[] | undefined, policy: string | undefined): string[] | undefined {
  if (!policy || !GC_OWNERS.has(`${k.group}/${k.kind}`)) return undefined;
  const rest = (current ?? []).filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
  if (policy === 'Foreground') return [...rest, FOREGROUND_FINALIZER];
  if (policy === 'Orphan') return [...rest, ORPHAN_FINALIZER];
  if (policy === 'Background') return rest;
  throw badRequest(`invalid propagationPolicy: ${JSON.stringify(policy)}: must be one of Orphan, Background, Foreground`);
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const b = randomBytes(5);
  return [...b].map((x) => alphabet[x % alphabet.length]).join('');
}

function mapStoreError(e: unknown, k: KindSemantics, name: string): never {
  if (e instanceof StoreError) {
    if (e.code === 'EEXIST') throw alreadyExists(k, name);
    if (e.code === 'ENOENT') throw notFound(k, name);
    if (e.code === 'ECONFLICT') throw conflict(k, name);
    if (e.code === 'ECOMPACTED') throw gone(`too old resource version: ${e.message}`);
    if (e.code === 'EUNAVAILABLE') throw new ApiStatusError(503, 'ServiceUnavailable', `storage unavailable: ${e.message}`);
  }
  throw e;
}

/**
 * Generic REST storage for every kind: the API machinery (uid, generateName, timestamps,
 * generation, resourceVersion = store revision, optimistic concurrency, selectors, chunking, watch).
 */
export class Registry {
  constructor(private readonly store: Store, private readonly hooks: (k: KindSemantics) => KindHooks) {}

  apiVersionOf(k: KindSemantics): string { return k.group ? `${k.group}/${k.version}` : k.version; }

  private withTypeMeta(k: KindSemantics, o: KObject): KObject {
    o.apiVersion = this.apiVersionOf(k);
    o.kind = k.kind;
    return o;
  }

  async get(k: KindSemantics, ns: string | undefined, name: string): Promise<KObject> {
    let e: Entry | undefined;
    try { e = await this.store.get(storageKey(k, ns, name)); } catch (err) { mapStoreError(err, k, name); }
    if (!e) throw notFound(k, name);
    return this.withTypeMeta(k, decode(e));
  }

  async tryGet(k: KindSemantics, ns: string | undefined, name: string): Promise<KObject | undefined> {
    const e = await this.store.get(storageKey(k, ns, name));
    return e ? this.withTypeMeta(k, decode(e)) : undefined;
  }

  filters(k: KindSemantics, o: ListOpts): { labels: Requirement[]; fields: FieldRequirement[] } {
    const labels = parseLabelSelector(o.labelSelector);
    const fields = parseFieldSelector(o.fieldSelector);
    const probe = k.selectableFields({ apiVersion: '', kind: k.kind, metadata: { name: '', namespace: '' } });
    for (const f of fields) {
      if (!(f.field in probe) && f.field !== 'metadata.name' && f.field !== 'metadata.namespace') {
        throw badRequest(`field label not supported: ${f.field}`);
      }
    }
    return { labels, fields };
  }

  matches(k: KindSemantics, o: KObject, f: { labels: Requirement[]; fields: FieldRequirement[] }): boolean {
    if (!matchLabels(f.labels, o.metadata.labels)) return false;
    if (!f.fields.length) return true;
    const vals = { 'metadata.name': o.metadata.name ?? '', 'metadata.namespace': o.metadata.namespace ?? '', ...k.selectableFields(o) };
    return matchFields(f.fields, vals);
  }

  async list(k: KindSemantics, ns: string | undefined, o: ListOpts = {}): Promise<ListOut> {
    const f = this.filters(k, o);
    const items: KObject[] = [];
    const page = await this.scan(k, ns, o, (e) => {
      const obj = this.withTypeMeta(k, decode(e));
      if (!this.matches(k, obj, f)) return false;
      items.push(obj);
      return true;
    });
    return { items, ...page };
  }

  /**
   * A list without selectors as each item's JSON bytes, spliced from the stored JSON without a
   * decode and re-encode (what `list` + JSON.stringify would give, resourceVersion first in
   * metadata): the path of big JSON lists (kubectl -o json, informers' pages). Undefined when
   * the options carry a selector (those need the decoded objects).
   */
  async listJson(k: KindSemantics, ns: string | undefined, o: ListOpts = {}): Promise<(Omit<ListOut, 'items'> & { items: Buffer[] }) | undefined> {
    if (o.labelSelector || o.fieldSelector) return undefined;
    const items: Buffer[] = [];
    const head = Buffer.from(`{"apiVersion":${JSON.stringify(this.apiVersionOf(k))},"kind":${JSON.stringify(k.kind)},"metadata":{`);
    const page = await this.scan(k, ns, o, (e) => {
      items.push(splicedJson(head, e) ?? Buffer.from(JSON.stringify(this.withTypeMeta(k, decode(e)))));
      return true;
    });
    return { items, ...page };
  }

  /**
   * Walks the kind's keys from the continue token (or the start) at one revision, handing each
   * entry to `take` (true = it is in the result) until `limit` were taken; returns the list's
   * resourceVersion and the continue token when more may follow.
   */
  private async scan(k: KindSemantics, ns: string | undefined, o: ListOpts, take: (e: Entry) => boolean): Promise<Omit<ListOut, 'items'>> {
    const prefix = storageKey(k, ns);
    let startKey: string | undefined;
    let revision: number | undefined;
    if (o.continue) {
      try {
        const t = JSON.parse(Buffer.from(o.continue, 'base64url').toString()) as { rv: number; start: string };
        startKey = t.start; revision = t.rv;
        if (!startKey.startsWith(prefix)) throw new Error('wrong prefix');
      } catch {
        throw badRequest('continue key is not valid: invalid continue token');
      }
    }
    const limit = o.limit && o.limit > 0 ? o.limit : undefined;
    let taken = 0;
    let more = false;
    let storeRev = 0;
    let cursor = startKey;
    // Fetch pages until `limit` matching items are found (selectors filter after the read).
    for (;;) {
      let page: { items: Entry[]; revision: number; more: boolean };
      try {
        page = await this.store.list(prefix, { limit: limit ? Math.max(limit, 100) : undefined, startKey: cursor, revision });
      } catch (e) { mapStoreError(e, k, ''); }
      storeRev = revision ?? page.revision;
      revision = storeRev;
      let lastKey = cursor;
      for (const e of page.items) {
        lastKey = e.key;
        if (!take(e)) continue;
        taken++;
        if (limit && taken >= limit) break;
      }
      const stoppedEarly = limit !== undefined && taken >= limit && lastKey !== page.items[page.items.length - 1]?.key;
      if (limit && taken >= limit) {
        more = stoppedEarly || page.more;
        cursor = lastKey;
        break;
      }
      if (!page.more) { more = false; break; }
      cursor = page.items.length ? page.items[page.items.length - 1]!.key + '\u0000' : cursor;
    }
    const out: Omit<ListOut, 'items'> = { resourceVersion: String(storeRev) };
    if (more && cursor !== undefined) out.continue = Buffer.from(JSON.stringify({ rv: storeRev, start: cursor + '\u0000' })).toString('base64url');
    return out;
  }

  /** Validates and fills server-set metadata; throws 422 with the causes. */
  /**
   * Defaulting walks the object as its schema says; a field of the wrong type (a number where a
   * list belongs) trips it. Then validation names the field (422); when it has nothing to say, the
   * answer is a 400 rather than an internal error.
   */
  private defaultOrThrow(k: KindSemantics, obj: KObject, old?: KObject): void {
    try { k.defaults(obj); } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      this.validateOrThrow(k, obj, old);
      throw badRequest(`${k.kind} "${obj.metadata?.name ?? ''}": a field has the wrong type for its schema`);
    }
  }

  private validateOrThrow(k: KindSemantics, obj: KObject, old?: KObject): void {
    const errs = k.validate(obj, old);
    if (errs.length) {
      const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
      throw invalid(k.kind, k.group, name, errs, invalidMessage(k.kind, name, errs));
    }
  }

  async create(k: KindSemantics, ns: string | undefined, obj: KObject, opts: WriteOpts = {}): Promise<KObject> {
    obj = this.withTypeMeta(k, structuredClone(obj));
    obj.metadata ??= {};
    const m = obj.metadata;
    if (k.namespaced) {
      if (m.namespace && ns && m.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      m.namespace = ns ?? m.namespace ?? 'default';
    } else delete m.namespace;
    if (!m.name && m.generateName) m.name = m.generateName + randomSuffix();
    delete m.resourceVersion; delete m.uid; delete m.deletionTimestamp; delete m.deletionGracePeriodSeconds;
    m.creationTimestamp = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    m.uid = randomUUID();
    if (k.hasGeneration) m.generation = 1; else delete m.generation;
    this.defaultOrThrow(k, obj);
    normalizeTimes(obj);
    this.validateOrThrow(k, obj);
    const hook = await this.hooks(k).beforeCreate?.(obj);
    if (opts.dryRun) { await hook?.rollback(); return obj; }
    let rev: number;
    try {
      rev = await this.store.create(storageKey(k, m.namespace, m.name), encode(obj));
    } catch (e) {
      await hook?.rollback();
      mapStoreError(e, k, m.name ?? '');
    }
    await hook?.commit();
    m.resourceVersion = String(rev);
    return obj;
  }

  /**
   * Writes `next` over the stored object (optimistic concurrency on `expectRV`, or on what was
   * read when none is given). `mutate` receives the current object and returns the new one.
   * A write that changes nothing is skipped (resourceVersion stays).
   */
  async update(k: KindSemantics, ns: string | undefined, name: string, mutate: (cur: KObject) => KObject | Promise<KObject>, opts: WriteOpts & { expectRV?: string; subresource?: string; retries?: number } = {}): Promise<KObject> {
    for (let attempt = 0; ; attempt++) {
      const key = storageKey(k, ns, name);
      let e: Entry | undefined;
      try { e = await this.store.get(key); } catch (err) { mapStoreError(err, k, name); }
      if (!e) throw notFound(k, name);
      const cur = this.withTypeMeta(k, decode(e));
      let next = this.withTypeMeta(k, structuredClone(await mutate(structuredClone(cur))));
      next.metadata ??= {};
      if (opts.expectRV && opts.expectRV !== cur.metadata.resourceVersion) throw conflict(k, name);
      // Fields the client may not change.
      const nm = next.metadata;
      if (nm.name !== undefined && nm.name !== name) throw badRequest(`the name of the object (${nm.name}) does not match the name on the URL (${name})`);
      nm.name = name;
      if (k.namespaced) nm.namespace = cur.metadata.namespace; else delete nm.namespace;
      nm.uid = cur.metadata.uid;
      nm.creationTimestamp = cur.metadata.creationTimestamp;
      if (cur.metadata.deletionTimestamp) { nm.deletionTimestamp = cur.metadata.deletionTimestamp; nm.deletionGracePeriodSeconds = cur.metadata.deletionGracePeriodSeconds; }
      else { delete nm.deletionTimestamp; delete nm.deletionGracePeriodSeconds; }
      if (k.subresources.includes('status')) {
        if (opts.subresource === 'status') {
          // Status writes change status (and may touch labels/annotations? upstream: no) only.
          next = { ...cur, status: next.status, metadata: { ...cur.metadata, ...(next.metadata.managedFields !== undefined ? { managedFields: next.metadata.managedFields } : {}) } };
        } else if (opts.subresource !== 'binding') {
          next.status = cur.status;
          if (next.status === undefined) delete next.status;
        }
      }
      if (k.hasGeneration) {
        nm.generation = cur.metadata.generation ?? 1;
        if (!isDeepStrictEqual(specOf(next), specOf(cur))) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
      }
      next.metadata.resourceVersion = cur.metadata.resourceVersion;
      this.defaultOrThrow(k, next, cur);
      normalizeTimes(next);
      this.validateOrThrow(k, next, cur);
      if (isDeepStrictEqual(next, cur)) return cur;
      // A terminating object whose last finalizer went away is deleted now.
      if (next.metadata.deletionTimestamp && !pendingFinalizers(k, next) && !this.waitsForKubelet(k, next)) {
        if (opts.dryRun) return next;
        try { await this.store.delete(key, e.modRevision); } catch (err) { if (attempt < (opts.retries ?? 0) && err instanceof StoreError && err.code === 'ECONFLICT') continue; mapStoreError(err, k, name); }
        await this.hooks(k).afterDelete?.(next);
        return next;
      }
      const hook = await this.hooks(k).beforeUpdate?.(next, cur);
      if (opts.dryRun) { await hook?.rollback(); return next; }
      let rev: number;
      try {
        rev = await this.store.update(key, encode(next), e.modRevision);
      } catch (err) {
        await hook?.rollback();
        if (attempt < (opts.retries ?? 0) && err instanceof StoreError && err.code === 'ECONFLICT') continue;
        mapStoreError(err, k, name);
      }
      await hook?.commit();
      next.metadata.resourceVersion = String(rev);
      return next;
    }
  }

  /** Pods bound to a node stay (terminating) until the kubelet confirms with a zero-grace delete. */
  private waitsForKubelet(k: KindSemantics, o: KObject): boolean {
    return k.kind === 'Pod' && k.group === '' && !!(o.spec as { nodeName?: string } | undefined)?.nodeName && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  /**
   * Deletes with upstream's semantics: finalizers keep the object (terminating) until cleared;
   * bound pods are deleted gracefully (deletionTimestamp + grace) until the kubelet confirms.
   * Returns the object as it was deleted (or as it now stands, terminating).
   */
  async delete(k: KindSemantics, ns: string | undefined, name: string, opts: WriteOpts & { gracePeriodSeconds?: number; preconditionRV?: string; preconditionUID?: string; propagationPolicy?: string } = {}): Promise<{ obj: KObject; deleted: boolean }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const key = storageKey(k, ns, name);
      const e = await this.store.get(key).catch((err: unknown) => mapStoreError(err, k, name));
      if (!e) throw notFound(k, name);
      const stored = this.withTypeMeta(k, decode(e));
      if (opts.preconditionRV && opts.preconditionRV !== stored.metadata.resourceVersion) throw conflict(k, name);
      if (opts.preconditionUID && opts.preconditionUID !== stored.metadata.uid) throw conflict(k, name);
      // Foreground / Orphan propagation: a finalizer the garbage collector removes when done.
      const fins = gcFinalizers(k, stored.metadata.finalizers, opts.propagationPolicy);
      const cur = fins === undefined ? stored : { ...stored, metadata: { ...stored.metadata, ...(fins.length ? { finalizers: fins } : {}) } };
      if (fins !== undefined && !fins.length) delete cur.metadata.finalizers;
      const isPod = k.kind === 'Pod' && k.group === '';
      const bound = isPod && !!(cur.spec as { nodeName?: string } | undefined)?.nodeName;
      const defGrace = isPod ? ((cur.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? 30) : 0;
      let grace = opts.gracePeriodSeconds ?? defGrace;
      if (!bound) grace = 0;
      const graceful = bound && grace > 0;
      if (pendingFinalizers(k, cur) || graceful) {
        const next = structuredClone(cur);
        const now = Date.now();
        const alreadyAt = cur.metadata.deletionTimestamp ? Date.parse(cur.metadata.deletionTimestamp) : undefined;
        const at = new Date(Math.floor((now + grace * 1000) / 1000) * 1000);
        if (!alreadyAt || at.getTime() < alreadyAt) {
          next.metadata.deletionTimestamp = at.toISOString().replace('.000Z', 'Z');
          next.metadata.deletionGracePeriodSeconds = grace;
        } else if ((cur.metadata.deletionGracePeriodSeconds ?? 0) > grace) {
          next.metadata.deletionGracePeriodSeconds = grace;
        }
        if (isPod && !graceful) next.metadata.deletionGracePeriodSeconds = 0;
        if (k.kind === 'Namespace' && k.group === '') next.status = { ...(next.status as object | undefined), phase: 'Terminating' };
        if (isDeepStrictEqual(next, stored)) return { obj: stored, deleted: false };
        if (opts.dryRun) return { obj: next, deleted: false };
        try {
          const rev = await this.store.update(key, encode(next), e.modRevision);
          next.metadata.resourceVersion = String(rev);
          return { obj: next, deleted: false };
        } catch (err) {
          if (err instanceof StoreError && err.code === 'ECONFLICT') continue;
          mapStoreError(err, k, name);
        }
      }
      if (opts.dryRun) return { obj: cur, deleted: true };
      try {
        await this.store.delete(key, e.modRevision);
      } catch (err) {
        if (err instanceof StoreError && err.code === 'ECONFLICT') continue;
        mapStoreError(err, k, name);
      }
      await this.hooks(k).afterDelete?.(cur);
      return { obj: cur, deleted: true };
    }
    throw conflict(k, name);
  }

  async currentRevision(): Promise<number> { return this.store.currentRevision(); }

  /**
   * Watch events for the kind (optionally one namespace) after `fromRV`, filtered by selectors
   * with upstream's transitions (an object leaving the selection is DELETED, entering is ADDED).
   */
  async *watch(k: KindSemantics, ns: string | undefined, fromRV: number, f: { labels: Requirement[]; fields: FieldRequirement[] }, signal: AbortSignal, bookmarks: boolean): AsyncIterable<ApiWatchEvent> {
    const prefix = storageKey(k, ns);
    let it: AsyncIterable<import('../storage/store.js').WatchEvent>;
    try { it = this.store.watch(prefix, fromRV, signal); } catch (e) { mapStoreError(e, k, ''); }
    try {
      for await (const ev of it) {
        if (ev.type === 'progress') {
          if (bookmarks) yield { type: 'BOOKMARK', object: { apiVersion: this.apiVersionOf(k), kind: k.kind, metadata: { resourceVersion: String(ev.revision) } } };
          continue;
        }
        const d = this.decodedEvent(k, ev);
        if (!d.obj) continue;
        if (ev.type === 'put') {
          const now = this.matches(k, d.obj, f);
          const before = d.prev ? this.matches(k, d.prev, f) : false;
          if (now && before) yield { type: 'MODIFIED', object: d.obj };
          else if (now) yield { type: 'ADDED', object: d.obj };
          else if (before) yield { type: 'DELETED', object: d.obj };
        } else if (this.matches(k, d.obj, f)) yield { type: 'DELETED', object: d.obj };
      }
    } catch (e) {
      if (signal.aborted) return;
      mapStoreError(e, k, '');
    }
  }

  /**
   * The objects of a store event, decoded once however many watchers receive it (a store fans
   * one event object out to every watch of its range, so 1,000 watchers cost one JSON.parse, not
   * 1,000). The objects are shared between watchers: read-only for every consumer.
   */
  private decodedEvent(k: KindSemantics, ev: Exclude<WatchEvent, { type: 'progress' }>): DecodedEvent {
    const hit = decodedEvents.get(ev);
    if (hit && hit.kind === k) return hit;
    let d: DecodedEvent;
    if (ev.type === 'put') {
      d = { kind: k, obj: this.withTypeMeta(k, decode(ev.entry)), prev: ev.prev ? this.withTypeMeta(k, decode(ev.prev)) : undefined };
    } else if (ev.prev) {
      const obj = this.withTypeMeta(k, decode(ev.prev));
      obj.metadata.resourceVersion = String(ev.revision);
      d = { kind: k, obj };
    } else d = { kind: k, obj: undefined };
    decodedEvents.set(ev, d);
    return d;
  }
}

interface DecodedEvent { kind: KindSemantics; obj: KObject | undefined; prev?: KObject }
/** Decoded objects per store event (weak: gone with the event once every watcher had it). */
const decodedEvents = new WeakMap<WatchEvent, DecodedEvent>();
