import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertResult, parseResult, requireSupported } from './version.js';
import { CniError } from './types.js';

const r1 = {
  cniVersion: '1.1.0',
  interfaces: [{ name: 'cni0', mac: 'aa:bb:cc:dd:ee:01', mtu: 1450 }, { name: 'eth0', mac: 'aa:bb:cc:dd:ee:02', sandbox: '/run/netns/x' }],
  ips: [{ address: '10.244.0.7/24', gateway: '10.244.0.1', interface: 1 }, { address: 'fd00::7/64', interface: 1 }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.244.0.1', mtu: 1400 }],
  dns: { nameservers: ['10.96.0.10'] },
};

test('1.x → 0.3.x/0.4.0 adds ips[].version and drops newer fields', () => {
  for (const v of ['0.3.0', '0.3.1', '0.4.0']) {
    const out = convertResult(parseResult(r1), v) as unknown as { cniVersion: string; ips: { version: string }[]; interfaces: object[]; routes: unknown };
    assert.equal(out.cniVersion, v);
    assert.deepEqual(out.ips.map((i) => i.version), ['4', '6']);
    assert.equal('mtu' in out.interfaces[0]!, false);
    assert.deepEqual(out.routes, [{ dst: '0.0.0.0/0', gw: '10.244.0.1' }]);
  }
});

test('0.4.0 → 1.0.0 drops ips[].version; 1.1.0 keeps route mtu', () => {
  const old = { cniVersion: '0.4.0', ips: [{ version: '4', address: '10.1.0.2/24', gateway: '10.1.0.1', interface: 0 }] };
  const out = convertResult(parseResult(old), '1.0.0');
  assert.deepEqual(out.ips, [{ address: '10.1.0.2/24', gateway: '10.1.0.1', interface: 0 }]);
  assert.deepEqual(convertResult(parseResult(r1), '1.1.0').routes, r1.routes);
  assert.deepEqual(convertResult(parseResult({ cniVersion: '1.0.0' }), '1.0.0'), { cniVersion: '1.0.0', dns: {} });
});

test('version validation: empty means 0.1.0 (unsupported), garbage is code 1', () => {
  for (const bad of [undefined, '', '0.2.0', '2.0.0', 'one']) {
    assert.throws(() => requireSupported(bad), (e: unknown) => e instanceof CniError && e.cniCode === 1);
  }
  assert.equal(requireSupported('0.3.1'), '0.3.1');
});
