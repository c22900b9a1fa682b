import type { Service } from 'kubernetes-types/core/v1.js';
import type { KindSemantics, KObject } from '../kinds/types.js';
import { invalidMessage } from '../kinds/index.js';
import type { ServiceAllocators } from '../../ipam/index.js';
import type { KindHooks } from './registry.js';
import { invalid } from './status.js';

/** ClusterIP / NodePort allocation on the Service write paths (synchronous, before the store write). */
function serviceHooks(alloc: ServiceAllocators, k: KindSemantics): KindHooks {
  const check = (obj: KObject, r: { errors: { type: string; field: string; message: string }[]; rollback(): void; commit(): void }): { rollback(): void; commit(): void } => {
    if (r.errors.length) {
      const name = obj.metadata.name ?? '';
      const errs = r.errors as Parameters<typeof invalid>[3];
      throw invalid(k.kind, k.group, name, errs, invalidMessage(k.kind, name, errs));
    }
    return r;
  };
  return {
    beforeCreate: (obj) => check(obj, alloc.allocate(obj as unknown as Service)),
    beforeUpdate: (obj, old) => check(obj, alloc.update(old as unknown as Service, obj as unknown as Service)),
    afterDelete: (obj) => { alloc.release(obj as unknown as Service); },
  };
}

/** The hooks for every kind: only Services have any today. */
export function hooksFor(alloc: ServiceAllocators): (k: KindSemantics) => KindHooks {
  return (k) => (k.kind === 'Service' && k.group === '' ? serviceHooks(alloc, k) : {});
}
