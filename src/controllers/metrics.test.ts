import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerRegistry } from './metrics.js';
import { WorkQueue } from './queue.js';

test('work queues feed workqueue_adds_total, workqueue_depth, workqueue_retries_total and work durations', async () => {
  const q = new WorkQueue({ name: 'tmetrics', baseDelayMs: 1 });
  const ac = new AbortController();
  let failed = false;
  const seen: string[] = [];
  const run = q.run(async (k) => {
    seen.push(k);
    if (k === 'b' && !failed) { failed = true; throw new Error('once'); }
    if (seen.length === 3) ac.abort();
  }, ac.signal);
  q.add('a'); q.add('b');
  await run;
  const text = await controllerRegistry.metrics();
  assert.match(text, /^workqueue_adds_total\{name="tmetrics"\} 3$/m);
  assert.match(text, /^workqueue_retries_total\{name="tmetrics"\} 1$/m);
  assert.match(text, /^workqueue_depth\{name="tmetrics"\} 0$/m);
  assert.match(text, /^workqueue_work_duration_seconds_count\{name="tmetrics"\} 3$/m);
});
