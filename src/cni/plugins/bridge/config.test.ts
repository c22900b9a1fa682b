import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CniError, ErrCode, type NetConf } from '../../types.js';
import { loadBridgeConf } from './config.js';

const base = (extra: Record<string, unknown> = {}): NetConf => ({ cniVersion: '1.0.0', name: 'net', type: 'bridge', ipam: { type: 'host-local' }, ...extra });
const invalid = (field: RegExp) => (e: unknown): boolean => e instanceof CniError && e.cniCode === ErrCode.InvalidNetworkConfig && field.test(e.msg);

test('bridge config: upstream defaults (cni0, mtu 1500, no VLAN, every switch off)', () => {
  assert.deepEqual(loadBridgeConf(base()), {
    name: 'net', cniVersion: '1.0.0', bridge: 'cni0', isDefaultGateway: false, isGateway: false, forceAddress: false,
    ipMasq: false, mtu: 1500, hairpinMode: false, promiscMode: false, vlan: 0, ipamType: 'host-local',
  });
});

test('bridge config: isDefaultGateway implies isGateway; given values are kept', () => {
  const c = loadBridgeConf(base({ bridge: 'br-pods', isDefaultGateway: true, ipMasq: true, hairpinMode: true, promiscMode: true, forceAddress: true, mtu: 1450, vlan: 100 }));
  assert.equal(c.isGateway, true);
  assert.equal(c.isDefaultGateway, true);
  assert.deepEqual([c.bridge, c.mtu, c.vlan, c.ipMasq, c.hairpinMode, c.promiscMode, c.forceAddress], ['br-pods', 1450, 100, true, true, true, true]);
  assert.equal(loadBridgeConf(base({ isGateway: true })).isDefaultGateway, false);
  assert.equal(loadBridgeConf(base({ isGateway: null })).isGateway, false, 'null reads as unset');
});

test('bridge config: bad values are InvalidNetworkConfig (7) naming the field', () => {
  for (const name of ['', 'a-name-longer-than-15', 'has space', 'a/b', 'x:y', 42]) {
    assert.throws(() => loadBridgeConf(base({ bridge: name })), invalid(/invalid bridge name/), String(name));
  }
  for (const mtu of [67, 65536, 1500.5, '1500']) assert.throws(() => loadBridgeConf(base({ mtu })), invalid(/invalid mtu/), String(mtu));
  for (const vlan of [-1, 4095, 1.5, '10']) assert.throws(() => loadBridgeConf(base({ vlan })), invalid(/invalid VLAN ID .*between 0 and 4094/), String(vlan));
  assert.throws(() => loadBridgeConf(base({ isGateway: 'yes' })), invalid(/"isGateway" must be a boolean/));
  assert.throws(() => loadBridgeConf(base({ hairpinMode: 1 })), invalid(/"hairpinMode" must be a boolean/));
  assert.throws(() => loadBridgeConf({ cniVersion: '1.0.0', name: 'net', type: 'bridge' }), invalid(/missing "ipam"/));
  assert.throws(() => loadBridgeConf(base({ ipam: { type: '' } })), invalid(/missing "ipam"/));
  assert.doesNotThrow(() => loadBridgeConf(base({ mtu: 68, vlan: 4094, bridge: 'exactly15chars_' })));
});
