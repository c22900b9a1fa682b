import type { KindSemantics, KObject } from '../kinds/types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** True when the client asked for server-side printing (kubectl get). */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/** A meta.k8s.io/v1 Table for the objects, with upstream's columns from the kind's printer. */
export function toTable(k: KindSemantics, items: KObject[], include: IncludeObject, listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number }, withColumns = true): object {
  const t = k.table(items, new Date());
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    ...(withColumns ? { columnDefinitions: t.columnDefinitions } : { columnDefinitions: [] }),
    rows: t.rows.map((r) => ({
      cells: r.cells,
      ...((r as { conditions?: unknown }).conditions ? { conditions: (r as { conditions?: unknown }).conditions } : {}),
      object: include === 'None' ? undefined
        : include === 'Metadata' ? { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: r.object.metadata }
          : r.object,
    })),
  };
}
