// NodePorts on 127.0.0.1 inside a node netns, per proxy mode, as upstream kube-proxy serves them:
// iptables mode (--iptables-localhost-nodeports, default true) DNATs and masquerades them after setting
// route_localnet=1; switched off, or in nftables mode, 127.0.0.0/8 is left out and the kernel refuses at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createProxyTopo, ProxyDriverProc, type ProxyTopo } from '../support/proxyTopo.js';

const NS = 'pxlocal';
function svc(name: string, ip: string, nodePort: number, etp: 'Cluster' | 'Local'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: NS, name },
    spec: { type: 'NodePort', clusterIP: ip, externalTrafficPolicy: etp, ports: [{ name: 'tcp', port: 80, protocol: 'TCP', targetPort: 8080, nodePort }] } } as Service;
}
function slice(service: string, t: ProxyTopo): EndpointSlice {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', metadata: { namespace: NS, name: `${service}-x`, labels: { 'kubernetes.io/service-name': service } },
    ports: [{ name: 'tcp', port: 8080, protocol: 'TCP' }],
    endpoints: t.podIPs.map((ip, i) => ({ addresses: [ip], nodeName: i === 0 ? 'node1' : 'node2', conditions: { ready: true } })) } as EndpointSlice;
}

const CASES = [
  { mode: 'nftables', localhost: undefined, served: false },
  { mode: 'iptables', localhost: undefined, served: true },
  { mode: 'iptables', localhost: false, served: false },
  // again, now that an iptables run left route_localnet=1: the refusal comes from the rules, not from the sysctl
  { mode: 'nftables', localhost: undefined, served: false },
] as const;

test('NodePorts on 127.0.0.1: iptables serves them (unless switched off), nftables refuses them', { timeout: 180_000 }, async (tt) => {
  const t = await createProxyTopo();
  let drv: ProxyDriverProc | undefined;
  try {
    const objs = { services: [svc('np', '10.96.0.20', 30090, 'Cluster'), svc('nplocal', '10.96.0.21', 30091, 'Local')], slices: [slice('np', t), slice('nplocal', t)] };
    for (const c of CASES) {
      await tt.test(`${c.mode}${c.localhost === false ? ' --iptables-localhost-nodeports=false' : ''}`, async () => {
        drv = ProxyDriverProc.start(t);
        const opts = { clusterCidr: '10.244.0.0/16', nodeIPs: [t.nodeIP], nodeName: 'node1', minSyncPeriodMs: 0, ...(c.localhost === undefined ? {} : { localhostNodePorts: c.localhost }) };
        const st = await drv.request({ op: 'start', mode: c.mode, opts });
        assert.ok(st.ok, st.error);
        const r = await drv.request({ op: 'sync', ...objs });
        assert.ok(r.ok, r.error);

        // The node IP serves the node port in every case.
        const viaNode = await t.probe(t.ext, 'tcp', t.nodeIP, 30090, 3);
        assert.equal(Object.values(viaNode.answers).reduce((a, b) => a + b, 0), 3, JSON.stringify(viaNode));

        const lo = await t.probe(t.node, 'tcp', '127.0.0.1', 30090, c.served ? 30 : 1, 1000);
        const filter = await t.run(t.node, ['iptables-save', '-t', 'filter']);
        if (c.served) {
          // Every connection reaches a pod, spread over the endpoints, masqueraded (never from 127.0.0.1).
          assert.deepEqual(lo.errors, {}, JSON.stringify(lo));
          assert.equal(Object.values(lo.answers).reduce((a, b) => a + b, 0), 30, JSON.stringify(lo));
          assert.ok(Object.keys(lo.answers).length >= 2, `one endpoint only: ${JSON.stringify(lo.answers)}`);
          assert.ok(!Object.keys(lo.sources).some((s) => s.startsWith('127.')), JSON.stringify(lo.sources));
          // externalTrafficPolicy Local: LOCAL-sourced traffic is masqueraded and routed to the cluster chain.
          const loLocal = await t.probe(t.node, 'tcp', '127.0.0.1', 30091, 6, 1000);
          assert.equal(Object.values(loLocal.answers).reduce((a, b) => a + b, 0), 6, JSON.stringify(loLocal));
          assert.equal((await t.run(t.node, ['sysctl', '-n', 'net.ipv4.conf.all.route_localnet'])).trim(), '1');
          assert.match(filter, /^-A KUBE-FIREWALL ! -s 127\.0\.0\.0\/8 -d 127\.0\.0\.0\/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP$/m);
          assert.match(filter, /^-A INPUT -j KUBE-FIREWALL$/m);
          assert.match(filter, /^-A OUTPUT -j KUBE-FIREWALL$/m);
        } else {
          // Not DNATed: nothing listens on 127.0.0.1:30090, so the kernel answers with a RST at once.
          assert.deepEqual(lo.answers, {}, JSON.stringify(lo));
          assert.equal(lo.errors.ECONNREFUSED, 1, JSON.stringify(lo));
          assert.ok((lo.firstErrorMs ?? 9999) < 1000, `took ${lo.firstErrorMs} ms`);
          assert.doesNotMatch(filter, /KUBE-FIREWALL/, 'no localnet guard without localhost node ports');
        }
        await drv.stop();
        drv = undefined;
      });
    }
    drv = ProxyDriverProc.start(t);
    assert.ok((await drv.request({ op: 'cleanup' })).ok);
    assert.doesNotMatch(await t.run(t.node, ['iptables-save']), /KUBE-/);
  } finally {
    await drv?.stop().catch(() => undefined);
    await t.destroy();
  }
});
