// startProxy end to end through its list+watch path: objects in → rules in a scratch node netns; /healthz, /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KObject } from '../../src/api/kinds/types.js';
import { exec } from '../../src/util/exec.js';
import { createNamedNetns, deleteNamedNetns } from '../../src/net/netns.js';
import { startProxy } from '../../src/proxy/index.js';
import { seedServices, seedSlices } from '../../src/proxy/fixtures.js';
import { FakeKubeClient } from '../support/proxyFakeClient.js';

async function until(what: string, f: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) { if (Date.now() > end) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 50)); }
}

test('startProxy: watch events become iptables rules; healthz and metrics served', { timeout: 60_000 }, async () => {
  const name = `pn-tpx-${randomBytes(2).toString('hex')}-inf`;
  const ac = new AbortController();
  try {
    const ns = await createNamedNetns(name);
    const client = new FakeKubeClient();
    const [svc1, svc2] = seedServices() as unknown as KObject[];
    const [sl1, sl2] = seedSlices() as unknown as KObject[];
    client.put('services', svc1!); client.put('endpointslices', sl1!);
    const h = await startProxy({ proxyMode: 'iptables', netns: ns, clusterCidr: '10.20.0.0/16', hostname: 'k8s-node1', minSyncPeriodMs: 50, syncPeriodMs: 30_000,
      healthzBindAddress: '127.0.0.1:0', metricsBindAddress: '127.0.0.1:0' }, client, ac.signal);
    await h.ready;
    const save = async (): Promise<string> => (await exec(['ip', 'netns', 'exec', name, 'iptables-save', '-t', 'nat'])).stdout;
    assert.match(await save(), /KUBE-SVC-DM5EMDBLORDRGWLL/);
    // A new Service + slice arrive by watch.
    client.put('services', svc2!); client.put('endpointslices', sl2!);
    await until('mysql-demo2 rules', async () => /KUBE-SEP-7MWHP37XXE3W6QI4/.test(await save()));
    // Endpoints go away → chains removed, REJECT in filter.
    client.remove('endpointslices', sl1!);
    await until('mysql-demo chains removed', async () => !/KUBE-SVC-DM5EMDBLORDRGWLL/.test(await save()));
    assert.match((await exec(['ip', 'netns', 'exec', name, 'iptables-save', '-t', 'filter'])).stdout, /mysql-demo:mysqld-demo has no endpoints" -m tcp --dport 13306 -j REJECT/);
    const hz = await fetch(`http://127.0.0.1:${h.healthzPort}/healthz`);
    assert.equal(hz.status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${h.metricsPort}/metrics`)).text();
    // At least the initial sync and one per change above; a slow run may add periodic ones.
    const syncs = Number(/kubeproxy_sync_proxy_rules_duration_seconds_count (\d+)/.exec(metrics)?.[1] ?? 0);
    assert.ok(syncs >= 3, `sync count ${syncs}`);
    await h.stop();
  } finally {
    ac.abort();
    await deleteNamedNetns(name);
  }
});
