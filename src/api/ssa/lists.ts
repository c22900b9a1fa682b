/**
 * How server-side apply treats each list of a kind, read from the one source the strategic merge
 * patch also uses (KindSemantics.patchMeta): a list with a merge key is associative (`map`, items
 * identified by their keys: `listMapKeys` when given, else the merge key), a merged list without
 * one is a `set` of primitives, every other list is `atomic` (owned and replaced as a whole).
 */
import type { PatchMeta } from '../kinds/types.js';

export type ListType = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[]; defaults?: Record<string, unknown> };

export function listTypeAt(meta: PatchMeta, schemaPath: string): ListType {
  const m = meta[schemaPath];
  if (m?.listType) {
    // the schema's own word (x-kubernetes-list-type, from the pinned upstream spec)
    if (m.listType === 'set') return { type: 'set' };
    const keys = m.listMapKeys ?? (m.mergeKey ? [m.mergeKey] : []);
    if (m.listType === 'map' && keys.length) return { type: 'map', keys, ...(m.listMapKeyDefaults ? { defaults: m.listMapKeyDefaults } : {}) };
    return { type: 'atomic' };
  }
  if (!m || m.strategy === 'replace') return { type: 'atomic' };
  const keys = m.listMapKeys ?? (m.mergeKey ? [m.mergeKey] : undefined);
  if (keys?.length) return { type: 'map', keys };
  if (m.strategy.includes('merge')) return { type: 'set' };
  return { type: 'atomic' };
}
