import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSubnetEnv, writeSubnetEnv } from './subnetenv.js';

test('subnet.env: FLANNEL_SUBNET is the first host address with the subnet length, as flanneld writes it', () => {
  assert.equal(renderSubnetEnv({ network: '10.20.0.0/16', subnet: '10.20.92.0/24', mtu: 1450, ipMasq: false }),
    'FLANNEL_NETWORK=10.20.0.0/16\nFLANNEL_SUBNET=10.20.92.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n');
});

test('subnet.env: written atomically, creating the directory; an unchanged file is left alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-subnetenv-'));
  try {
    const path = join(dir, 'run', 'flannel', 'subnet.env');
    const e = { network: '10.244.0.0/16', subnet: '10.244.3.0/24', mtu: 1500, ipMasq: true };
    writeSubnetEnv(path, e);
    assert.equal(readFileSync(path, 'utf8'), renderSubnetEnv(e));
    const before = statSync(path).ino;
    writeSubnetEnv(path, e);
    assert.equal(statSync(path).ino, before, 'same content: not rewritten');
    writeSubnetEnv(path, { ...e, mtu: 1450 });
    assert.match(readFileSync(path, 'utf8'), /^FLANNEL_MTU=1450$/m);
    assert.deepEqual(readdirSync(join(dir, 'run', 'flannel')), ['subnet.env'], 'no temp file left');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
