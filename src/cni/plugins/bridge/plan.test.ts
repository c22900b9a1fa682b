import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachmentAlias, parseAttachmentAlias, bridgeResult, containerIpLines, planGateways } from './plan.js';

test('planGateways: the gateway defaults to the subnet\'s first address; the bridge gets it with the prefix', () => {
  const p = planGateways({ isGateway: true, isDefaultGateway: false }, [{ address: '10.244.3.7/24' }], [{ dst: '10.244.0.0/16' }]);
  assert.deepEqual(p.ips, [{ address: '10.244.3.7/24', gateway: '10.244.3.1' }]);
  assert.deepEqual(p.gws, [{ gw: '10.244.3.1', prefix: 24 }]);
  assert.deepEqual(p.routes, [{ dst: '10.244.0.0/16' }], 'no default route without isDefaultGateway');
});

test('planGateways: isDefaultGateway adds one default route per family unless IPAM already has one', () => {
  const ips = [{ address: '10.244.3.7/24', gateway: '10.244.3.254' }, { address: 'fd00:1::7/64' }];
  const p = planGateways({ isGateway: true, isDefaultGateway: true }, ips, undefined);
  assert.deepEqual(p.gws, [{ gw: '10.244.3.254', prefix: 24 }, { gw: 'fd00:1::1', prefix: 64 }], 'an IPAM gateway is kept');
  assert.deepEqual(p.routes, [{ dst: '0.0.0.0/0', gw: '10.244.3.254' }, { dst: '::/0', gw: 'fd00:1::1' }]);
  const own = planGateways({ isGateway: true, isDefaultGateway: true }, [{ address: '10.1.0.5/16' }], [{ dst: '0.0.0.0/0', gw: '10.1.0.254' }]);
  assert.deepEqual(own.routes, [{ dst: '0.0.0.0/0', gw: '10.1.0.254' }]);
  assert.equal(ips[1]!.hasOwnProperty('gateway'), false, 'the input is not modified');
});

test('planGateways: not a gateway → no bridge address and no gateway invented', () => {
  const p = planGateways({ isGateway: false, isDefaultGateway: false }, [{ address: '10.5.0.9/24' }], []);
  assert.deepEqual(p, { ips: [{ address: '10.5.0.9/24' }], gws: [], routes: [] });
  assert.throws(() => planGateways({ isGateway: true, isDefaultGateway: false }, [{ address: 'nonsense' }], []), /ipam result address/);
});

test('containerIpLines: addresses (IPv4 with broadcast), link up, routes via the family\'s gateway', () => {
  const lines = containerIpLines('eth0', [{ address: '10.244.3.7/24', gateway: '10.244.3.1' }, { address: 'fd00:1::7/64', gateway: 'fd00:1::1' }],
    [{ dst: '0.0.0.0/0', gw: '10.244.3.1' }, { dst: '10.96.0.0/12' }, { dst: '::/0' }, { dst: '192.168.0.0/16', gw: '10.244.3.254', mtu: 1400 }]);
  assert.deepEqual(lines, [
    'addr add 10.244.3.7/24 dev eth0 brd +',
    'addr add fd00:1::7/64 dev eth0',
    'link set dev eth0 up',
    'route add default via 10.244.3.1 dev eth0',
    'route add 10.96.0.0/12 via 10.244.3.1 dev eth0',
    '-6 route add default via fd00:1::1 dev eth0',
    'route add 192.168.0.0/16 via 10.244.3.254 dev eth0 mtu 1400',
  ]);
  assert.deepEqual(containerIpLines('net1', [{ address: '10.0.0.2/30' }], [{ dst: '10.9.0.0/16' }]), ['addr add 10.0.0.2/30 dev net1 brd +', 'link set dev net1 up', 'route add 10.9.0.0/16 dev net1']);
});

test('bridgeResult: interfaces in upstream order, every IP on the container interface', () => {
  const r = bridgeResult('1.0.0', {
    bridge: { name: 'cni0', mac: 'aa:aa:aa:aa:aa:01' }, host: { name: 'veth0123abcd', mac: 'aa:aa:aa:aa:aa:02' },
    container: { name: 'eth0', mac: 'aa:aa:aa:aa:aa:03', sandbox: '/run/netns/p' },
  }, [{ address: '10.244.3.7/24', gateway: '10.244.3.1' }], [{ dst: '0.0.0.0/0', gw: '10.244.3.1' }], { nameservers: ['10.96.0.10'] });
  assert.deepEqual(r, {
    cniVersion: '1.0.0',
    interfaces: [{ name: 'cni0', mac: 'aa:aa:aa:aa:aa:01' }, { name: 'veth0123abcd', mac: 'aa:aa:aa:aa:aa:02' }, { name: 'eth0', mac: 'aa:aa:aa:aa:aa:03', sandbox: '/run/netns/p' }],
    ips: [{ address: '10.244.3.7/24', gateway: '10.244.3.1', interface: 2 }],
    routes: [{ dst: '0.0.0.0/0', gw: '10.244.3.1' }],
    dns: { nameservers: ['10.96.0.10'] },
  });
});

test('attachment labels round-trip, stay one ip -batch word, and name only their own network', () => {
  const a = attachmentAlias('pn net', "c'1(x)", 'eth0');
  assert.match(a, /^[A-Za-z0-9%._/-]+$/);
  assert.deepEqual(parseAttachmentAlias('pn net', a), { containerId: "c'1(x)", ifName: 'eth0' });
  assert.equal(parseAttachmentAlias('other', a), undefined);
  assert.equal(parseAttachmentAlias('pn net', 'podnet-cni/%E0%A4%A/x/y'), undefined, 'bad escapes are not an attachment');
  assert.equal(parseAttachmentAlias('pn net', 'someone else'), undefined);
  assert.ok(attachmentAlias('n', 'x'.repeat(300), 'eth0').length <= 255);
});
