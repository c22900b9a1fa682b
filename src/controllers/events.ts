import { randomBytes } from 'node:crypto';
import type { KObject } from '../meta/types.js';
import { R } from '../client/resources.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import { nowISO } from './util.js';

/**
 * Writes core/v1 Events about objects (like client-go's recorder); a repeat of the same
 * object+reason+message within the process bumps `count` and `lastTimestamp` instead.
 */
export class EventRecorder {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  constructor(private readonly client: KubeClient, private readonly component: string, private readonly log?: Logger) {}

  async record(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const k = `${obj.kind}/${namespace}/${obj.metadata.name}/${obj.metadata.uid}/${reason}/${message}`;
    const now = nowISO();
    try {
      const prev = this.seen.get(k);
      if (prev) {
        prev.count++;
        await this.client.patch(R.events(prev.namespace), prev.name, { count: prev.count, lastTimestamp: now }, 'merge');
        return;
      }
      const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
      await this.client.create(R.events(namespace), {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name,
          namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
        },
        reason, message, type, count: 1,
        firstTimestamp: now, lastTimestamp: now,
        source: { component: this.component },
        reportingComponent: this.component, reportingInstance: this.component,
      });
      this.seen.set(k, { name, namespace, count: 1 });
      if (this.seen.size > 5000) this.seen.delete(this.seen.keys().next().value as string);
    } catch (e) {
      this.log?.warn({ err: (e as Error).message, reason, object: `${obj.kind}/${obj.metadata.name}` }, 'could not write event');
    }
  }
}
