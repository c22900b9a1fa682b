import { test } from 'node:test';
import assert from 'node:assert/strict';
import { microTime, normalizeTimes, rfc3339, toWholeSeconds } from './time.js';

test('metav1.Time is whole seconds, truncated; MicroTime keeps six digits', () => {
  const d = new Date('2026-03-04T05:06:07.890Z');
  assert.equal(rfc3339(d), '2026-03-04T05:06:07Z');
  assert.equal(microTime(d), '2026-03-04T05:06:07.890000Z');
  assert.equal(toWholeSeconds('2026-03-04T05:06:07.123456Z'), '2026-03-04T05:06:07Z');
  assert.equal(toWholeSeconds('2026-03-04T05:06:07.5+02:00'), '2026-03-04T05:06:07+02:00');
  assert.equal(toWholeSeconds('2026-03-04T05:06:07Z'), '2026-03-04T05:06:07Z');
  assert.equal(toWholeSeconds('not a time'), 'not a time');
});

test('normalizeTimes rewrites Time fields everywhere in an object, never MicroTime fields or map values', () => {
  const pod = {
    metadata: { creationTimestamp: '2026-01-01T00:00:00.123Z', annotations: { startedAt: '2026-01-01T00:00:00.5Z' } },
    status: {
      startTime: '2026-01-01T00:00:01.999Z',
      conditions: [{ type: 'Ready', lastTransitionTime: '2026-01-01T00:00:02.001Z', lastProbeTime: null }],
      containerStatuses: [{ state: { terminated: { startedAt: '2026-01-01T00:00:03.1Z', finishedAt: '2026-01-01T00:00:04.9Z' } } }],
    },
  };
  normalizeTimes(pod);
  assert.equal(pod.metadata.creationTimestamp, '2026-01-01T00:00:00Z');
  assert.equal(pod.metadata.annotations.startedAt, '2026-01-01T00:00:00.5Z');
  assert.equal(pod.status.startTime, '2026-01-01T00:00:01Z');
  assert.equal(pod.status.conditions[0]!.lastTransitionTime, '2026-01-01T00:00:02Z');
  assert.equal(pod.status.conditions[0]!.lastProbeTime, null);
  assert.deepEqual(pod.status.containerStatuses[0]!.state.terminated, { startedAt: '2026-01-01T00:00:03Z', finishedAt: '2026-01-01T00:00:04Z' });
  const lease = { spec: { renewTime: '2026-01-01T00:00:00.123456Z', acquireTime: '2026-01-01T00:00:00.1Z' } };
  normalizeTimes(lease);
  assert.deepEqual(lease.spec, { renewTime: '2026-01-01T00:00:00.123456Z', acquireTime: '2026-01-01T00:00:00.1Z' });
  const ev = { eventTime: '2026-01-01T00:00:00.123456Z', firstTimestamp: '2026-01-01T00:00:00.9Z', series: { lastObservedTime: '2026-01-01T00:00:00.123456Z' } };
  normalizeTimes(ev);
  assert.deepEqual(ev, { eventTime: '2026-01-01T00:00:00.123456Z', firstTimestamp: '2026-01-01T00:00:00Z', series: { lastObservedTime: '2026-01-01T00:00:00.123456Z' } });
});
