/**
 * Merging an applied configuration into the live object (server-side apply): maps merge field by
 * field, associative lists item by item (by their keys, applied items first in the applied
 * order, then the live items the configuration does not name), sets by value, everything else
 * (scalars, atomic lists) is replaced by the applied value. And removing one path from an object.
 */
import type { PatchMeta } from '../kinds/types.js';
import { itemElement, listElements } from './fieldset.js';
import { listTypeAt } from './lists.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (p: string, k: string): string => (p ? `${p}.${k}` : k);

export function mergeApplied(live: unknown, applied: unknown, meta: PatchMeta, schemaPath = ''): unknown {
  if (isObj(applied)) {
    if (meta[schemaPath]?.atomic) return structuredClone(applied);
    const out: Obj = isObj(live) ? structuredClone(live) : {};
    for (const [k, v] of Object.entries(applied)) out[k] = mergeApplied(out[k], v, meta, join(schemaPath, k));
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const lt = listTypeAt(meta, schemaPath);
    const aEls = listElements(applied, lt);
    const lEls = listElements(live, lt);
    if (!aEls || !lEls) return structuredClone(applied);
    const out: unknown[] = applied.map((item, i) => {
      const j = lEls.indexOf(aEls[i]!);
      return j >= 0 && lt.type === 'map' ? mergeApplied(live[j], item, meta, `${schemaPath}[]`) : structuredClone(item);
    });
    live.forEach((item, j) => { if (!aEls.includes(lEls[j]!)) out.push(structuredClone(item)); });
    return out;
  }
  return structuredClone(applied);
}

/** Removes the value at `path` (element form) from `obj` in place; a missing path is no error. */
export function removePath(obj: unknown, path: readonly string[]): void {
  if (!path.length) return;
  let cur: unknown = obj;
  for (let i = 0; i < path.length - 1; i++) {
    cur = step(cur, path[i]!);
    if (cur === undefined) return;
  }
  const last = path[path.length - 1]!;
  if (last.startsWith('f:')) { if (isObj(cur)) delete cur[last.slice(2)]; return; }
  if (!Array.isArray(cur)) return;
  const idx = cur.findIndex((it) => matches(it, last));
  if (idx >= 0) cur.splice(idx, 1);
}

function matches(item: unknown, el: string): boolean {
  if (el.startsWith('v:')) return JSON.stringify(item) === el.slice(2);
  if (el.startsWith('k:') && isObj(item)) {
    const keys = JSON.parse(el.slice(2)) as Obj;
    return itemElement(item, { type: 'map', keys: Object.keys(keys) }) === el;
  }
  return false;
}

function step(cur: unknown, el: string): unknown {
  if (el.startsWith('f:')) return isObj(cur) ? cur[el.slice(2)] : undefined;
  return Array.isArray(cur) ? cur.find((it) => matches(it, el)) : undefined;
}
