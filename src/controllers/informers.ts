import type { KObject } from '../meta/types.js';
import { createInformer, type ListWatchInformer } from '../client/informer.js';
import type { KubeClient, ResourceRef } from '../client/types.js';
import type { Logger } from '../util/log.js';

/** One informer per resource, shared by every controller (like client-go's SharedInformerFactory). */
export class InformerFactory {
  private readonly informers = new Map<string, ListWatchInformer<KObject>>();
  constructor(private readonly client: KubeClient, private readonly log?: Logger) {}

  get<T extends KObject>(ref: ResourceRef): ListWatchInformer<T> {
    const k = `${ref.group}/${ref.version}/${ref.resource}`;
    let inf = this.informers.get(k);
    if (!inf) {
      inf = createInformer<KObject>(this.client, { group: ref.group, version: ref.version, resource: ref.resource }, { log: this.log });
      this.informers.set(k, inf);
    }
    return inf as unknown as ListWatchInformer<T>;
  }

  /** Starts every informer requested so far; resolves when all have listed once. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start(signal)));
  }
}
