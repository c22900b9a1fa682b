// Services through the proxier in each mode, on a real netns topology (no API server needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createProxyTopo, ProxyDriverProc, type ProxyTopo } from '../support/proxyTopo.js';

const NS = 'pxtest';
function svc(name: string, ip: string, extra: Partial<NonNullable<Service['spec']>> = {}, ports = [{ name: 'tcp', port: 80, protocol: 'TCP' }, { name: 'udp', port: 80, protocol: 'UDP' }]): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: NS, name }, spec: { type: 'ClusterIP', clusterIP: ip, ports: ports.map((p) => ({ ...p, targetPort: 8080 })), ...extra } } as Service;
}
function slice(service: string, eps: { ip: string; node: string }[], portNames = ['tcp', 'udp']): EndpointSlice {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', metadata: { namespace: NS, name: `${service}-x`, labels: { 'kubernetes.io/service-name': service } },
    ports: portNames.map((n) => ({ name: n, port: 8080, protocol: n === 'udp' ? 'UDP' : 'TCP' })),
    endpoints: eps.map((e) => ({ addresses: [e.ip], nodeName: e.node, conditions: { ready: true } })) } as EndpointSlice;
}

function objects(t: ProxyTopo): { services: Service[]; slices: EndpointSlice[] } {
  const all = t.podIPs.map((ip, i) => ({ ip, node: i === 0 ? 'node1' : 'node2' }));
  return {
    services: [
      svc('web', '10.96.0.10'),
      svc('sticky', '10.96.0.11', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 300 } } }),
      svc('empty', '10.96.0.12'),
      svc('np', '10.96.0.13', { type: 'NodePort' }, [{ name: 'tcp', port: 80, protocol: 'TCP', nodePort: 30080 } as never]),
      svc('local', '10.96.0.14', { type: 'NodePort', externalTrafficPolicy: 'Local' }, [{ name: 'tcp', port: 80, protocol: 'TCP', nodePort: 30081 } as never]),
      svc('self', '10.96.0.15', {}, [{ name: 'tcp', port: 80, protocol: 'TCP' } as never]),
      svc('remote', '10.96.0.17', { type: 'NodePort', externalTrafficPolicy: 'Local' }, [{ name: 'tcp', port: 80, protocol: 'TCP', nodePort: 30083 } as never]),
      { ...svc('lb', '10.96.0.16', { type: 'LoadBalancer', externalIPs: ['192.168.77.101'] }, [{ name: 'tcp', port: 80, protocol: 'TCP', nodePort: 30082 } as never]),
        status: { loadBalancer: { ingress: [{ ip: '192.168.77.100' }] } } } as Service,
    ],
    slices: [slice('web', all), slice('sticky', all), slice('np', all, ['tcp']), slice('local', all, ['tcp']), slice('self', [all[0]!], ['tcp']), slice('lb', all, ['tcp']), slice('remote', all.slice(1), ['tcp'])],
  };
}

async function rulesOf(t: ProxyTopo, mode: string): Promise<string> {
  if (mode === 'nftables') return (await t.run(t.node, ['nft', '-s', 'list', 'table', 'ip', 'kube-proxy'])).replace(/ expires \S+/g, '').replace(/elements = \{[^}]*\}/g, (m) => m.split(/,\s*/).sort().join(','));
  return (await t.run(t.node, ['iptables-save'])).split('\n').filter((l) => !l.startsWith('#')).join('\n');
}

async function leftovers(t: ProxyTopo): Promise<{ iptables: string[]; userspace: string[]; nft: boolean }> {
  const save = await t.run(t.node, ['iptables-save']);
  const nft = await t.run(t.node, ['nft', 'list', 'tables']);
  return {
    iptables: save.split('\n').filter((l) => /KUBE-(SERVICES|SVC-|SEP-|EXT-|NODEPORTS|POSTROUTING|MARK-MASQ|FORWARD)/.test(l)),
    userspace: save.split('\n').filter((l) => /KUBE-(PORTALS|NODEPORT-)/.test(l)),
    nft: nft.includes('kube-proxy'),
  };
}

