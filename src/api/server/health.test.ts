import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_CHECKS, healthPath, runHealth, storageCheck, type HealthCheck } from './health.js';

const failing: HealthCheck = { name: 'etcd', check: async () => { throw new Error('connection refused'); } };
const ok: HealthCheck = { name: 'etcd', check: async () => undefined };
const q = (s = ''): URLSearchParams => new URLSearchParams(s);

test('healthPath: the three endpoints and single checks', () => {
  assert.deepEqual(healthPath('/readyz'), { endpoint: 'readyz' });
  assert.deepEqual(healthPath('/livez/etcd'), { endpoint: 'livez', check: 'etcd' });
  assert.equal(healthPath('/healthzz'), undefined);
  assert.equal(healthPath('/api/v1'), undefined);
});

test('all checks pass: "ok", or the list with ?verbose', async () => {
  assert.deepEqual(await runHealth('readyz', [...BASE_CHECKS, ok], q()), { code: 200, body: 'ok', failed: [] });
  const v = await runHealth('readyz', [...BASE_CHECKS, ok], q('verbose'));
  assert.equal(v.body, '[+]ping ok\n[+]log ok\n[+]etcd ok\nreadyz check passed\n');
});

test('a failing storage: 500, the failing check named, its reason withheld', async () => {
  const r = await runHealth('readyz', [...BASE_CHECKS, failing], q());
  assert.equal(r.code, 500);
  assert.equal(r.body, '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\nreadyz check failed\n');
  assert.deepEqual(r.failed, [{ name: 'etcd', error: 'connection refused' }]);
  const ex = await runHealth('livez', [...BASE_CHECKS, failing], q('exclude=etcd'));
  assert.equal(ex.code, 200);
  assert.equal((await runHealth('healthz', [...BASE_CHECKS, failing], q(), 'etcd')).code, 500);
  assert.equal((await runHealth('healthz', [...BASE_CHECKS, failing], q(), 'ping')).code, 200);
  assert.equal((await runHealth('healthz', [...BASE_CHECKS, failing], q(), 'nope')).code, 404);
});

test('storageCheck: a store that does not answer in time fails', async () => {
  await storageCheck(async () => 5).check();
  await assert.rejects(storageCheck(() => new Promise(() => undefined), 50).check(), /no answer within 50 ms/);
  await assert.rejects(storageCheck(async () => { throw new Error('down'); }).check(), /down/);
});
