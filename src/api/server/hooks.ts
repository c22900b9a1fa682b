import type { Service } from 'kubernetes-types/core/v1.js';
import type { KindSemantics, KObject } from '../kinds/types.js';
import { invalidMessage } from '../kinds/index.js';
import type { AsyncAllocationResult, ServiceAllocation } from '../../ipam/index.js';
import type { HookResult, KindHooks } from './registry.js';
import { ApiStatusError, invalid } from './status.js';

/** The store failed under an allocation: 503 as for any storage failure (kube-apiserver answers 5xx too). */
function unavailable(e: unknown): never {
  if (e instanceof ApiStatusError) throw e;
  const code = e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
  if (code === 'EUNAVAILABLE') throw new ApiStatusError(503, 'ServiceUnavailable', `storage unavailable: ${(e as Error).message}`);
  throw e;
}

/**
 * ClusterIP / NodePort allocation on the Service write paths, before the store write: in memory
 * (single server) or as claims in the store (servers sharing etcd; ../../ipam/claims.ts).
 */
function serviceHooks(alloc: ServiceAllocation, k: KindSemantics): KindHooks {
  const check = (obj: KObject, r: AsyncAllocationResult): HookResult => {
    if (r.errors.length) {
      const name = obj.metadata.name ?? '';
      const errs = r.errors as Parameters<typeof invalid>[3];
      throw invalid(k.kind, k.group, name, errs, invalidMessage(k.kind, name, errs));
    }
    return {
      rollback: () => r.rollback().catch(() => undefined),
      // the object is written: a claim left over by a failed release is dropped at the next restore
      commit: () => r.commit().catch(() => undefined),
    };
  };
  return {
    beforeCreate: async (obj) => check(obj, await alloc.update(undefined, obj as unknown as Service).catch(unavailable)),
    beforeUpdate: async (obj, old) => check(obj, await alloc.update(old as unknown as Service, obj as unknown as Service).catch(unavailable)),
    afterDelete: async (obj) => { await alloc.release(obj as unknown as Service).catch(() => undefined); },
  };
}

/** The hooks for every kind: only Services have any today. */
export function hooksFor(alloc: ServiceAllocation): (k: KindSemantics) => KindHooks {
  return (k) => (k.kind === 'Service' && k.group === '' ? serviceHooks(alloc, k) : {});
}
