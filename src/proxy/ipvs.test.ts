import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { assertIpvsAvailable, IpvsUnavailableError } from './ipvs.js';
import { createProxier } from './modes.js';

test('ipvs mode names the missing ip_vs module (this kernel has none)', { skip: existsSync('/proc/net/ip_vs') ? 'ip_vs present' : false }, async () => {
  await assert.rejects(assertIpvsAvailable(), (e: unknown) => e instanceof IpvsUnavailableError && /ip_vs/.test(e.message) && e.code === 'EIPVS');
  await assert.rejects(createProxier('ipvs', {}), /kernel module ip_vs/);
});

test('unknown mode is a clear error', async () => {
  await assert.rejects(createProxier('bogus' as never, {}), /unknown proxy mode "bogus"/);
});
