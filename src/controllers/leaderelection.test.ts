import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type KubeClient } from '../client/index.js';
import type { KObject } from '../meta/types.js';
import { LeaderElector } from './leaderelection.js';

/** One Lease with resourceVersion compare-and-swap, as the API server keeps it (a fake for the election logic only). */
function fakeLeaseClient(): { client: KubeClient; lease(): KObject | undefined } {
  let stored: KObject | undefined;
  let rv = 0;
  const err = (code: number, reason: string): ApiError => new ApiError(code, { reason, message: reason } as never);
  const client = {
    async get() { if (!stored) throw err(404, 'NotFound'); return structuredClone(stored); },
    async create(_r: unknown, o: KObject) { if (stored) throw err(409, 'AlreadyExists'); stored = { ...structuredClone(o), metadata: { ...o.metadata, resourceVersion: String(++rv) } }; return structuredClone(stored); },
    async update(_r: unknown, o: KObject) {
      if (!stored) throw err(404, 'NotFound');
      if (o.metadata.resourceVersion !== stored.metadata.resourceVersion) throw err(409, 'Conflict');
      stored = { ...structuredClone(o), metadata: { ...o.metadata, resourceVersion: String(++rv) } };
      return structuredClone(stored);
    },
  } as unknown as KubeClient;
  return { client, lease: () => stored };
}

test('leader election: one holder; the other takes over only after expiry, or at once after a release; a stale write loses', async () => {
  const f = fakeLeaseClient();
  const a = new LeaderElector(f.client, { identity: 'a', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 });
  const b = new LeaderElector(f.client, { identity: 'b', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 });
  const t0 = Date.now();
  assert.equal(await a.tryAcquireOrRenew(t0), true);
  assert.equal(await b.tryAcquireOrRenew(t0 + 1000), false, 'held and fresh');
  assert.equal(await a.tryAcquireOrRenew(t0 + 2000), true, 'renew');
  assert.equal(await b.tryAcquireOrRenew(t0 + 4000), false, 'renewed at +2 s: still valid at +4 s');
  assert.equal(await b.tryAcquireOrRenew(t0 + 5500), true, 'expired at +5 s: b takes over');
  const spec = (f.lease()!.spec ?? {}) as { holderIdentity?: string; leaseTransitions?: number };
  assert.equal(spec.holderIdentity, 'b');
  assert.equal(spec.leaseTransitions, 1);
  assert.equal(await a.tryAcquireOrRenew(t0 + 6000), false, 'a lost it');
  await b.release();
  assert.equal(((f.lease()!.spec ?? {}) as { holderIdentity?: string }).holderIdentity, '');
  assert.equal(await a.tryAcquireOrRenew(), true, 'released: a takes it at once');
});
