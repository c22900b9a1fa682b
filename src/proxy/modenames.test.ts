import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROXY_MODES, ProxyModeError, isProxyMode, parseProxyMode } from './modenames.js';

test('proxy modes: every listed mode parses, case matters', () => {
  assert.deepEqual([...PROXY_MODES], ['iptables', 'nftables', 'userspace', 'ipvs']);
  for (const m of PROXY_MODES) assert.equal(parseProxyMode(m), m);
  assert.equal(isProxyMode('ipvs'), true);
  assert.equal(isProxyMode('IPTABLES'), false);
});

test('parseProxyMode: an unknown mode is an EFLAG naming the flag and the choices', () => {
  assert.throws(() => parseProxyMode('kernelspace', '--mode'), (e: unknown) => {
    assert.ok(e instanceof ProxyModeError);
    assert.equal(e.code, 'EFLAG');
    assert.equal(e.message, '--mode must be one of iptables, nftables, userspace, ipvs, not "kernelspace"');
    return true;
  });
});
