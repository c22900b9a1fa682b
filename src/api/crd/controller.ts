/**
 * Serving what CustomResourceDefinitions define, live: a definition written (created, updated,
 * its status set) registers its kinds at once (discovery, routing, OpenAPI see them without a
 * restart); a deleted one stops serving them and deletes every object of its kind (watchers see
 * DELETED events). On start, the stored definitions are read back (restart-safe).
 */
import type { Logger } from 'pino';
import { kindByKind, registerKinds, unregisterKinds } from '../kinds/index.js';
import type { KindSemantics, KObject } from '../kinds/types.js';
import type { KindHooks, Registry } from '../server/registry.js';
import { crdKind, crdSpec, customKinds, isEstablished } from './kinds.js';
import { installCustomResourceOpenApi } from './openapi.js';
import { invalidateOpenApi } from '../openapi/index.js';

type Listener = () => void;
const listeners: Listener[] = [invalidateOpenApi];
/** Called whenever the served custom kinds change (OpenAPI caches listen). */
export function onCustomKindsChanged(l: Listener): void { listeners.push(l); }
function changed(): void { for (const l of listeners) l(); }

/** Serves (or stops serving) the kinds of one definition as it now stands. */
export function syncDefinition(crd: KObject): void {
  const s = crdSpec(crd);
  if (!s?.group || !s.names?.plural) return;
  if (isEstablished(crd) && !crd.metadata.deletionTimestamp) registerKinds(s.group, s.names.plural, customKinds(crd));
  else unregisterKinds(s.group, s.names.plural);
  changed();
}

/** Deletes every object of the kinds (custom resources with finalizers lose them: their type is gone). */
async function purge(reg: Registry, kinds: KindSemantics[], log: Logger): Promise<void> {
  const k = kinds[0];
  if (!k) return;
  const list = await reg.list(k, undefined);
  for (const o of list.items) {
    const ns = o.metadata.namespace;
    const name = o.metadata.name!;
    try {
      if (o.metadata.finalizers?.length) {
        await reg.update(k, ns, name, (cur) => { delete cur.metadata.finalizers; return cur; }, { retries: 5 });
      }
      await reg.delete(k, ns, name).catch((e: unknown) => { if ((e as { httpCode?: number }).httpCode !== 404) throw e; });
    } catch (e) {
      log.warn({ err: (e as Error).message, kind: k.kind, name }, 'custom resource not deleted with its definition');
    }
  }
}

/** Registry hooks of the CustomResourceDefinition kind. */
export function crdHooks(reg: () => Registry, log: Logger): KindHooks {
  const after = (obj: KObject): { rollback(): void; commit(): void } => ({ rollback() { /* nothing served yet */ }, commit() { syncDefinition(obj); } });
  return {
    beforeCreate: after,
    beforeUpdate: (obj) => after(obj),
    async afterDelete(obj) {
      const s = crdSpec(obj);
      const gone = unregisterKinds(s.group, s.names.plural);
      changed();
      const kinds = gone.length ? gone : customKinds(obj);
      await purge(reg(), kinds, log);
    },
  };
}

/** Wraps a kind → hooks function so the CRD kind gets crdHooks. */
export function withCrdHooks(base: (k: KindSemantics) => KindHooks, reg: () => Registry, log: Logger): (k: KindSemantics) => KindHooks {
  const h = crdHooks(reg, log);
  return (k) => (k === crdKind ? h : base(k));
}

/** Serves the CRD kind itself and every stored definition's kinds. */
export async function startCustomResources(reg: Registry): Promise<void> {
  installCustomResourceOpenApi();
  if (!kindByKind(crdKind.group, crdKind.kind)) registerKinds(crdKind.group, crdKind.resource, [crdKind]);
  const list = await reg.list(crdKind, undefined);
  for (const crd of list.items) syncDefinition(crd);
  changed();
}
