// Seed 000's example in iptables mode: `iptables-save -t nat` in a node netns vs the seed's listing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { exec } from '../../src/util/exec.js';
import { createNamedNetns, deleteNamedNetns, netnsPath } from '../../src/net/netns.js';
import { IptablesProxier } from '../../src/proxy/iptables/proxier.js';
import { cleanupIptables } from '../../src/proxy/iptables/proxier.js';
import { buildEndpointsMap, buildServiceMap } from '../../src/proxy/tracker.js';
import { seedServices, seedSlices } from '../../src/proxy/fixtures.js';

import { SEED, MODERN } from '../support/seed-rules.js';

test('seed 000 example: iptables-save -t nat reproduces the seed listing name for name', async () => {
  const name = `pn-tpx-${randomBytes(2).toString('hex')}-seed`;
  try {
    await createNamedNetns(name);
    const p = new IptablesProxier({ netns: netnsPath(name) });
    await p.sync(buildServiceMap(seedServices()), buildEndpointsMap(seedSlices(), 'k8s-node1'));
    const saved = (await exec(['ip', 'netns', 'exec', name, 'iptables-save', '-t', 'nat'])).stdout.split('\n');
    let identical = 0;
    for (const line of SEED) {
      const want = MODERN.get(line) ?? line;
      if (want === line) identical++;
      assert.ok(saved.includes(want), `missing ${want}`);
    }
    assert.equal(identical, 6, 'six of the ten seed lines are byte-identical in iptables-save');
    for (const c of ['KUBE-SVC-DM5EMDBLORDRGWLL', 'KUBE-SEP-6XCC4VJACKOMSYVV', 'KUBE-SVC-NVNGTMQMPFTQA6YS', 'KUBE-SEP-7MWHP37XXE3W6QI4', 'KUBE-MARK-MASQ'])
      assert.ok(saved.includes(`:${c} - [0:0]`), c);
    assert.ok(saved.includes('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'), 'seed §三 PREROUTING jump');
    await cleanupIptables(netnsPath(name));
    const after = (await exec(['ip', 'netns', 'exec', name, 'iptables-save'])).stdout;
    assert.doesNotMatch(after, /KUBE-/);
  } finally {
    await deleteNamedNetns(name);
  }
});
