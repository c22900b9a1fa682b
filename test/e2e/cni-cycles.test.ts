import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { CniFixture, OUR_BIN, ipFiles, natRules, vethsIn } from '../support/netns.js';
import { CniRuntime } from '../../src/cni/runtime/index.js';
import { createNamedNetns, deleteNamedNetns } from '../../src/net/netns.js';

/** Acceptance 4: repeated ADD/DEL leaves no veth, IP file, cache entry or iptables rule. */
const CYCLES = Number(process.env.PODNET_CNI_CYCLES ?? 200);
const PARALLEL = 4;

test(`${CYCLES} ADD/DEL cycles through the runtime leave nothing behind`, async () => {
  const f = new CniFixture();
  const made = new Set<string>();
  try {
    const node = await f.netns('n');
    const confDir = join(f.dir, 'net.d'), ipam = join(f.dir, 'ipam'), cacheDir = join(f.dir, 'cache');
    mkdirSync(confDir);
    writeFileSync(join(confDir, '10.conflist'), JSON.stringify({
      cniVersion: '1.0.0', name: 'pncyc',
      plugins: [{ type: 'bridge', bridge: 'cni0', isDefaultGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', dataDir: ipam, ranges: [[{ subnet: '10.244.20.0/28' }]] } }],
    }));
    const rt = new CniRuntime({ confDir, binDirs: [OUR_BIN], cacheDir, netns: node });
    // a /28 has 13 usable addresses: the allocator must keep reusing freed ones
    const pods = await Promise.all(Array.from({ length: PARALLEL }, async (_, i) => {
      const name = `pn-tcni-${f.id}-c${i}`;
      made.add(name);
      return createNamedNetns(name);
    }));
    let next = 0, failed = false;
    // allSettled: on a failure the other workers stop at their next cycle before cleanup runs
    const settled = await Promise.allSettled(pods.map(async (netnsPath) => {
      for (;;) {
        const n = next++;
        if (n >= CYCLES || failed) return;
        const p = { containerId: `cycle${n}`, netnsPath, ifName: 'eth0', podName: `p${n}`, podNamespace: 'd', podUid: `u${n}` };
        try {
          const r = await rt.setUp(p);
          assert.equal(r.ips.length, 1);
          await rt.tearDown(p);
        } catch (e) { failed = true; throw e; }
      }
    }));
    const bad = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (bad) throw bad.reason;
    assert.deepEqual(await vethsIn(node), []);
    assert.deepEqual(ipFiles(ipam, 'pncyc'), []);
    assert.deepEqual(readdirSync(join(cacheDir, 'results')), []);
    assert.deepEqual(await natRules(node), []);
  } finally {
    for (const n of made) await deleteNamedNetns(n);
    await f.cleanup();
  }
});
