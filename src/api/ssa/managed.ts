/**
 * metadata.managedFields bookkeeping for every write, and server-side apply itself:
 * - `trackUpdate` records a non-apply write (create, update, patch) as an `Update` entry of its
 *   manager owning what it added or changed; other managers lose those fields;
 * - `applyConfiguration` merges an applied configuration into the live object, refuses (409) to
 *   change a field another manager owns unless forced, drops fields this manager applied before
 *   and no longer applies when no one else owns them, and records the `Apply` entry.
 * An entry's `time` changes only when its set does, so re-applying the same configuration is a
 * no-op write.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KObject } from '../kinds/types.js';
import { ApiStatusError } from '../server/status.js';
import { FieldSet, fieldSetOf, pathString, valueAt, type SetScope } from './fieldset.js';
import { mergeApplied, removePath } from './merge.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

interface Managed { entry: ManagedFieldsEntry; set: FieldSet }

export interface WriteIdentity {
  manager: string;
  apiVersion: string;
  /** '' for the main resource, 'status', 'scale', … */
  subresource: string;
  scope: SetScope;
  now?: Date;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const wholeSeconds = (d: Date): string => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** One conflict: the field (upstream path string) and the entry that owns it. */
export interface FieldConflict { path: string; elements: string[]; manager: string; operation: 'Apply' | 'Update'; apiVersion: string; subresource?: string }

function describeManager(c: FieldConflict): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') s += ` using ${c.apiVersion}`;
  return s;
}

