/**
 * An in-memory KubeClient for unit tests of controller wiring (NOT an API server): objects keyed
 * by resource/namespace/name, a global revision, watches from a revision, generateName, uid,
 * generation, optimistic concurrency, status subresource, pods/binding, merge and JSON patch.
 */
import { randomUUID } from 'node:crypto';
import fjp from 'fast-json-patch';
import type { KObject } from '../../meta/types.js';
import { ApiError } from '../../client/errors.js';
import type { ApiWatchEvent, CreateOptions, DeleteOptions, KubeClient, ListOptions, ListResult, ResourceRef } from '../../client/types.js';

const KIND: Record<string, [string, string]> = {
  pods: ['v1', 'Pod'], nodes: ['v1', 'Node'], services: ['v1', 'Service'], endpoints: ['v1', 'Endpoints'], events: ['v1', 'Event'],
  namespaces: ['v1', 'Namespace'], configmaps: ['v1', 'ConfigMap'], endpointslices: ['discovery.k8s.io/v1', 'EndpointSlice'],
  deployments: ['apps/v1', 'Deployment'], replicasets: ['apps/v1', 'ReplicaSet'],
};

function clone<T>(o: T): T { return o === undefined ? o : JSON.parse(JSON.stringify(o)) as T; }
function err(code: number, reason: string, message: string): ApiError { return new ApiError(code, { kind: 'Status', status: 'Failure', reason, code, message }); }

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k]; else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class MemApi implements KubeClient {
  rev = 1;
  private readonly objs = new Map<string, KObject>();
  private readonly log: { rev: number; res: string; ev: ApiWatchEvent<KObject> }[] = [];
  private readonly waiters = new Set<() => void>();
  private seq = 0;
  calls: string[] = [];

  private k(res: string, ns: string | undefined, name: string): string { return `${res}|${ns ?? ''}|${name}`; }

  private emit(res: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KObject): void {
    this.log.push({ rev: this.rev, res, ev: { type, object: clone(obj) } });
    for (const w of [...this.waiters]) w();
  }

  async get<T extends KObject>(ref: ResourceRef, name: string): Promise<T> {
    const o = this.objs.get(this.k(ref.resource, ref.namespace, name));
    if (!o) throw err(404, 'NotFound', `${ref.resource} "${name}" not found`);
    return clone(o) as T;
  }

  async list<T extends KObject>(ref: ResourceRef, _o?: ListOptions): Promise<ListResult<T>> {
    const items = [...this.objs.entries()].filter(([k]) => k.startsWith(`${ref.resource}|${ref.namespace ?? ''}`)).map(([, v]) => clone(v) as T);
    return { items, resourceVersion: String(this.rev) };
  }

  async create<T extends KObject>(ref: ResourceRef, obj: T, opts?: CreateOptions): Promise<T> {
    this.calls.push(`create ${ref.resource}${opts?.subresource ? '/' + opts.subresource : ''}`);
    if (opts?.subresource === 'binding') {
      const pod = this.objs.get(this.k('pods', ref.namespace, opts.name!));
      if (!pod) throw err(404, 'NotFound', `pods "${opts.name}" not found`);
      if ((pod.spec as { nodeName?: string }).nodeName) throw err(409, 'Conflict', `pod ${opts.name} is already assigned`);
      const target = (obj as unknown as { target: { name: string } }).target.name;
      const upd = { ...pod, spec: { ...(pod.spec as object), nodeName: target } };
      return this.store(ref.resource === 'pods' ? 'pods' : ref.resource, upd, 'MODIFIED') as unknown as T;
    }
    const o = clone(obj) as KObject;
    const [apiVersion, kind] = KIND[ref.resource] ?? ['v1', 'Unknown'];
    o.apiVersion = apiVersion; o.kind = kind;
    o.metadata = { ...o.metadata, namespace: ref.namespace };
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${(++this.seq).toString(36).padStart(5, 'x')}`;
    if (!o.metadata.name) throw err(422, 'Invalid', 'metadata.name: Required value');
    if (this.objs.has(this.k(ref.resource, ref.namespace, o.metadata.name))) throw err(409, 'AlreadyExists', `${ref.resource} "${o.metadata.name}" already exists`);
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = new Date(Date.now() + this.seq).toISOString();
    o.metadata.generation = 1;
    return this.store(ref.resource, o, 'ADDED') as T;
  }

  private store(res: string, o: KObject, type: 'ADDED' | 'MODIFIED'): KObject {
    o.metadata.resourceVersion = String(++this.rev);
    this.objs.set(this.k(res, o.metadata.namespace, o.metadata.name!), clone(o));
    this.emit(res, type, o);
    return clone(o);
  }

  async update<T extends KObject>(ref: ResourceRef, obj: T, subresource?: string): Promise<T> {
    this.calls.push(`update ${ref.resource}${subresource ? '/' + subresource : ''}`);
    const cur = this.objs.get(this.k(ref.resource, ref.namespace, obj.metadata.name!));
    if (!cur) throw err(404, 'NotFound', `${ref.resource} "${obj.metadata.name}" not found`);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw err(409, 'Conflict', `Operation cannot be fulfilled on ${ref.resource} "${obj.metadata.name}": the object has been modified`);
    }
    let next: KObject;
    if (subresource === 'status') next = { ...clone(cur), status: clone(obj.status) };
    else {
      next = { ...clone(obj), status: clone(cur.status), metadata: { ...clone(obj.metadata), uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp, generation: cur.metadata.generation } };
      if (JSON.stringify(obj.spec) !== JSON.stringify(cur.spec)) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    }
    return this.store(ref.resource, next, 'MODIFIED') as T;
  }

  async patch<T extends KObject>(ref: ResourceRef, name: string, patch: unknown, type: 'merge' | 'json' | 'strategic', subresource?: string): Promise<T> {
    const cur = this.objs.get(this.k(ref.resource, ref.namespace, name));
    if (!cur) throw err(404, 'NotFound', `${ref.resource} "${name}" not found`);
    let next: KObject;
    if (type === 'json') {
      try { next = fjp.applyPatch(clone(cur), patch as fjp.Operation[], true, false).newDocument; } catch (e) { throw err(422, 'Invalid', (e as Error).message); }
    } else next = mergePatch(clone(cur), patch) as KObject;
    if (subresource === 'status') next = { ...clone(cur), status: next.status };
    else if (JSON.stringify(next.spec) !== JSON.stringify(cur.spec)) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    return this.update<T>(ref, { ...next, metadata: { ...next.metadata, resourceVersion: cur.metadata.resourceVersion } } as T, subresource === 'status' ? 'status' : undefined);
  }

  async delete(ref: ResourceRef, name: string, opts?: DeleteOptions): Promise<void> {
    this.calls.push(`delete ${ref.resource}`);
    const key = this.k(ref.resource, ref.namespace, name);
    const cur = this.objs.get(key);
    if (!cur) throw err(404, 'NotFound', `${ref.resource} "${name}" not found`);
    if (opts?.preconditions?.uid && opts.preconditions.uid !== cur.metadata.uid) throw err(409, 'Conflict', 'uid precondition failed');
    this.objs.delete(key);
    this.rev++;
    this.emit(ref.resource, 'DELETED', { ...cur, metadata: { ...cur.metadata, resourceVersion: String(this.rev) } });
  }

  async *watch<T extends KObject>(ref: ResourceRef, opts: ListOptions & { resourceVersion: string }, signal: AbortSignal): AsyncIterable<ApiWatchEvent<T>> {
    let from = Number(opts.resourceVersion);
    while (!signal.aborted) {
      const evs = this.log.filter((e) => e.rev > from && e.res === ref.resource && (!ref.namespace || e.ev.object.metadata.namespace === ref.namespace));
      for (const e of evs) { from = e.rev; yield clone(e.ev) as ApiWatchEvent<T>; }
      if (!evs.length) {
        await new Promise<void>((r) => {
          const w = (): void => { this.waiters.delete(w); signal.removeEventListener('abort', w); r(); };
          this.waiters.add(w);
          signal.addEventListener('abort', w, { once: true });
        });
      }
    }
  }

  /** Objects of a resource (test helper). */
  all<T extends KObject>(res: string, ns?: string): T[] {
    return [...this.objs.entries()].filter(([k]) => k.startsWith(`${res}|${ns ?? ''}`)).map(([, v]) => clone(v) as T);
  }
}
