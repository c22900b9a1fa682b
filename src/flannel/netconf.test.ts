import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlannelConfigError, parseNetConf } from './config.js';

const bad = (msg: RegExp) => (e: unknown): boolean => e instanceof FlannelConfigError && e.code === 'EFLANNELCONFIG' && msg.test(e.message);

test('net-conf: flannel\'s defaults (SubnetLen 24, first subnet skipped, last subnet the max, udp backend type)', () => {
  assert.deepEqual(parseNetConf('{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}}'), {
    Network: '10.244.0.0/16', SubnetLen: 24, SubnetMin: '10.244.1.0', SubnetMax: '10.244.255.0',
    Backend: { Type: 'vxlan', VNI: 1, Port: 8472, DirectRouting: false },
  });
  // a network of /24 or smaller: subnets one bit longer
  assert.deepEqual(parseNetConf({ Network: '10.5.0.0/24', Backend: { Type: 'host-gw' } }), {
    Network: '10.5.0.0/24', SubnetLen: 25, SubnetMin: '10.5.0.128', SubnetMax: '10.5.0.128', Backend: { Type: 'host-gw' },
  });
  // the network is normalised to its base address
  assert.equal(parseNetConf({ Network: '10.244.7.9/16', Backend: { Type: 'host-gw' } }).Network, '10.244.0.0/16');
  // no Backend: flannel's default type, udp on port 8285
  assert.deepEqual(parseNetConf({ Network: '10.244.0.0/16' }).Backend, { Type: 'udp', Port: 8285 });
  assert.deepEqual(parseNetConf({ Network: '10.244.0.0/16', Backend: { Type: 'udp', Port: 9000 } }).Backend, { Type: 'udp', Port: 9000 });
});

test('net-conf: given values are kept (seed cluster 10.20.0.0/16, VNI, port, DirectRouting, bounds)', () => {
  const c = parseNetConf({ Network: '10.20.0.0/16', SubnetLen: 26, SubnetMin: '10.20.92.0', SubnetMax: '10.20.92.192', Backend: { Type: 'vxlan', VNI: 4096, Port: 4789, DirectRouting: true } });
  assert.deepEqual(c, { Network: '10.20.0.0/16', SubnetLen: 26, SubnetMin: '10.20.92.0', SubnetMax: '10.20.92.192', Backend: { Type: 'vxlan', VNI: 4096, Port: 4789, DirectRouting: true } });
});

test('net-conf: errors name the field', () => {
  assert.throws(() => parseNetConf('{"Network": '), bad(/not valid JSON/));
  assert.throws(() => parseNetConf('[]'), bad(/must be a JSON object/));
  assert.throws(() => parseNetConf({ Backend: { Type: 'vxlan' } }), bad(/"Network" \(an IPv4 CIDR\) is required/));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/33' }), bad(/Network: .*not an IPv4 CIDR/));
  assert.throws(() => parseNetConf({ Network: 'fd00::/48' }), bad(/Network: /));
  for (const SubnetLen of [16, 31, 24.5, '24']) assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', SubnetLen, Backend: { Type: 'vxlan' } }), bad(/SubnetLen .* must be an integer between 17 and 30/), String(SubnetLen));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', SubnetMin: '10.245.0.0', Backend: { Type: 'vxlan' } }), bad(/SubnetMin 10\.245\.0\.0 is outside Network 10\.244\.0\.0\/16/));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', SubnetMax: '10.244.3.7', Backend: { Type: 'vxlan' } }), bad(/SubnetMax 10\.244\.3\.7 is not aligned to SubnetLen 24/));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', SubnetMin: 'ten', Backend: { Type: 'vxlan' } }), bad(/SubnetMin "ten" is not an IPv4 address/));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', SubnetMin: 5, Backend: { Type: 'vxlan' } }), bad(/SubnetMin must be an IPv4 address/));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', Backend: {} }), bad(/Backend\.Type is required/));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan', VNI: 16777216 } }), bad(/Backend\.VNI 16777216 must be 0-16777215/));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan', Port: 0 } }), bad(/Backend\.Port 0 must be 1-65535/));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', Backend: { Type: 'ipip' } }), bad(/Backend\.Type "ipip" is not supported \(vxlan, host-gw, udp\)/));
  assert.throws(() => parseNetConf({ Network: '10.244.0.0/16', Backend: { Type: 'udp', Port: 70000 } }), bad(/Backend\.Port 70000 must be 1-65535/));
});
