/**
 * Namespace lifecycle, as kube-apiserver + the namespace controller do it: the bootstrap
 * namespaces, and the purge of a terminating namespace's content before its `kubernetes`
 * finalizer is removed and the Namespace disappears.
 */
import type { Logger } from 'pino';
import { allKinds, kindByKind } from '../kinds/index.js';
import type { KObject } from '../kinds/types.js';
import type { Registry } from './registry.js';
import { ApiStatusError } from './status.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** Pods still terminating this long past their deletionTimestamp are removed (their node is gone or silent). */
const FORCE_AFTER_MS = 10_000;

export class NamespacePurger {
  private readonly running = new Set<string>();
  private stopped = false;

  constructor(private readonly reg: Registry, private readonly log: Logger) {}

  /** Starts (once) the purge of a terminating namespace. */
  purge(name: string): void {
    if (this.running.has(name) || this.stopped) return;
    this.running.add(name);
    void this.run(name).catch((e: unknown) => this.log.warn({ err: (e as Error).message, namespace: name }, 'namespace purge failed'))
      .finally(() => this.running.delete(name));
  }

  /** On start: resume the purge of namespaces left terminating. */
  async resume(): Promise<void> {
    const list = await this.reg.list(kindByKind('', 'Namespace')!, undefined);
    for (const ns of list.items) if (ns.metadata.deletionTimestamp) this.purge(ns.metadata.name!);
  }

  stop(): void { this.stopped = true; }

  private async run(name: string): Promise<void> {
    const nsKind = kindByKind('', 'Namespace')!;
    for (let round = 0; !this.stopped; round++) {
      let left = 0;
      for (const k of allKinds) {
        if (!k.namespaced) continue;
        const list = await this.reg.list(k, name);
        for (const o of list.items) {
          left++;
          await this.deleteOne(k, o).catch((e: unknown) => {
            if (!(e instanceof ApiStatusError && e.httpCode === 404)) throw e;
          });
        }
      }
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, Math.min(200 * (round + 1), 1000)));
    }
    if (this.stopped) return;
    await this.reg.update(nsKind, undefined, name, (cur) => {
      const spec = { ...(cur.spec as object | undefined), finalizers: [] as string[] };
      return { ...cur, spec };
    }, { retries: 5 }).catch((e: unknown) => {
      if (!(e instanceof ApiStatusError && e.httpCode === 404)) throw e;
    });
    this.log.info({ namespace: name }, 'namespace deleted');
  }

  private async deleteOne(k: (typeof allKinds)[number], o: KObject): Promise<void> {
    const ns = o.metadata.namespace;
    const name = o.metadata.name!;
    if (o.metadata.deletionTimestamp) {
      const overdue = Date.now() - Date.parse(o.metadata.deletionTimestamp) > FORCE_AFTER_MS;
      if (!overdue) return;
      if (o.metadata.finalizers?.length) {
        await this.reg.update(k, ns, name, (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }), { retries: 3 });
        return;
      }
      await this.reg.delete(k, ns, name, { gracePeriodSeconds: 0 });
      return;
    }
    await this.reg.delete(k, ns, name, {});
  }
}