test('proxy modes: iptables, nftables, userspace on a netns topology', { timeout: 240_000 }, async (tt) => {
  const t = await createProxyTopo();
  let drv: ProxyDriverProc | undefined;
  try {
    const objs = objects(t);
    const opts = { clusterCidr: '10.244.0.0/16', nodeIPs: [t.nodeIP], nodeName: 'node1', minSyncPeriodMs: 0 };
    let prevMode: string | undefined;
    for (const mode of ['iptables', 'nftables', 'userspace'] as const) {
      await tt.test(mode, async () => {
        drv = ProxyDriverProc.start(t);
        const st = await drv.request<{ httpPort: number }>({ op: 'start', mode, opts });
        assert.ok(st.ok, st.error);
        const r = await drv.request<{ report: { services: number } }>({ op: 'sync', ...objs });
        assert.ok(r.ok, r.error);
        // /healthz and /metrics of the runner, inside the node netns.
        const metrics = await t.run(t.node, ['curl', '-sf', `http://127.0.0.1:${st.httpPort}/metrics`]);
        assert.match(metrics, /kubeproxy_sync_proxy_rules_duration_seconds_count 1/);
        assert.match(metrics, /kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/);
        assert.match(metrics, new RegExp(`kubeproxy_sync_proxy_rules_iptables_total\\{mode="${mode}"\\} [1-9]`));
        assert.match(await t.run(t.node, ['curl', '-sf', `http://127.0.0.1:${st.httpPort}/healthz`]), /lastUpdated/);

        // Switching modes left nothing of the previous one.
        const left = await leftovers(t);
        if (prevMode === 'iptables' || mode === 'nftables') assert.deepEqual(left.iptables, [], 'iptables-mode rules left');
        if (mode !== 'userspace') assert.deepEqual(left.userspace, [], 'userspace-mode rules left');
        if (mode !== 'nftables') assert.equal(left.nft, false, 'nftables table left');

        // ClusterIP TCP and UDP reach a backend.
        const one = await t.probe(t.client, 'tcp', '10.96.0.10', 80);
        assert.deepEqual(Object.keys(one.errors), [], JSON.stringify(one));
        assert.match(Object.keys(one.answers)[0]!, /^p[123]$/);
        const udp = await t.probe(t.client, 'udp', '10.96.0.10', 80);
        assert.match(Object.keys(udp.answers)[0] ?? 'none', /^p[123]$/, JSON.stringify(udp));

        // 300 connections: every endpoint serves some, none more than half.
        const many = await t.probe(t.client, 'tcp', '10.96.0.10', 80, 300);
        assert.equal(Object.values(many.answers).reduce((a, b) => a + b, 0), 300, JSON.stringify(many));
        for (const p of ['p1', 'p2', 'p3']) { assert.ok((many.answers[p] ?? 0) > 0, `${p} got none: ${JSON.stringify(many.answers)}`); assert.ok(many.answers[p]! <= 150, JSON.stringify(many.answers)); }

        // ClientIP affinity: all to one.
        const sticky = await t.probe(t.client, 'tcp', '10.96.0.11', 80, 50);
        assert.equal(Object.keys(sticky.answers).length, 1, JSON.stringify(sticky));

        // No endpoints: refused (an ICMP/RST error code), not dropped (which would end in TIMEOUT).
        const none = await t.probe(t.client, 'tcp', '10.96.0.12', 80, 1, 30_000);
        assert.equal(Object.keys(none.answers).length, 0);
        assert.ok(none.errors.ECONNREFUSED === 1 || none.errors.EHOSTUNREACH === 1 || none.errors.ENETUNREACH === 1, JSON.stringify(none));
        tt.diagnostic(`${mode}: no-endpoints connection refused after ${none.firstErrorMs} ms`);

        // LoadBalancer ingress IP and an external IP, from the external client (routed to the node).
        for (const vip of ['192.168.77.100', '192.168.77.101']) {
          const lb = await t.probe(t.ext, 'tcp', vip, 80, 3);
          assert.equal(Object.values(lb.answers).reduce((a, b) => a + b, 0), 3, `${vip}: ${JSON.stringify(lb)}`);
        }

        // Hairpin: a pod reaches itself through its Service.
        const hp = await t.probe(t.pods[0]!, 'tcp', '10.96.0.15', 80, 3);
        assert.deepEqual(hp.answers, { p1: 3 }, JSON.stringify(hp));

        // NodePort from the external client.
        const np = await t.probe(t.ext, 'tcp', t.nodeIP, 30080, 6);
        assert.equal(Object.values(np.answers).reduce((a, b) => a + b, 0), 6, JSON.stringify(np));

        if (mode !== 'userspace') {
          // externalTrafficPolicy: Local → only the local endpoint (p1), client source preserved.
          const loc = await t.probe(t.ext, 'tcp', t.nodeIP, 30081, 10);
          assert.deepEqual(loc.answers, { p1: 10 }, JSON.stringify(loc));
          assert.deepEqual(loc.sources, { [t.extIP]: 10 });
          // …and a node without local endpoints does not answer on that node port (dropped), while its
          // ClusterIP still works from a pod.
          const rem = await t.probe(t.ext, 'tcp', t.nodeIP, 30083, 1, 700);
          assert.deepEqual(rem.answers, {}, JSON.stringify(rem));
          const remIn = await t.probe(t.client, 'tcp', '10.96.0.17', 80, 4);
          assert.equal(Object.values(remIn.answers).reduce((a, b) => a + b, 0), 4, JSON.stringify(remIn));
          // ETP Cluster masquerades: the backend sees the node.
          assert.ok(!(t.extIP in np.sources), JSON.stringify(np.sources));
        }

        // Restart converges to the same rules; an established connection survives (not in userspace mode,
        // whose connections live in the proxy process itself — as upstream's userspace proxier).
        const before = await rulesOf(t, mode);
        const conn = spawn('ip', ['netns', 'exec', t.client, 'socat', '-', 'TCP:10.96.0.10:80'], { stdio: ['pipe', 'pipe', 'pipe'] });
        try {
          const rl = createInterface({ input: conn.stdout });
          const nextLine = (): Promise<string> => new Promise((res, rej) => { const to = setTimeout(() => rej(new Error('no answer on long-lived connection')), 30_000); rl.once('line', (l) => { clearTimeout(to); res(l); }); });
          const hello = await nextLine();
          const backend = hello.split(' ')[0];
          await drv.stop();
          drv = ProxyDriverProc.start(t);
          assert.ok((await drv.request({ op: 'start', mode, opts })).ok);
          const r2 = await drv.request({ op: 'sync', ...objs });
          assert.ok(r2.ok, r2.error);
          if (mode !== 'userspace') {
            assert.equal(await rulesOf(t, mode), before, 'rules after restart differ');
            conn.stdin.write('still-there\n');
            assert.equal(await nextLine(), `${backend} still-there`);
          }
        } finally { conn.kill('SIGKILL'); }

        // healthz/metrics (prom-client) from the driver's runner.
        await drv.stop();
        drv = undefined;
        prevMode = mode;
      });
    }
    // Final cleanup leaves nothing.
    drv = ProxyDriverProc.start(t);
    assert.ok((await drv.request({ op: 'cleanup' })).ok);
    const left = await leftovers(t);
    assert.deepEqual(left, { iptables: [], userspace: [], nft: false });
  } finally {
    await drv?.stop().catch(() => undefined);
    await t.destroy();
  }
});
