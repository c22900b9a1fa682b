import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventQueue } from './queue.js';

test('EventQueue delivers in order, ends on end() and on abort', async () => {
  const ac = new AbortController();
  const q = new EventQueue<number>(ac.signal);
  for (let i = 0; i < 3000; i++) q.push(i);
  const got: number[] = [];
  const it = q.drain();
  for (let i = 0; i < 3000; i++) got.push((await it.next()).value as number);
  assert.deepEqual(got, Array.from({ length: 3000 }, (_, i) => i));
  const waiting = it.next();
  q.push(7);
  assert.deepEqual(await waiting, { done: false, value: 7 });
  const pending = it.next();
  ac.abort();
  assert.equal((await pending).done, true);
  q.push(8); // ignored after the end
  const q2 = new EventQueue<number>(new AbortController().signal);
  q2.push(1);
  q2.end();
  assert.deepEqual(await toArray(q2.drain()), [1]);
});

test('EventQueue fails a consumer that falls too far behind (dropping what is queued)', async () => {
  const q = new EventQueue<number>(new AbortController().signal, 3, () => new Error('too slow'));
  for (let i = 0; i < 4; i++) q.push(i);
  await assert.rejects(toArray(q.drain()), /too slow/);
  const q2 = new EventQueue<number>(new AbortController().signal);
  q2.push(1);
  q2.fail(new Error('boom'));
  const it = q2.drain();
  assert.deepEqual(await it.next(), { done: false, value: 1 });
  await assert.rejects(it.next(), /boom/);
});

async function toArray<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
