/**
 * Issue 15, VXLAN as Calico does it: `podnet lab up --network calico --racks 2 --nodes 3
 * --vxlan-mode CrossSubnet`. node1 and node3 share rack 1's subnet, node2 is in rack 2. Between
 * racks the pool's traffic goes through vxlan.calico (VNI 4096, UDP 4789): routes `via <tunnel
 * address> dev vxlan.calico onlink` that Felix's part programs (BIRD does not program those
 * blocks); inside the rack it stays BGP-routed and unencapsulated. A capture on the core segment
 * shows VXLAN between the node addresses carrying the pods' packets. An IPPool asking for IPIP is
 * refused by the agent with a message naming the missing `ipip` module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PODNET, labKubectl, labLeftovers, must, run, until } from '../support/lab.js';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('calico vxlanMode CrossSubnet over 2 racks: vxlan.calico between racks, plain routing inside a rack; ipip refused', { timeout: 300_000 }, async (t) => {
  const lab = `vx${Math.random().toString(36).slice(2, 5)}`;
  const kubectl = labKubectl(lab);
  const onNs = (where: string, ...cmd: string[]): Promise<string> => must('ip', ['netns', 'exec', `pn-${lab}-${where}`, ...cmd]);
  try {
    // the nftables proxy here (calico-routed runs both proxies, calico-racks iptables)
    await must(PODNET, ['lab', 'up', '--name', lab, '--network', 'calico', '--racks', '2', '--nodes', '3', '--vxlan-mode', 'CrossSubnet', '--proxy-mode', 'nftables'], { timeoutMs: 240_000 });
    const docs = ['node1', 'node2', 'node3'].map((n) => ['apiVersion: v1', 'kind: Pod', `metadata: {name: ${n}-v, namespace: default, labels: {app: vx}}`, 'spec:', `  nodeName: ${n}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n'));
    docs.push('apiVersion: v1\nkind: Service\nmetadata: {name: vx, namespace: default}\nspec:\n  selector: {app: vx}\n  ports: [{port: 80, targetPort: 8080}]');
    await kubectl(['apply', '-f', '-'], docs.join('\n---\n') + '\n');
    const pods = await until('3 pods Running', async () => {
      const l = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=vx', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { phase?: string; podIP?: string } }[] };
      const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
      return ok.length === 3 ? Object.fromEntries(ok.map((p) => [p.spec.nodeName, { name: p.metadata.name, ip: p.status.podIP! }])) : undefined;
    });
    const blocks = (JSON.parse(await kubectl(['get', 'ipamblocks', '-o', 'json'])) as { items: { spec: { cidr: string; affinity: string } }[] }).items;
    const blockOf = (n: string): string => blocks.find((b) => b.spec.affinity === `host:${n}`)!.spec.cidr;
    const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: { metadata: { name: string; annotations: Record<string, string> } }[] };
    const tunnel = (n: string): string => nodes.items.find((x) => x.metadata.name === n)!.metadata.annotations['projectcalico.org/IPv4VXLANTunnelAddr']!;

    await t.test('node1: vxlan.calico (VNI 4096, port 4789); node2\'s block via its tunnel address onlink; node3\'s block proto bird', async () => {
      const link = await onNs('node1', 'ip', '-d', 'link', 'show', 'vxlan.calico');
      t.diagnostic(link);
      assert.match(link, /vxlan id 4096 local 10\.0\.1\.11 dev eth0 .*dstport 4789 nolearning/);
      assert.match(link, /mtu 1450/);
      const routes = await until('node1 routes', async () => {
        const r = await onNs('node1', 'ip', 'route');
        return new RegExp(`^${esc(blockOf('node2'))} via ${esc(tunnel('node2'))} dev vxlan\\.calico proto 80 .*onlink`, 'm').test(r) && r.includes(`${blockOf('node3')} via 10.0.1.1 dev eth0 proto bird`) ? r : undefined;
      }, 30_000);
      t.diagnostic(routes);
      assert.doesNotMatch(routes, new RegExp(`^${esc(blockOf('node2'))} via 10\\.0\\.1\\.1`, 'm'), 'BIRD does not program the VXLAN-routed block');
      const neigh = await onNs('node1', 'ip', 'neigh', 'show', 'dev', 'vxlan.calico');
      assert.match(neigh, new RegExp(`^${esc(tunnel('node2'))} lladdr \\S+ PERMANENT`, 'm'));
      const fdb = await onNs('node1', 'bridge', 'fdb', 'show', 'dev', 'vxlan.calico');
      assert.match(fdb, /dst 10\.0\.2\.11 self permanent/);
    });

    await t.test('pods across racks talk through VXLAN (UDP 4789 between node addresses on the core); same-rack pods do not', async () => {
      const cap = spawn('ip', ['netns', 'exec', `pn-${lab}-tor1`, 'tcpdump', '-l', '-n', '-i', 'eth0', '-c', '4', 'udp port 4789'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let capture = '', capLog = '';
      cap.stdout!.on('data', (d: Buffer) => { capture += d.toString(); });
      cap.stderr!.on('data', (d: Buffer) => { capLog += d.toString(); });
      try {
        await until('tcpdump capturing', async () => /listening on/.test(capLog) || cap.exitCode !== null, 30_000);
        for (const [from, to] of [['node1', 'node2'], ['node2', 'node3'], ['node1', 'node3']] as const) {
          const [a, b] = [pods[from]!, pods[to]!];
          const out = await kubectl(['exec', a.name, '--', 'sh', '-c', `ping -c1 -W5 ${b.ip} >/dev/null 2>&1 && echo "icmp ok"; echo "tcp $(curl -s --max-time 10 http://${b.ip}:8080/)"`]);
          assert.match(out, /^icmp ok$/m, `${from} → ${to}\n${out}`);
          assert.match(out, new RegExp(`^tcp .*pod=${b.name} ip=${esc(b.ip)} peer=${esc(a.ip)}:`, 'm'), `${from} → ${to} keeps the source\n${out}`);
        }
        await until('VXLAN in the capture', async () => /\.4789: VXLAN/.test(capture) || cap.exitCode !== null, 15_000).catch(() => undefined);
      } finally {
        if (cap.exitCode === null) { const ex = new Promise((r) => cap.once('exit', r)); cap.kill('SIGINT'); await ex; }
      }
      t.diagnostic(`tor1 eth0 (core), udp 4789:\n${capture}`);
      assert.match(capture, /IP 10\.0\.(1\.11|2\.11)\.\d+ > 10\.0\.(2\.11|1\.11)\.4789: VXLAN, flags \[I\] \(0x08\), vni 4096/);
      assert.doesNotMatch(capture, /10\.0\.1\.12/, 'node3 (same rack as node1) never encapsulates to node1');
    });

    await t.test('a Service (nftables proxy) and DNS from rack 1 reach the pod in rack 2 through VXLAN', async () => {
      const out = await until('Service by name', async () => {
        const o = await kubectl(['exec', pods.node1!.name, '--', 'sh', '-c', 'for i in 1 2 3 4 5 6; do curl -s --max-time 5 http://vx.default.svc.cluster.local/; echo; done']);
        return new RegExp(`pod=${esc(pods.node2!.name)} `).test(o) ? o : undefined;
      }, 60_000);
      t.diagnostic(out);
    });

    await t.test('an IPPool with ipipMode Always is refused, naming the missing ipip module', async () => {
      await kubectl(['apply', '-f', '-'], 'apiVersion: crd.projectcalico.org/v1\nkind: IPPool\nmetadata: {name: ipip-pool}\nspec: {cidr: 10.250.0.0/16, ipipMode: Always, disabled: true}\n');
      await until('the agent refuses IPIP', async () => readFileSync(`/run/podnet/${lab}/logs/agent-node1.log`, 'utf8').includes('this kernel has no \\"ipip\\" module'), 20_000);
    });
  } finally {
    const down = await run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 120_000 });
    assert.equal(down.code, 0, `lab down: ${down.stderr}`);
    assert.deepEqual(labLeftovers(lab), [], 'lab down leaves nothing');
  }
});
