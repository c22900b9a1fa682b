// The diff-based syncs against the real kernel: after every kind of change, the rules an incremental sync leaves in a
// node netns equal those a fresh full sync of the same objects writes into another netns (iptables: canonical rules,
// KUBE-SERVICES order-free; nftables: the table's listing as a multiset), and a full sync planned against the
// kernel's own `iptables-save` finds nothing left to write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { exec } from '../../src/util/exec.js';
import { createNamedNetns, deleteNamedNetns, netnsPath } from '../../src/net/netns.js';
import { IptablesProxier } from '../../src/proxy/iptables/proxier.js';
import { NftablesProxier } from '../../src/proxy/nftables/proxier.js';
import { TrackerCache } from '../../src/proxy/tracker.js';
import { baseObjects, CHANGE_KINDS, type Objects } from '../../src/proxy/change-kinds.js';
import { NODE, RULE_OPTIONS } from '../../src/proxy/trace/scenarios.js';
import { canonRule, parseSavedTable } from '../../src/proxy/iptables/canon.js';
import { buildDesired, haveFromSave, planSync } from '../../src/proxy/iptables/sync-plan.js';
import type { Proxier } from '../../src/proxy/types.js';

const id = randomBytes(2).toString('hex');
const inNs = (ns: string, argv: string[]): Promise<string> => exec(['ip', 'netns', 'exec', ns, ...argv]).then((r) => r.stdout);

async function iptView(ns: string): Promise<string> {
  const dump = await inNs(ns, ['iptables-save']);
  const out: string[] = [];
  for (const t of ['nat', 'filter']) for (const [c, lines] of parseSavedTable(dump, t)) {
    const keys = lines.map(canonRule);
    out.push(`${t} ${c}: ${(t === 'nat' && c === 'KUBE-SERVICES' ? [...keys.slice(0, -1).sort(), `last ${keys.at(-1)}`] : keys).join(' ; ')}`);
  }
  return out.sort().join('\n');
}
async function nftView(ns: string): Promise<string> {
  const text = await inNs(ns, ['nft', 'list', 'table', 'ip', 'kube-proxy']);
  return text.split(/[\n,{}]/).map((s) => s.trim()).filter(Boolean).sort().join('\n');
}

const MODES: { name: string; make: (ns: string) => Proxier; view: (ns: string) => Promise<string> }[] = [
  { name: 'iptables', make: (ns) => new IptablesProxier({ ...RULE_OPTIONS, netns: netnsPath(ns) }), view: iptView },
  { name: 'nftables', make: (ns) => new NftablesProxier({ ...RULE_OPTIONS, netns: netnsPath(ns) }), view: nftView },
];

for (const m of MODES) {
  test(`${m.name}: incremental syncs through every change kind equal fresh full syncs`, async () => {
    const node = `pn-tpi-${id}-${m.name.slice(0, 3)}`, made: string[] = [node];
    try {
      await createNamedNetns(node);
      const p = m.make(node);
      const cache = new TrackerCache(NODE);
      const sync = (pr: Proxier, o: Objects, c = cache) => pr.sync(c.serviceMap(o.svcs), c.endpointsMap(o.slices));
      const first = await sync(p, baseObjects());
      assert.equal(first.full, true);
      for (const [kind, change] of Object.entries(CHANGE_KINDS)) {
        const o = baseObjects(); change(o);
        const r = await sync(p, o);
        assert.equal(r.full, false, kind);
        const ref = `pn-tpi-${id}-r${made.length}`; made.push(ref);
        await createNamedNetns(ref);
        await sync(m.make(ref), o, new TrackerCache(NODE));
        assert.equal(await m.view(node), await m.view(ref), `after "${kind}": incremental differs from a full sync`);
        if (m.name === 'iptables') {
          const c = new TrackerCache(NODE);
          const plan = planSync(buildDesired(c.serviceMap(o.svcs), c.endpointsMap(o.slices), RULE_OPTIONS), haveFromSave(await inNs(node, ['iptables-save'])), { firewallJumps: true });
          assert.deepEqual(plan.payloads, [], `after "${kind}": a full sync would still write`);
        }
        await deleteNamedNetns(ref); made.pop();
      }
    } finally {
      for (const ns of made) await deleteNamedNetns(ns);
    }
    const left = execFileSync('ip', ['netns', 'list']).toString().split('\n').filter((l) => l.startsWith(`pn-tpi-${id}`));
    assert.deepEqual(left, []);
  });
}
