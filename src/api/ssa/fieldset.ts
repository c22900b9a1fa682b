/**
 * Field sets as server-side apply tracks them (structured-merge-diff's fieldpath.Set) and their
 * wire form `fieldsV1`: `f:<field>` for a field of a map, `k:{"name":"c"}` for an item of an
 * associative list (by its keys), `v:<json>` for an item of a set (list of primitives), and
 * `.` for "this node itself is a member" (list items, whose keys are members too).
 */
import { listTypeAt, type ListType } from './lists.js';
import type { PatchMeta } from '../kinds/types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One node of a set: `member` says the node itself is in the set; children are keyed by path element. */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  child(el: string): FieldSet {
    let c = this.children.get(el);
    if (!c) { c = new FieldSet(); this.children.set(el, c); }
    return c;
  }
  get empty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.empty) return false;
    return true;
  }
  /** Every member path, as element lists, in insertion order. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.member) out.push(prefix);
    for (const [el, c] of this.children) out.push(...c.paths([...prefix, el]));
    return out;
  }
  has(path: readonly string[]): boolean {
    let n: FieldSet | undefined = this;
    for (const el of path) { n = n.children.get(el); if (!n) return false; }
    return n.member;
  }
  add(path: readonly string[]): void {
    let n: FieldSet = this;
    for (const el of path) n = n.child(el);
    n.member = true;
  }
  static of(paths: readonly (readonly string[])[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.add(p);
    return s;
  }
  union(o: FieldSet): FieldSet { return FieldSet.of([...this.paths(), ...o.paths()]); }
  difference(o: FieldSet): FieldSet { return FieldSet.of(this.paths().filter((p) => !o.has(p))); }
  intersection(o: FieldSet): FieldSet { return FieldSet.of(this.paths().filter((p) => o.has(p))); }
  equals(o: FieldSet): boolean {
    const a = this.paths(); const b = o.paths();
    return a.length === b.length && a.every((p) => o.has(p));
  }

  /** The `fieldsV1` JSON of this set (keys sorted, as upstream serializes them). */
  toFieldsV1(): Obj {
    const out: Obj = {};
    if (this.member && this.children.size) out['.'] = {};
    for (const el of [...this.children.keys()].sort()) {
      const c = this.children.get(el)!;
      if (c.empty) continue;
      out[el] = c.toFieldsV1();
    }
    return out;
  }
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    const visit = (node: unknown, n: FieldSet): void => {
      if (!isObj(node)) return;
      const keys = Object.keys(node);
      if (!keys.length) { n.member = true; return; }
      for (const k of keys) {
        if (k === '.') { n.member = true; continue; }
        visit(node[k], n.child(k));
      }
    };
    for (const [k, c] of Object.entries(isObj(v) ? v : {})) visit(c, s.child(k));
    return s;
  }
}

/** Upstream's display of a path: `.spec.containers[name="web"].image`, `.metadata.finalizers[="x"]`. */
export function pathString(path: readonly string[]): string {
  let s = '';
  for (const el of path) {
    const body = el.slice(2);
    if (el.startsWith('f:')) s += `.${body}`;
    else if (el.startsWith('k:')) {
      const keys = JSON.parse(body) as Obj;
      s += `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    } else if (el.startsWith('v:')) s += `[=${body}]`;
    else s += `[${body}]`;
  }
  return s;
}

/** Fields no manager owns (identity and server-set metadata), as element paths from the root. */
const IGNORED: readonly (readonly string[])[] = [
  ['f:apiVersion'], ['f:kind'],
  ...['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink',
    'deletionTimestamp', 'deletionGracePeriodSeconds'].map((f) => ['f:metadata', `f:${f}`]),
];

/** How to read an object: the kind's list semantics, and which part a (sub)resource write owns. */
export interface SetScope {
  meta: PatchMeta;
  /** 'status' = only .status; 'main' of a kind with a status subresource = all but .status; 'all' = everything. */
  part: 'status' | 'main' | 'all';
}

function keyElement(item: Obj, keys: readonly string[], defaults?: Record<string, unknown>): string | undefined {
  const k: Obj = {};
  for (const key of keys) {
    // a key field the item omits takes the schema's default (as structured-merge-diff does)
    const v = item[key] ?? defaults?.[key];
    if (v === undefined) return undefined;
    k[key] = v;
  }
  return `k:${JSON.stringify(k)}`;
}

/** The path element of one list item under `lt`, or undefined (the list is then atomic). */
export function itemElement(item: unknown, lt: ListType): string | undefined {
  if (lt.type === 'set') return isObj(item) || Array.isArray(item) ? undefined : `v:${JSON.stringify(item)}`;
  if (lt.type === 'map') return isObj(item) ? keyElement(item, lt.keys, lt.defaults) : undefined;
  return undefined;
}

/** A list is granular only if every item has its own distinct element; otherwise it is atomic. */
export function listElements(list: unknown[], lt: ListType): string[] | undefined {
  if (lt.type === 'atomic') return undefined;
  const els: string[] = [];
  for (const item of list) {
    const el = itemElement(item, lt);
    if (!el || els.includes(el)) return undefined;
    els.push(el);
  }
  return els;
}

/** The set of fields an object (or an applied configuration) sets. */
export function fieldSetOf(obj: unknown, scope: SetScope): FieldSet {
  const s = new FieldSet();
  const walk = (v: unknown, path: string[], schemaPath: string): void => {
    if (isObj(v)) {
      const entries = Object.entries(v);
      if (!entries.length || scope.meta[schemaPath]?.atomic) { if (path.length) s.add(path); return; }
      for (const [k, c] of entries) walk(c, [...path, `f:${k}`], schemaPath ? `${schemaPath}.${k}` : k);
      return;
    }
    if (Array.isArray(v)) {
      const lt = listTypeAt(scope.meta, schemaPath);
      const els = listElements(v, lt);
      if (!els || !v.length) { s.add(path); return; }
      v.forEach((item, i) => {
        const p = [...path, els[i]!];
        s.add(p);
        if (lt.type === 'map') walk(item, p, `${schemaPath}[]`);
      });
      return;
    }
    s.add(path);
  };
  if (isObj(obj)) {
    for (const [k, c] of Object.entries(obj)) {
      if (scope.part === 'status' && k !== 'status') continue;
      if (scope.part === 'main' && k === 'status') continue;
      walk(c, [`f:${k}`], k);
    }
  }
  return s.difference(ignoredChildren(s));
}

/** Paths under ignored fields (e.g. everything below metadata.managedFields). */
function ignoredChildren(s: FieldSet): FieldSet {
  return FieldSet.of(s.paths().filter((p) => IGNORED.some((ig) => ig.length <= p.length && ig.every((e, i) => p[i] === e))));
}

/** The value at `path` in `obj` (undefined when absent). */
export function valueAt(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const el of path) {
    if (cur === undefined) return undefined;
    const body = el.slice(2);
    if (el.startsWith('f:')) { cur = isObj(cur) ? cur[body] : undefined; continue; }
    if (!Array.isArray(cur)) return undefined;
    if (el.startsWith('k:')) {
      const keys = JSON.parse(body) as Obj;
      cur = cur.find((it) => isObj(it) && Object.entries(keys).every(([k, v]) => JSON.stringify(it[k]) === JSON.stringify(v)));
    } else if (el.startsWith('v:')) {
      cur = cur.find((it) => JSON.stringify(it) === body);
    } else return undefined;
  }
  return cur;
}
