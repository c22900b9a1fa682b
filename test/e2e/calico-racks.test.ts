/**
 * Issue 15, racks: `podnet lab up --network calico --racks 2`: each node in its own underlay subnet
 * (10.0.1.0/24, 10.0.2.0/24) behind a top-of-rack router netns running BIRD. The node-to-node mesh
 * is off: every node peers eBGP with its ToR (one AS per rack), the ToRs with each other over the
 * core segment. Pods in different racks reach each other with their own addresses (ICMP, TCP, UDP),
 * routed hop by hop: a capture on the core segment shows plain pod-to-pod IP packets (no UDP
 * encapsulation); Services and DNS work; `lab down` leaves nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PODNET, labKubectl, labLeftovers, must, run, until } from '../support/lab.js';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('calico --racks 2: eBGP node↔ToR↔ToR, pods across racks routed without encapsulation, Service + DNS', { timeout: 300_000 }, async (t) => {
  const lab = `rk${Math.random().toString(36).slice(2, 5)}`;
  const kubectl = labKubectl(lab);
  const onNs = (where: string, ...cmd: string[]): Promise<string> => must('ip', ['netns', 'exec', `pn-${lab}-${where}`, ...cmd]);
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--network', 'calico', '--racks', '2', '--nodes', '2'], { timeoutMs: 240_000 });
    const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: { metadata: { name: string }; status: { addresses: { type: string; address: string }[] } }[] };
    const ipOf = Object.fromEntries(nodes.items.map((n) => [n.metadata.name, n.status.addresses.find((a) => a.type === 'InternalIP')!.address]));
    assert.deepEqual(ipOf, { node1: '10.0.1.11', node2: '10.0.2.11' }, 'one node per rack subnet');
    const docs = ['node1', 'node2'].map((n) => ['apiVersion: v1', 'kind: Pod', `metadata: {name: ${n}-p, namespace: default, labels: {app: rk}}`, 'spec:', `  nodeName: ${n}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n'));
    docs.push('apiVersion: v1\nkind: Service\nmetadata: {name: rk, namespace: default}\nspec:\n  selector: {app: rk}\n  ports: [{port: 80, targetPort: 8080}]');
    await kubectl(['apply', '-f', '-'], docs.join('\n---\n') + '\n');
    const pods = await until('2 pods Running', async () => {
      const l = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=rk', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { phase?: string; podIP?: string } }[] };
      const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
      return ok.length === 2 ? ok.map((p) => ({ name: p.metadata.name, ip: p.status.podIP!, node: p.spec.nodeName })) : undefined;
    });
    const [a, b] = [pods.find((p) => p.node === 'node1')!, pods.find((p) => p.node === 'node2')!];

    await t.test('sessions: node↔ToR eBGP Established, ToR↔ToR Established; routes proto bird via the ToRs', async () => {
      for (const tor of ['tor1', 'tor2']) {
        const out = await until(`${tor} sessions up`, async () => {
          const o = await onNs(tor, 'birdc', '-s', `/run/podnet/${lab}/tors/${tor}/bird.ctl`, 'show', 'protocols');
          return (o.match(/Established/g) ?? []).length === 2 ? o : undefined;
        }, 30_000);
        t.diagnostic(`${tor}:\n${out}`);
      }
      const st = await must(PODNET, ['bgp', 'status', '--name', lab, '--node', 'node1']);
      t.diagnostic(st);
      assert.match(st, /\| 10\.0\.1\.1 +\| node specific \| up +\| \S+ \| Established \|/);
      const r1 = await until('node1 learns node2\'s block from its ToR', async () => {
        const r = await onNs('node1', 'ip', 'route');
        return new RegExp(`^10\\.244\\.\\S+ via 10\\.0\\.1\\.1 dev eth0 proto bird`, 'm').test(r) ? r : undefined;
      }, 30_000);
      t.diagnostic(`node1 ip route:\n${r1}`);
      const tor1 = await until('tor1 routes both racks\' blocks', async () => {
        const r = await onNs('tor1', 'ip', 'route');
        return /via 10\.0\.1\.11 dev eth1 proto bird/.test(r) && /via 192\.168\.138\.202 dev eth0 proto bird/.test(r) ? r : undefined;
      }, 30_000);
      t.diagnostic(`tor1 ip route:\n${tor1}`);
    });

    await t.test('pods across racks: ICMP, TCP, UDP with their own addresses; plain IP on the core segment (no encapsulation)', async () => {
      const cap = spawn('ip', ['netns', 'exec', `pn-${lab}-tor1`, 'tcpdump', '-l', '-n', '-i', 'eth0', '-c', '6', 'icmp or udp'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let capture = '', capLog = '';
      cap.stdout!.on('data', (d: Buffer) => { capture += d.toString(); });
      cap.stderr!.on('data', (d: Buffer) => { capLog += d.toString(); });
      try {
        await until('tcpdump capturing', async () => /listening on/.test(capLog) || cap.exitCode !== null, 30_000);
        for (const [self, peer] of [[a, b], [b, a]] as const) {
          const out = await kubectl(['exec', self.name, '--', 'sh', '-c', [
            `ping -c2 -W5 ${peer.ip} >/dev/null 2>&1 && echo "icmp ok" || echo "icmp FAIL"`,
            `echo "tcp $(curl -s --max-time 10 http://${peer.ip}:8080/)"`,
            `echo "udp $(echo udp-from-${self.name} | nc -u -w1 ${peer.ip} 9000)"`,
          ].join('\n')]);
          assert.match(out, /^icmp ok$/m, `${self.name} → ${peer.name}\n${out}`);
          assert.match(out, new RegExp(`^tcp .*pod=${peer.name} ip=${esc(peer.ip)} peer=${esc(self.ip)}:`, 'm'), `TCP keeps the source\n${out}`);
          assert.match(out, new RegExp(`^udp .*udp-from-${self.name}`, 'm'));
        }
        await until('the capture shows pod-to-pod ICMP', async () => capture.includes(`IP ${a.ip} > ${b.ip}: ICMP echo request`) || cap.exitCode !== null, 15_000).catch(() => undefined);
      } finally {
        if (cap.exitCode === null) { const ex = new Promise((r) => cap.once('exit', r)); cap.kill('SIGINT'); await ex; }
      }
      t.diagnostic(`tor1 eth0 (core) capture:\n${capture}`);
      assert.match(capture, new RegExp(`IP ${esc(a.ip)} > ${esc(b.ip)}: ICMP echo request`), 'plain pod IPs between the racks');
      assert.doesNotMatch(capture, /\.(4789|8472|8285)[: ]/, 'no VXLAN/UDP encapsulation');
    });

    await t.test('a Service and DNS from the other rack', async () => {
      const out = await until('Service by name', async () => {
        const o = await kubectl(['exec', a.name, '--', 'sh', '-c', 'for i in 1 2 3 4; do curl -s --max-time 5 http://rk.default.svc.cluster.local/; echo; done']);
        return /pod=node2-p/.test(o) ? o : undefined;
      }, 60_000);
      t.diagnostic(out);
    });
  } finally {
    const down = await run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 120_000 });
    assert.equal(down.code, 0, `lab down: ${down.stderr}`);
    assert.deepEqual(labLeftovers(lab), [], 'lab down leaves nothing');
  }
});
