/**
 * Issue 4, acceptance 1 and 2 through the whole product: `podnet lab up --nodes 3 --backend B`,
 * two pods per node from kubectl, then from inside every pod: ICMP, TCP and UDP to every other
 * pod (the receiver reports the sender's pod IP) and to the node IPs; a capture on the underlay
 * shows VXLAN (UDP 8472) carrying pod IPs, or plain pod IPs between node addresses (host-gw).
 * `podnet lab down` must leave nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { PODNET, echoServersListening, must, run, until } from '../support/lab.js';

interface PodInfo { name: string; ip: string; node: string }

for (const backend of ['vxlan', 'host-gw'] as const) {
  test(`lab with 3 nodes, backend ${backend}: every pod reaches every pod (ICMP, TCP, UDP) and the nodes`, { timeout: 420_000 }, async (t) => {
    const lab = `t${backend === 'vxlan' ? 'vx' : 'hg'}${Math.random().toString(36).slice(2, 5)}`;
    try {
      await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '3', '--backend', backend], { timeoutMs: 240_000 });
      const kubeconfig = (await must(PODNET, ['lab', 'kubeconfig', '--name', lab])).trim();
      const kubectl = (args: string[], input?: string): Promise<string> => must('kubectl', args, { env: { KUBECONFIG: kubeconfig }, input });
      const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { podCIDR?: string }; status: { addresses?: { type: string; address: string }[]; conditions?: { type: string; status: string }[] } }[] };
      assert.equal(nodes.items.length, 3);
      const nodeIPs = nodes.items.map((n) => n.status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '');
      for (const n of nodes.items) {
        assert.ok(n.spec.podCIDR, `${n.metadata.name} has a podCIDR`);
        assert.equal(n.status.conditions?.find((c) => c.type === 'Ready')?.status, 'True', `${n.metadata.name} Ready`);
      }
      const docs: string[] = [];
      for (const n of nodes.items) {
        for (const i of [1, 2]) {
          docs.push(['apiVersion: v1', 'kind: Pod', `metadata: {name: ${n.metadata.name}-p${i}, namespace: default, labels: {app: ov}}`, 'spec:',
            `  nodeName: ${n.metadata.name}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n'));
        }
      }
      await kubectl(['apply', '-f', '-'], docs.join('\n---\n') + '\n');
      const pods = await until('6 pods Running with IPs', async () => {
        const l = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=ov', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { phase?: string; podIP?: string } }[] };
        const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
        return ok.length === 6 ? ok.map((p): PodInfo => ({ name: p.metadata.name, ip: p.status.podIP!, node: p.spec.nodeName })) : undefined;
      });
      await echoServersListening(kubectl, pods.map((p) => p.name));
      // Each pod's IP lies in its node's podCIDR.
      for (const p of pods) {
        const cidr = nodes.items.find((n) => n.metadata.name === p.node)!.spec.podCIDR!;
        assert.ok(p.ip.startsWith(cidr.split('.').slice(0, 3).join('.') + '.'), `${p.name} ${p.ip} in ${cidr}`);
      }
      // Capture on the underlay while pod traffic flows.
      const underlay = `pn-${lab}-underlay`;
      const capArgs = backend === 'vxlan' ? ['udp', 'port', '8472'] : ['icmp'];
      const cap = spawn('ip', ['netns', 'exec', underlay, 'tcpdump', '-l', '-n', '-i', 'any', '-c', '20', ...capArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
      let capture = '';
      let capLog = '';
      cap.stdout!.on('data', (d: Buffer) => { capture += d.toString(); });
      cap.stderr!.on('data', (d: Buffer) => { capLog += d.toString(); });
      // tcpdump says "listening on …" once its capture is open: only then does traffic start.
      await until('tcpdump capturing', async () => /listening on/.test(capLog) || cap.exitCode !== null, 60_000);
      const script = (self: PodInfo): string => [
        ...pods.filter((p) => p !== self).flatMap((p) => [
          `ping -c1 -W5 ${p.ip} >/dev/null 2>&1 && echo "icmp ${p.ip} ok" || echo "icmp ${p.ip} FAIL"`,
          `echo "tcp ${p.ip} $(curl -s --max-time 10 http://${p.ip}:8080/)"`,
          `echo "udp ${p.ip} $(echo udp-from-${self.name} | nc -u -w1 ${p.ip} 9000)"`,
        ]),
        ...nodeIPs.map((ip) => `ping -c1 -W5 ${ip} >/dev/null 2>&1 && echo "node ${ip} ok" || echo "node ${ip} FAIL"`),
      ].join('\n');
      for (const self of pods) {
        const out = await kubectl(['exec', self.name, '--', 'sh', '-c', script(self)]);
        for (const p of pods.filter((x) => x !== self)) {
          assert.match(out, new RegExp(`^icmp ${p.ip.replace(/\./g, '\\.')} ok$`, 'm'), `${self.name} → ${p.name} ICMP\n${out}`);
          const tcp = new RegExp(`^tcp ${p.ip.replace(/\./g, '\\.')} .*pod=${p.name} ip=${p.ip.replace(/\./g, '\\.')} peer=${self.ip.replace(/\./g, '\\.')}:`, 'm');
          assert.match(out, tcp, `${self.name} → ${p.name} TCP, receiver sees the sender's pod IP\n${out}`);
          assert.match(out, new RegExp(`^udp ${p.ip.replace(/\./g, '\\.')} .*udp-from-${self.name}`, 'm'), `${self.name} → ${p.name} UDP echo\n${out}`);
        }
        for (const ip of nodeIPs) assert.match(out, new RegExp(`^node ${ip.replace(/\./g, '\\.')} ok$`, 'm'), `${self.name} → node ${ip}`);
      }
      const podIPs = pods.map((p) => p.ip);
      const captured = (): boolean => backend === 'vxlan'
        ? /\.8472: (VXLAN|OTV)/.test(capture) && podIPs.some((ip) => capture.includes(`${ip} > `) || capture.includes(`> ${ip}`))
        : podIPs.some((ip) => capture.includes(`IP ${ip} > `));
      // tcpdump prints each packet as it sees it (-l): wait for the lines the assertions need, or its exit.
      await until('the capture shows the pod traffic', async () => captured() || cap.exitCode !== null, 30_000).catch(() => undefined);
      if (cap.exitCode === null && cap.signalCode === null) {
        const exited = new Promise((r) => cap.once('exit', r));
        cap.kill('SIGINT');
        await exited;
      }
      t.diagnostic(`underlay capture (${backend}):\n${capture.split('\n').slice(0, 4).join('\n')}`);
      if (backend === 'vxlan') {
        // tcpdump prints UDP 8472 frames as OTV (same header layout as VXLAN), the inner packet below.
        assert.match(capture, /\.8472: (VXLAN|OTV)/, 'VXLAN frames on the underlay');
        assert.ok(podIPs.some((ip) => capture.includes(`${ip} > `) || capture.includes(`> ${ip}`)), 'VXLAN frames carry pod IPs');
      } else {
        assert.ok(podIPs.some((ip) => capture.includes(`IP ${ip} > `)), 'plain pod IPs on the underlay');
        assert.doesNotMatch(capture, /\.8472: (VXLAN|OTV)/);
      }
    } finally {
      const down = await run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 120_000 });
      assert.equal(down.code, 0, `lab down: ${down.stderr}`);
      const left = readdirSync('/run/netns').filter((n) => n.startsWith(`pn-${lab}-`));
      assert.deepEqual(left, [], 'no lab netns left');
      assert.ok(!existsSync(`/run/podnet/${lab}`), 'no lab state dir left');
    }
  });
}
