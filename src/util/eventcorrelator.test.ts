import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMBINED_PREFIX, EventCorrelator, type CorrelatedEvent } from './eventcorrelator.js';

const ev = (message: string, reason = 'BackOff', host = 'node1'): CorrelatedEvent => ({
  source: { component: 'kubelet', host }, type: 'Warning', reason, message,
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'p', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{c}' },
});

test('identical events merge: count grows, the first timestamp stays', () => {
  const c = new EventCorrelator();
  const e = ev('Back-off restarting failed container c in pod p_default(u1)');
  const first = c.correlate(e, 0);
  assert.deepEqual(first, { action: 'create', message: e.message, count: 1 });
  c.observe(first, { name: 'p.1', namespace: 'default', count: 1, firstTimestamp: 'T0' });
  for (let i = 2; i <= 4; i++) {
    const r = c.correlate(e, i * 1000);
    assert.deepEqual(r, { action: 'update', name: 'p.1', namespace: 'default', message: e.message, count: i, firstTimestamp: 'T0' });
    c.observe(r, { name: 'p.1', namespace: 'default', count: i, firstTimestamp: 'T0' });
  }
});

test('events differing in source host, reason or object are not merged', () => {
  const c = new EventCorrelator();
  const a = ev('m');
  c.observe(c.correlate(a, 0), { name: 'a', namespace: 'default', count: 1, firstTimestamp: 'T' });
  assert.equal(c.correlate(ev('m', 'BackOff', 'node2'), 1).action, 'create');
  assert.equal(c.correlate(ev('m', 'Pulled'), 1).action, 'create');
  assert.equal(c.correlate({ ...a, involvedObject: { ...a.involvedObject, uid: 'u2' } }, 1).action, 'create');
});

test('the tenth similar event (same reason, new message) is combined and later ones merge into it', () => {
  const c = new EventCorrelator({ maxSimilar: 10, intervalMs: 600_000 });
  for (let i = 0; i < 9; i++) {
    const e = ev(`probe failed ${i}`, 'Unhealthy');
    const r = c.correlate(e, i);
    assert.equal(r.action, 'create');
    c.observe(r, { name: `n${i}`, namespace: 'default', count: 1, firstTimestamp: 'T' });
  }
  const tenth = ev('probe failed 9', 'Unhealthy');
  const r10 = c.correlate(tenth, 10);
  assert.deepEqual(r10, { action: 'create', message: `${COMBINED_PREFIX}probe failed 9`, count: 1 });
  c.observe(r10, { name: 'agg', namespace: 'default', count: 1, firstTimestamp: 'T10' });
  const eleventh = ev('probe failed 10', 'Unhealthy');
  assert.deepEqual(c.correlate(eleventh, 11), { action: 'update', name: 'agg', namespace: 'default', message: `${COMBINED_PREFIX}probe failed 10`, count: 2, firstTimestamp: 'T10' });
  // after the interval the aggregation starts over
  assert.equal(c.correlate(ev('probe failed 11', 'Unhealthy'), 11 + 600_001).action, 'create');
});

test('a forgotten event (deleted on the server) is created again', () => {
  const c = new EventCorrelator();
  const e = ev('x');
  const r = c.correlate(e, 0);
  c.observe(r, { name: 'n', namespace: 'default', count: 1, firstTimestamp: 'T' });
  const r2 = c.correlate(e, 1);
  assert.equal(r2.action, 'update');
  c.forget(r2);
  assert.equal(c.correlate(e, 2).action, 'create');
});
