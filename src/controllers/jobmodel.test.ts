import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { jobBackoffMs, planJob } from './jobmodel.js';

const job = (spec: Partial<NonNullable<Job['spec']>> = {}, status?: Job['status']): Job => ({
  metadata: { name: 'pi', namespace: 'default', uid: 'u' }, spec: { completions: 3, parallelism: 2, backoffLimit: 1, template: {}, ...spec }, ...(status ? { status } : {}),
});
const pod = (name: string, phase: string): Pod => ({ metadata: { name }, spec: { containers: [] }, status: { phase } });
const now = new Date('2026-01-01T00:00:10.700Z');

test('Job: parallelism bounds the running pods; completions end it with SuccessCriteriaMet and Complete', () => {
  const p0 = planJob(job(), [], now);
  assert.equal(p0.create, 2);
  assert.equal(p0.status.startTime, '2026-01-01T00:00:10Z');
  assert.equal(planJob(job(), [pod('a', 'Succeeded'), pod('b', 'Succeeded'), pod('c', 'Running')], now).create, 0);
  assert.equal(planJob(job(), [pod('a', 'Succeeded'), pod('b', 'Running')], now).create, 1);
  const done = planJob(job(), [pod('a', 'Succeeded'), pod('b', 'Succeeded'), pod('c', 'Succeeded')], now);
  assert.equal(done.finished, 'Complete');
  assert.deepEqual(done.status.conditions!.map((c) => [c.type, c.status, c.reason]), [['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached']]);
  assert.equal(done.status.completionTime, '2026-01-01T00:00:10Z');
  assert.equal(done.status.succeeded, 3);
  // a finished Job stays finished and starts nothing
  assert.equal(planJob(job({}, done.status), [], now).create, 0);
});

test('Job: failures past backoffLimit fail it (BackoffLimitExceeded) and stop its active pods; replacements wait the back-off', () => {
  const f = planJob(job(), [pod('a', 'Failed'), pod('b', 'Failed'), pod('c', 'Running')], now);
  assert.equal(f.finished, 'Failed');
  assert.deepEqual(f.delete, ['c']);
  assert.deepEqual(f.status.conditions!.map((c) => c.reason), ['BackoffLimitExceeded', 'BackoffLimitExceeded']);
  const wait = planJob(job({ backoffLimit: 6 }), [pod('a', 'Failed')], now, now.getTime() - 4000);
  assert.deepEqual([wait.create, wait.retryInMs], [0, 6000]);
  assert.equal(planJob(job({ backoffLimit: 6 }), [pod('a', 'Failed')], now, now.getTime() - 11_000).create, 2);
  assert.deepEqual([jobBackoffMs(1), jobBackoffMs(2), jobBackoffMs(20)], [10_000, 20_000, 360_000]);
});
