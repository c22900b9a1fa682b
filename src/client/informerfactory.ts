import type { KObject } from '../meta/types.js';
import type { Logger } from '../util/log.js';
import { createInformer, type ListWatchInformer } from './informer.js';
import type { KubeClient, ResourceRef } from './types.js';

/** What makes two informers different: the resource and the list/watch selectors. */
export interface SharedInformerSelectors {
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * One informer per resource (and selector pair), shared by everything in a process that watches it
 * (like client-go's SharedInformerFactory): the controllers, DNS, flannel's kube subnet manager and
 * the proxy each ask for what they need and then start the factory once.
 */
export class InformerFactory {
  private readonly informers = new Map<string, ListWatchInformer<KObject>>();
  /** `replayToLateHandlers`: handlers added after an informer listed get the cached objects as adds (components joining a shared factory late). */
  constructor(readonly client: KubeClient, private readonly log?: Logger, private readonly o: { replayToLateHandlers?: boolean } = {}) {}

  get<T extends KObject>(ref: ResourceRef, sel: SharedInformerSelectors = {}): ListWatchInformer<T> {
    const k = `${ref.group}/${ref.version}/${ref.resource}?${sel.labelSelector ?? ''}&${sel.fieldSelector ?? ''}`;
    let inf = this.informers.get(k);
    if (!inf) {
      inf = createInformer<KObject>(this.client, { group: ref.group, version: ref.version, resource: ref.resource }, { ...sel, log: this.log, ...(this.o.replayToLateHandlers ? { replayToLateHandlers: true } : {}) });
      this.informers.set(k, inf);
    }
    return inf as unknown as ListWatchInformer<T>;
  }

  /**
   * Starts every informer requested so far (starting one twice is a no-op); resolves when all have
   * listed once, or when `signal` aborts. They keep watching until `signal` aborts.
   */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start(signal)));
  }
}
