/**
 * Strategic merge patch (application/strategic-merge-patch+json) with upstream semantics:
 * maps merge recursively and `null` deletes a key; lists whose path has a merge key merge item by
 * item (`$patch: delete` removes one); lists with strategy `merge` and primitive items are unions;
 * every other list is replaced. Directives: `$patch: replace|delete|merge`, `$retainKeys`,
 * `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`.
 *
 * Paths in PatchMeta are dotted from the object root, list items add `[]`:
 * `spec.template.spec.containers[].ports`.
 */
import type { PatchMeta } from '../kinds/types.js';
import { PodnetError } from '../../util/errors.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Malformed strategic merge patch (the API server answers 400/422 with its message). */
export class BadPatchError extends PodnetError {
  constructor(message: string) {
    super('EBADPATCH', message);
  }
}

const DELETE = Symbol('delete');
type Merged = unknown | typeof DELETE;

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** Apply `patch` to `original` (neither is modified) and return the result. */
export function strategicMergePatch(original: unknown, patch: unknown, meta: PatchMeta): unknown {
  if (!isObj(patch)) throw new BadPatchError('strategic merge patch must be a JSON object');
  const orig = isObj(original) ? original : {};
  const out = mergeMap(orig, patch, '', meta);
  return out === DELETE ? {} : out;
}

function mergeValue(orig: unknown, patch: unknown, path: string, meta: PatchMeta): Merged {
  if (isObj(patch)) return mergeMap(isObj(orig) ? orig : {}, patch, path, meta, !isObj(orig));
  if (Array.isArray(patch)) return mergeList(Array.isArray(orig) ? orig : [], patch, path, meta);
  return patch;
}

function mergeMap(orig: Obj, patch: Obj, path: string, meta: PatchMeta, fresh = false): Merged {
  const directive = patch.$patch;
  if (directive !== undefined) {
    if (directive === 'delete') return DELETE;
    if (directive === 'replace') {
      const rest: Obj = { ...patch };
      delete rest.$patch;
      return mergeMap({}, rest, path, meta, true);
    }
    if (directive !== 'merge') throw new BadPatchError(`Unknown patch type: ${JSON.stringify(directive)} in map at ${path || '<root>'}`);
  }
  const result: Obj = fresh ? {} : clone(orig);
  let retain: string[] | undefined;
  const orders: [string, unknown[]][] = [];
  const deletions: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (k === '$retainKeys') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new BadPatchError(`$retainKeys at ${path || '<root>'} must be a list of strings`);
      retain = v as string[];
      continue;
    }
    if (k.startsWith(SET_ORDER)) {
      if (!Array.isArray(v)) throw new BadPatchError(`${k} at ${path || '<root>'} must be a list`);
      orders.push([k.slice(SET_ORDER.length), v]);
      continue;
    }
    if (k.startsWith(DELETE_PRIMITIVE)) {
      if (!Array.isArray(v)) throw new BadPatchError(`${k} at ${path || '<root>'} must be a list`);
      deletions.push([k.slice(DELETE_PRIMITIVE.length), v]);
      continue;
    }
    if (k.startsWith('$')) throw new BadPatchError(`unknown directive ${JSON.stringify(k)} at ${path || '<root>'}`);
    if (v === null) {
      delete result[k];
      continue;
    }
    const merged = mergeValue(result[k], v, join(path, k), meta);
    if (merged === DELETE) delete result[k];
    else result[k] = merged;
  }
  for (const [field, values] of deletions) {
    const cur = result[field];
    if (!Array.isArray(cur)) continue;
    result[field] = cur.filter((x) => !values.some((d) => deepEqual(d, x)));
  }
  for (const [field, order] of orders) {
    const cur = result[field];
    if (!Array.isArray(cur)) continue;
    result[field] = applyOrder(cur, order, meta[join(path, field)]?.mergeKey);
  }
  if (retain) {
    for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  }
  return result;
}

function mergeList(orig: unknown[], patch: unknown[], path: string, meta: PatchMeta): unknown[] {
  // `{$patch: replace}` as an element replaces the whole list with the other elements.
  const replaceAt = patch.findIndex((x) => isObj(x) && x.$patch === 'replace' && Object.keys(x).length === 1);
  if (replaceAt >= 0) return patch.filter((_, i) => i !== replaceAt).map((x) => clone(x));
  const m = meta[path];
  const merges = m !== undefined && m.strategy.split(',').includes('merge');
  if (!merges) {
    for (const x of patch) if (isObj(x) && x.$patch !== undefined) throw new BadPatchError(`$patch directive in a list without merge strategy at ${path}`);
    return patch.map((x) => clone(x));
  }
  const mergeKey = m.mergeKey;
  if (!mergeKey) {
    // primitive list with merge strategy: union, original order first
    const result = orig.map((x) => clone(x));
    for (const x of patch) {
      if (isObj(x) || Array.isArray(x)) throw new BadPatchError(`list at ${path} merges primitives, got ${JSON.stringify(x)}`);
      if (!result.some((y) => deepEqual(x, y))) result.push(x);
    }
    return result;
  }
  const result: unknown[] = orig.map((x) => clone(x));
  for (const item of patch) {
    if (!isObj(item)) throw new BadPatchError(`list at ${path} merges maps by ${JSON.stringify(mergeKey)}, got ${JSON.stringify(item)}`);
    if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) {
      throw new BadPatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const key = item[mergeKey];
    const matches = (x: unknown): boolean => isObj(x) && deepEqual(x[mergeKey], key);
    if (item.$patch === 'delete') {
      for (let i = result.length - 1; i >= 0; i--) if (matches(result[i])) result.splice(i, 1);
      continue;
    }
    const idx = result.findIndex(matches);
    const merged = mergeMap(idx >= 0 ? (result[idx] as Obj) : {}, item, `${path}[]`, meta, idx < 0);
    if (merged === DELETE) {
      if (idx >= 0) result.splice(idx, 1);
    } else if (idx >= 0) result[idx] = merged;
    else result.push(merged);
  }
  return result;
}

/**
 * `$setElementOrder`: items named in `order` take the positions that named items occupy, in the
 * given order; items only the server knows keep their places.
 */
function applyOrder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (x: unknown): unknown => (mergeKey && isObj(x) ? x[mergeKey] : x);
  const rank = (x: unknown): number => order.findIndex((o) => deepEqual(keyOf(o), keyOf(x)));
  const ordered = list.filter((x) => rank(x) >= 0).sort((a, b) => rank(a) - rank(b));
  let next = 0;
  return list.map((x) => (rank(x) >= 0 ? ordered[next++] : x));
}
