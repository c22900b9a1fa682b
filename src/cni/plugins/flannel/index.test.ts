import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CniError, ErrCode, type NetConf } from '../../types.js';
import { renderSubnetEnv } from '../../../flannel/subnetenv.js';
import { delegateConfig, parseSubnetEnv, readSubnetEnv } from './index.js';

const code = (c: number, msg?: RegExp) => (e: unknown): boolean => e instanceof CniError && e.cniCode === c && (!msg || msg.test(e.msg));
const conf = (extra: Record<string, unknown> = {}): NetConf => ({ cniVersion: '1.0.0', name: 'cbr0', type: 'flannel', ...extra });
const env = { network: '10.244.0.0/16', subnet: '10.244.3.1/24', mtu: 1450, ipmasq: true };

test('subnet.env: what flanneld writes is what the plugin reads', () => {
  const text = renderSubnetEnv({ network: '10.244.0.0/16', subnet: '10.244.3.0/24', mtu: 1450, ipMasq: true });
  assert.equal(text, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
  assert.deepEqual(parseSubnetEnv(text), { network: '10.244.0.0/16', subnet: '10.244.3.1/24', mtu: 1450, ipmasq: true });
  assert.deepEqual(parseSubnetEnv('FLANNEL_NETWORK=10.1.0.0/16\n# comment\n FLANNEL_SUBNET = 10.1.17.1/24 \nFLANNEL_IPMASQ=false\n'), { network: '10.1.0.0/16', subnet: '10.1.17.1/24', ipmasq: false });
  assert.deepEqual(parseSubnetEnv('FLANNEL_IPV6_NETWORK=fd00::/56\nFLANNEL_IPV6_SUBNET=fd00:0:0:3::1/64\n'), { network: '', subnet: '', ipv6Network: 'fd00::/56', ipv6Subnet: 'fd00:0:0:3::1/64' });
});

test('subnet.env: missing or bad values are InvalidNetworkConfig (7); a missing file is TryAgainLater (11)', () => {
  assert.throws(() => parseSubnetEnv('FLANNEL_SUBNET=10.1.17.1/24\n', '/x/subnet.env'), code(ErrCode.InvalidNetworkConfig, /\/x\/subnet\.env is missing FLANNEL_NETWORK/));
  assert.throws(() => parseSubnetEnv('FLANNEL_NETWORK=10.1.0.0/16\n'), code(ErrCode.InvalidNetworkConfig, /missing FLANNEL_SUBNET/));
  assert.throws(() => parseSubnetEnv('FLANNEL_NETWORK=10.1.0.0/33\nFLANNEL_SUBNET=10.1.17.1/24\n'), code(ErrCode.InvalidNetworkConfig, /FLANNEL_NETWORK/));
  assert.throws(() => parseSubnetEnv('FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17/24\n'), code(ErrCode.InvalidNetworkConfig, /FLANNEL_SUBNET/));
  for (const mtu of ['abc', '67', '1400.5']) assert.throws(() => parseSubnetEnv(`FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=${mtu}\n`), code(ErrCode.InvalidNetworkConfig, /invalid FLANNEL_MTU/), mtu);
  const dir = mkdtempSync(join(tmpdir(), 'pn-flannel-cni-'));
  try {
    assert.throws(() => readSubnetEnv(join(dir, 'subnet.env')), code(ErrCode.TryAgainLater, /failed to load flannel 'subnet\.env' file/));
    writeFileSync(join(dir, 'subnet.env'), 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\n');
    assert.deepEqual(readSubnetEnv(join(dir, 'subnet.env')), { network: '10.1.0.0/16', subnet: '10.1.17.1/24' });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('delegate config: bridge with hairpin, gateway, default gateway, mtu from FLANNEL_MTU, no ipMasq while flanneld masquerades', () => {
  assert.deepEqual(delegateConfig(conf(), env), {
    name: 'cbr0', cniVersion: '1.0.0', type: 'bridge',
    hairpinMode: true, isGateway: true, ipMasq: false, isDefaultGateway: true, mtu: 1450,
    // flanneld writes the gateway form (10.244.3.1/24); host-local gets the network
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.3.0/24' }]], routes: [{ dst: '10.244.0.0/16' }] },
  });
  assert.equal(delegateConfig(conf(), { ...env, ipmasq: false }).ipMasq, true, 'flanneld does not masquerade: the bridge does');
  assert.equal(delegateConfig(conf(), { network: env.network, subnet: env.subnet }).ipMasq, true, 'FLANNEL_IPMASQ absent reads as false');
  assert.equal('mtu' in delegateConfig(conf(), { network: env.network, subnet: env.subnet }), false, 'no FLANNEL_MTU, no mtu');
});

test('delegate config: the user\'s delegate and ipam values win; name and cniVersion always come from the network', () => {
  const d = delegateConfig(conf({
    cniVersion: '0.4.0',
    delegate: { name: 'other', cniVersion: '1.1.0', bridge: 'mynet0', mtu: 1400, hairpinMode: false, ipMasq: true, isDefaultGateway: false },
    ipam: { type: 'my-ipam', routes: [{ dst: '0.0.0.0/0' }], ranges: [[{ subnet: '1.2.3.0/24' }]] },
    runtimeConfig: { portMappings: [] }, args: { cni: { ips: ['10.244.3.9'] } }, dns: { nameservers: ['10.96.0.10'] },
  }), env);
  assert.deepEqual(d, {
    name: 'cbr0', cniVersion: '0.4.0', type: 'bridge', bridge: 'mynet0', mtu: 1400, hairpinMode: false, ipMasq: true, isDefaultGateway: false, isGateway: true,
    ipam: { type: 'my-ipam', routes: [{ dst: '0.0.0.0/0' }], ranges: [[{ subnet: '10.244.3.0/24' }]] },
    runtimeConfig: { portMappings: [] }, args: { cni: { ips: ['10.244.3.9'] } }, dns: { nameservers: ['10.96.0.10'] },
  });
});

test('delegate config: another delegate type gets no bridge switches; dual stack gets both ranges and routes', () => {
  const ipvlan = delegateConfig(conf({ delegate: { type: 'ipvlan', master: 'eth0' } }), env);
  assert.equal(ipvlan.type, 'ipvlan');
  assert.equal(ipvlan.master, 'eth0');
  assert.equal(ipvlan.mtu, 1450);
  for (const k of ['hairpinMode', 'isGateway', 'isDefaultGateway']) assert.equal(k in ipvlan, false, k);
  const dual = delegateConfig(conf(), { ...env, ipv6Network: 'fd00::/56', ipv6Subnet: 'fd00:0:0:3::1/64' });
  assert.deepEqual(dual.ipam, {
    type: 'host-local',
    ranges: [[{ subnet: '10.244.3.0/24' }], [{ subnet: 'fd00:0:0:3::/64' }]],
    routes: [{ dst: '10.244.0.0/16' }, { dst: 'fd00::/56' }],
  });
});
