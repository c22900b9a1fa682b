/**
 * The three PATCH flavours the API serves, chosen by Content-Type:
 * - application/json-patch+json (RFC 6902, via fast-json-patch; a failed `test` or a bad path is EBADPATCH),
 * - application/merge-patch+json (RFC 7386),
 * - application/strategic-merge-patch+json (./strategic.ts, with the kind's PatchMeta).
 * Every function returns a new object and leaves `original` untouched.
 */
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { PatchMeta } from '../kinds/types.js';
import { BadPatchError, strategicMergePatch } from './strategic.js';

export { BadPatchError, strategicMergePatch } from './strategic.js';

const PATCH_CONTENT_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(original: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(original) ? structuredClone(original) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** RFC 6902 JSON patch. */
export function jsonPatch(original: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new BadPatchError('json patch must be a JSON array of operations');
  patch.forEach((op, i) => {
    if (!isObj(op) || typeof op.op !== 'string' || !OPS.has(op.op) || typeof op.path !== 'string') {
      throw new BadPatchError(`json patch operation ${i} is malformed: ${JSON.stringify(op)}`);
    }
  });
  try {
    return fjp.applyPatch(structuredClone(original), patch as Operation[], true, true).newDocument;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new BadPatchError(`the json patch could not be applied: ${msg}`);
  }
}

/** Dispatch on the request's Content-Type (parameters such as `; charset=utf-8` are ignored). */
export function applyPatch(contentType: string, original: unknown, patch: unknown, meta: PatchMeta): unknown {
  const ct = contentType.split(';')[0]!.trim().toLowerCase();
  switch (ct) {
    case PATCH_CONTENT_TYPES.json: return jsonPatch(original, patch);
    case PATCH_CONTENT_TYPES.merge: return mergePatch(original, patch);
    case PATCH_CONTENT_TYPES.strategic: return strategicMergePatch(original, patch, meta);
    default: throw new BadPatchError(`unsupported patch content type ${JSON.stringify(contentType)}`);
  }
}