/** 409 Conflict as kube-apiserver words it: `Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas`. */
export class ApplyConflictError extends ApiStatusError {
  constructor(readonly conflicts: FieldConflict[]) {
    super(409, 'Conflict', conflictMessage(conflicts), {
      causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c)}`, field: c.path })),
    });
  }
}

export function conflictMessage(cs: FieldConflict[]): string {
  if (cs.length === 1) return `Apply failed with 1 conflict: conflict with ${describeManager(cs[0]!)}: ${cs[0]!.path}`;
  const by = new Map<string, string[]>();
  for (const c of cs) {
    const m = describeManager(c);
    by.set(m, [...(by.get(m) ?? []), c.path]);
  }
  const lines: string[] = [];
  for (const m of [...by.keys()].sort()) {
    lines.push(`conflicts with ${m}:`);
    for (const p of by.get(m)!) lines.push(`- ${p}`);
  }
  return `Apply failed with ${cs.length} conflicts: ${lines.join('\n')}`;
}

/** Reads metadata.managedFields (malformed or empty entries are dropped). */
export function readManaged(obj: KObject | undefined): Managed[] {
  const raw = obj?.metadata?.managedFields;
  if (!Array.isArray(raw)) return [];
  const out: Managed[] = [];
  for (const e of raw) {
    if (!isObj(e) || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) continue;
    const entry: ManagedFieldsEntry = {
      manager: e.manager, operation: e.operation, apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      ...(typeof e.time === 'string' ? { time: e.time } : {}), fieldsType: 'FieldsV1', fieldsV1: isObj(e.fieldsV1) ? e.fieldsV1 : {},
      ...(typeof e.subresource === 'string' && e.subresource ? { subresource: e.subresource } : {}),
    };
    out.push({ entry, set: FieldSet.fromFieldsV1(entry.fieldsV1) });
  }
  return out;
}

/** Upstream's order: Apply before Update, then older first, then by manager and subresource. */
function writeManaged(obj: KObject, ms: Managed[]): void {
  const entries = ms.filter((m) => !m.set.empty).map((m) => ({ ...m.entry, fieldsV1: m.set.toFieldsV1() }));
  entries.sort((a, b) => (a.operation !== b.operation ? (a.operation < b.operation ? -1 : 1)
    : (a.time ?? '') !== (b.time ?? '') ? ((a.time ?? '') < (b.time ?? '') ? -1 : 1)
      : a.manager !== b.manager ? (a.manager < b.manager ? -1 : 1)
        : (a.subresource ?? '') < (b.subresource ?? '') ? -1 : (a.subresource ?? '') > (b.subresource ?? '') ? 1 : 0));
  if (entries.length) obj.metadata.managedFields = entries; else delete obj.metadata.managedFields;
}

const sameKey = (e: ManagedFieldsEntry, manager: string, op: 'Apply' | 'Update', sub: string): boolean =>
  e.manager === manager && e.operation === op && (e.subresource ?? '') === sub;

/** Sets `set` as the entry (manager, op, subresource)'s; time moves only when the set changed. */
function setEntry(ms: Managed[], id: WriteIdentity, op: 'Apply' | 'Update', set: FieldSet): void {
  const i = ms.findIndex((m) => sameKey(m.entry, id.manager, op, id.subresource));
  const time = wholeSeconds(id.now ?? new Date());
  if (i >= 0) {
    const m = ms[i]!;
    if (m.set.equals(set) && m.entry.apiVersion === id.apiVersion) return;
    ms[i] = { entry: { ...m.entry, apiVersion: id.apiVersion, time }, set };
    return;
  }
  ms.push({ entry: { manager: id.manager, operation: op, apiVersion: id.apiVersion, time, fieldsType: 'FieldsV1', fieldsV1: {}, ...(id.subresource ? { subresource: id.subresource } : {}) }, set });
}

/** Members of `s` with no member below them (values, atomic lists, set items). */
function isLeaf(s: FieldSet, path: readonly string[]): boolean {
  let n: FieldSet | undefined = s;
  for (const el of path) { n = n?.children.get(el); if (!n) return true; }
  return ![...n.children.values()].some((c) => !c.empty);
}

/** The client may replace managedFields on update (an empty entry `[{}]` clears them); otherwise they are kept. */
function baseManaged(old: KObject | undefined, next: KObject): Managed[] {
  const sent = next.metadata.managedFields;
  if (sent !== undefined && !isDeepStrictEqual(sent, old?.metadata.managedFields)) return readManaged(next);
  return readManaged(old);
}

/** Records a non-apply write of `next` (over `old`, absent on create) in next.metadata.managedFields. */
export function trackUpdate(old: KObject | undefined, next: KObject, id: WriteIdentity): void {
  const ms = baseManaged(old, next);
  const before = old ? fieldSetOf(old, id.scope) : new FieldSet();
  const after = fieldSetOf(next, id.scope);
  const added = after.difference(before);
  const removed = before.difference(after);
  const modified = FieldSet.of(after.intersection(before).paths()
    .filter((p) => isLeaf(after, p) && !isDeepStrictEqual(valueAt(old, p), valueAt(next, p))));
  const changed = added.union(modified).union(removed);
  const mine = ms.find((m) => sameKey(m.entry, id.manager, 'Update', id.subresource));
  for (const m of ms) if (m !== mine) m.set = m.set.difference(changed);
  const set = (mine?.set ?? new FieldSet()).union(added).union(modified).difference(removed);
  if (!set.empty || mine) setEntry(ms, id, 'Update', set);
  writeManaged(next, ms);
}

/**
 * Server-side apply of `applied` over `live` (absent: the object is created from it). Throws
 * ApplyConflictError unless `force`; returns the object to store, with its managedFields.
 */
export function applyConfiguration(live: KObject | undefined, applied: KObject, id: WriteIdentity, force: boolean): KObject {
  try {
    return applyOnce(live, applied, id, force);
  } catch (e) {
    // Upgrading from client-side apply (upstream's lastAppliedManager): `kubectl apply --server-side`
    // (manager "kubectl") takes over what the last client-side applied configuration set.
    if (!(e instanceof ApplyConflictError) || id.manager !== 'kubectl') throw e;
    const allowed = lastAppliedSet(live, id);
    if (!allowed) throw e;
    const remaining = e.conflicts.filter((c) => !allowed.has(c.elements));
    if (remaining.length) throw new ApplyConflictError(remaining);
    return applyOnce(live, applied, id, true);
  }
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
function lastAppliedSet(live: KObject | undefined, id: WriteIdentity): FieldSet | undefined {
  const raw = live?.metadata.annotations?.[LAST_APPLIED];
  if (!raw) return undefined;
  try { return fieldSetOf(JSON.parse(raw) as unknown, id.scope); } catch { return undefined; }
}

function applyOnce(live: KObject | undefined, applied: KObject, id: WriteIdentity, force: boolean): KObject {
  const ms = readManaged(live);
  const setA = fieldSetOf(applied, id.scope);
  const mine = ms.find((m) => sameKey(m.entry, id.manager, 'Apply', id.subresource));
  const prev = mine?.set ?? new FieldSet();
  const appliedNoMeta = structuredClone(applied) as Obj;
  // the managedFields of an applied configuration are ignored
  if (isObj(appliedNoMeta.metadata)) delete (appliedNoMeta.metadata as Obj).managedFields;
  const merged = mergeApplied(live ?? {}, appliedNoMeta, id.scope.meta) as KObject;

  const conflicts: FieldConflict[] = [];
  const lost = new Map<Managed, FieldSet>();
  for (const m of ms) {
    if (m === mine) continue;
    const overlap = m.set.intersection(setA);
    const contested = overlap.paths().filter((p) => isLeaf(setA, p) && !isDeepStrictEqual(valueAt(live, p), valueAt(merged, p)));
    if (!contested.length) continue;
    lost.set(m, FieldSet.of(contested));
    for (const p of contested) conflicts.push({ path: pathString(p), elements: p, manager: m.entry.manager, operation: m.entry.operation, apiVersion: m.entry.apiVersion, ...(m.entry.subresource ? { subresource: m.entry.subresource } : {}) });
  }
  if (conflicts.length && !force) throw new ApplyConflictError(conflicts);
  for (const [m, s] of lost) m.set = m.set.difference(s);

  // fields this manager applied before and no longer applies go, unless someone else owns them
  const others = ms.filter((m) => m !== mine).reduce((acc, m) => acc.union(m.set), new FieldSet());
  const dropped = prev.difference(setA).paths().filter((p) => !others.has(p) && !setA.has(p));
  for (const p of dropped.sort((a, b) => b.length - a.length)) removePath(merged, p);

  const present = fieldSetOf(merged, id.scope);
  for (const m of ms) if (m !== mine && (m.entry.subresource ?? '') === id.subresource) m.set = m.set.intersection(present);
  setEntry(ms, id, 'Apply', setA);
  writeManaged(merged, ms);
  return merged;
}
