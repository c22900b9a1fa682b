import { randomBytes } from 'node:crypto';
import type { KObject } from '../meta/types.js';
import { R } from '../client/resources.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/types.js';
import type { Logger } from '../util/log.js';
import { EventCorrelator, type CorrelatedEvent } from '../util/eventcorrelator.js';
import { rfc3339 } from '../util/time.js';

let lastStamp = 0n;
/**
 * Upstream's event name: the object's name, a dot, a hex number that grows with time (nanoseconds
 * here, strictly increasing within the process, so a list in name order is in recording order).
 */
function eventName(objName: string): string {
  let n = BigInt(Date.now()) * 1_000_000n + BigInt(randomBytes(2).readUInt16BE(0));
  if (n <= lastStamp) n = lastStamp + 1n;
  lastStamp = n;
  return `${objName}.${n.toString(16)}`;
}

/**
 * Writes core/v1 Events about objects as client-go's recorder does: source = the component (and
 * the node for the kubelet), repeats merged by the event correlator (count, lastTimestamp; similar
 * messages combined).
 */
export class EventRecorder {
  private readonly correlator = new EventCorrelator();
  constructor(private readonly client: KubeClient, private readonly component: string, private readonly log?: Logger, private readonly host?: string) {}

  async record(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const involvedObject = {
      kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: obj.apiVersion,
      ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}), ...(fieldPath ? { fieldPath } : {}),
    };
    const source = { component: this.component, ...(this.host ? { host: this.host } : {}) };
    const e: CorrelatedEvent = { source, involvedObject, type, reason, message };
    const c = this.correlator.correlate(e, Date.now());
    const now = rfc3339();
    try {
      if (c.action === 'update') {
        try {
          await this.client.patch(R.events(c.namespace), c.name, { count: c.count, lastTimestamp: now, message: c.message }, 'merge');
          this.correlator.observe(c, { name: c.name, namespace: c.namespace, count: c.count, firstTimestamp: c.firstTimestamp });
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          this.correlator.forget(c); // gone (expired): write it afresh
        }
      }
      const name = eventName(obj.metadata.name ?? 'event');
      await this.client.create(R.events(namespace), {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name, namespace },
        involvedObject, reason, message: c.message, type, count: 1,
        firstTimestamp: now, lastTimestamp: now, source,
        reportingComponent: this.component, reportingInstance: this.host ?? this.component,
      });
      this.correlator.observe(c, { name, namespace, count: 1, firstTimestamp: now });
    } catch (err) {
      this.log?.warn({ err: (err as Error).message, reason, object: `${obj.kind}/${obj.metadata.name}` }, 'could not write event');
    }
  }
}
