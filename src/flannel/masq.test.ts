import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FWD_CHAIN, MASQ_CHAIN, masqRules } from './masq.js';

test('masquerade rules: pod ↔ pod keeps addresses, pod → outside is masqueraded, forward accepted for the network', () => {
  const text = masqRules('10.244.0.0/16', '10.244.3.0/24');
  const C = '-m comment --comment "flanneld masq"';
  assert.deepEqual(text.split('\n'), [
    '*nat',
    `:${MASQ_CHAIN} - [0:0]`,
    `-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 ${C} -j RETURN`,
    `-A FLANNEL-POSTRTG -s 10.244.3.0/24 -d 10.244.0.0/16 ${C} -j RETURN`,
    `-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.3.0/24 ${C} -j RETURN`,
    `-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.3.0/24 ${C} -j RETURN`,
    `-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 ${C} -j MASQUERADE --random-fully`,
    `-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 ${C} -j MASQUERADE --random-fully`,
    'COMMIT',
    '*filter',
    `:${FWD_CHAIN} - [0:0]`,
    '-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT',
    '-A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT',
    'COMMIT',
    '',
  ]);
});
