/**
 * Issue 15, Calico routed mode through the whole product: `podnet lab up --network calico` (2 nodes,
 * node-to-node BGP mesh between their BIRDs, blockSize 30 so a block fills with a few pods), pods
 * from the real kubectl, then real packets and the kernel's own tables:
 *  - every pod reaches every pod (ICMP, TCP, UDP; the receiver sees the sender's pod IP), the nodes,
 *    and (natOutgoing) an address outside the pools; a ClusterIP Service and cluster DNS work;
 *  - a node's `ip route`: a /32 per local pod via its cali interface, a blackhole per owned block,
 *    the other node's blocks `proto bird`; in a pod: `default via 169.254.1.1 dev eth0` and the
 *    neighbour 169.254.1.1 is the host veth's MAC; `birdc show protocols`: every peer Established;
 *  - a frozen BIRD (SIGSTOP) loses its session at the hold time and its blocks' routes go from the
 *    other node; SIGCONT brings them back;
 *  - filling a block claims a second one; deleting the pods releases it;
 *  - `podnet lab down` leaves nothing (no BIRD, no namespace, no file).
 * A second lab runs kube-proxy in nftables mode: a Service and DNS across nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PODNET, labKubectl, labLeftovers, must, run, until } from '../support/lab.js';

interface PodInfo { name: string; ip: string; node: string }
interface Block { metadata: { name: string }; spec: { cidr: string; affinity?: string } }

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function labUp(lab: string, proxyMode: string): Promise<void> {
  await must(PODNET, ['lab', 'up', '--name', lab, '--network', 'calico', '--block-size', '30', '--proxy-mode', proxyMode], { timeoutMs: 240_000 });
}

async function labDownClean(lab: string): Promise<void> {
  const down = await run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 120_000 });
  assert.equal(down.code, 0, `lab down: ${down.stderr}`);
  assert.deepEqual(labLeftovers(lab), [], 'lab down leaves nothing');
  const birds = (await run('pgrep', ['-af', `/run/podnet/${lab}/`])).stdout.trim();
  assert.equal(birds, '', 'no BIRD (or anything) of the lab runs');
}

function podDocs(specs: { name: string; node: string; app: string }[]): string {
  return specs.map((p) => ['apiVersion: v1', 'kind: Pod', `metadata: {name: ${p.name}, namespace: default, labels: {app: ${p.app}}}`, 'spec:',
    `  nodeName: ${p.node}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n')).join('\n---\n') + '\n';
}

async function runningPods(kubectl: (a: string[], i?: string) => Promise<string>, selector: string, n: number): Promise<PodInfo[]> {
  return until(`${n} pods ${selector} Running`, async () => {
    const l = JSON.parse(await kubectl(['get', 'pods', '-l', selector, '-o', 'json'])) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { phase?: string; podIP?: string } }[] };
    const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
    return ok.length === n ? ok.map((p): PodInfo => ({ name: p.metadata.name, ip: p.status.podIP!, node: p.spec.nodeName })) : undefined;
  }, 90_000);
}

test('calico routed mode (iptables proxy): pod-to-pod, routes, proxy ARP, BGP sessions and withdrawal, block fill and release', { timeout: 300_000 }, async (t) => {
  const lab = `cr${Math.random().toString(36).slice(2, 5)}`;
  const kubectl = labKubectl(lab);
  const onNode = (node: string, ...cmd: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, node, '--', ...cmd]);
  const birdSock = (node: string): string => `/run/podnet/${lab}/nodes/${node}/state/calico/bird.ctl`;
  const blocksOf = async (node: string): Promise<string[]> => (JSON.parse(await kubectl(['get', 'ipamblocks', '-o', 'json'])) as { items: Block[] }).items.filter((b) => b.spec.affinity === `host:${node}`).map((b) => b.spec.cidr).sort();
  try {
    await labUp(lab, 'iptables');
    const nodeIP: Record<string, string> = { node1: '192.168.138.221', node2: '192.168.138.222' };
    await kubectl(['apply', '-f', '-'], podDocs(['node1', 'node2'].flatMap((n) => [1, 2].map((i) => ({ name: `${n}-p${i}`, node: n, app: 'ca' })))));
    const pods = await runningPods(kubectl, 'app=ca', 4);
    // pods are reachable across nodes once BGP has carried each node's blocks to the other (Running is not enough)
    for (const [n, other] of [['node1', 'node2'], ['node2', 'node1']] as const) {
      await until(`${n} has BGP routes to ${other}'s blocks`, async () => {
        const [theirs, r] = [await blocksOf(other), await onNode(n, 'ip', 'route')];
        return theirs.length && theirs.every((b) => r.includes(`${b} via ${nodeIP[other]!} dev eth0 proto bird`)) ? true : undefined;
      }, 30_000);
    }

    await t.test('kubectl get ippools,ipamblocks,blockaffinities shows the pool, each node\'s blocks and affinities', async () => {
      const out = await kubectl(['get', 'ippools,ipamblocks,blockaffinities']);
      t.diagnostic(out);
      assert.match(out, /ippool\.crd\.projectcalico\.org\/default-ipv4-ippool\s+10\.244\.0\.0\/16\s+30\s+true\s+Never\s+Never/);
      for (const n of ['node1', 'node2']) {
        assert.match(out, new RegExp(`ipamblock\\.crd\\.projectcalico\\.org/\\S+\\s+10\\.244\\.\\S+/30\\s+host:${n}\\s`));
        assert.match(out, new RegExp(`blockaffinity\\.crd\\.projectcalico\\.org/${n}-10-244-\\S+\\s+${n}\\s+10\\.244\\.\\S+/30\\s+confirmed`));
      }
      // Calico's kinds are CustomResourceDefinitions the lab installed, with printer columns
      const crds = await kubectl(['get', 'crd', '-o', 'name']);
      for (const p of ['ippools', 'ipamblocks', 'blockaffinities', 'ipamhandles', 'bgpconfigurations', 'bgppeers']) assert.match(crds, new RegExp(`customresourcedefinition\\.apiextensions\\.k8s\\.io/${p}\\.crd\\.projectcalico\\.org`));
      assert.match(out, /NAME\s+CIDR\s+BLOCK SIZE\s+NAT\s+IPIP MODE\s+VXLAN MODE\s+AGE/);
      // bad input: the CRD schema's 422 naming the field
      const bad = await run('kubectl', ['apply', '-f', '-'], { env: { KUBECONFIG: `/run/podnet/${lab}/api/admin.kubeconfig` }, input: 'apiVersion: crd.projectcalico.org/v1\nkind: IPPool\nmetadata: {name: bad}\nspec: {cidr: 10.99.0.0/16, blockSize: 12}\n' });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /The IPPool "bad" is invalid: spec\.blockSize: Invalid value: 12: spec\.blockSize in body should be greater than or equal to 20/);
    });

    await t.test('every pod reaches every pod (ICMP, TCP, UDP, source IP kept), the nodes, and outside the pools (natOutgoing)', async () => {
      const script = (self: PodInfo): string => [
        ...pods.filter((p) => p !== self).flatMap((p) => [
          `ping -c1 -W5 ${p.ip} >/dev/null 2>&1 && echo "icmp ${p.ip} ok" || echo "icmp ${p.ip} FAIL"`,
          `echo "tcp ${p.ip} $(curl -s --max-time 10 http://${p.ip}:8080/)"`,
          `echo "udp ${p.ip} $(echo udp-from-${self.name} | nc -u -w1 ${p.ip} 9000)"`,
        ]),
        ...Object.values(nodeIP).map((ip) => `ping -c1 -W5 ${ip} >/dev/null 2>&1 && echo "node ${ip} ok" || echo "node ${ip} FAIL"`),
        'ping -c1 -W5 192.168.138.100 >/dev/null 2>&1 && echo "outside ok" || echo "outside FAIL"',
      ].join('\n');
      await Promise.all(pods.map(async (self) => {
        const out = await kubectl(['exec', self.name, '--', 'sh', '-c', script(self)]);
        for (const p of pods.filter((x) => x !== self)) {
          assert.match(out, new RegExp(`^icmp ${esc(p.ip)} ok$`, 'm'), `${self.name} → ${p.name} ICMP\n${out}`);
          assert.match(out, new RegExp(`^tcp ${esc(p.ip)} .*pod=${p.name} ip=${esc(p.ip)} peer=${esc(self.ip)}:`, 'm'), `${self.name} → ${p.name} TCP keeps the source\n${out}`);
          assert.match(out, new RegExp(`^udp ${esc(p.ip)} .*udp-from-${self.name}`, 'm'), `${self.name} → ${p.name} UDP\n${out}`);
        }
        for (const ip of Object.values(nodeIP)) assert.match(out, new RegExp(`^node ${esc(ip)} ok$`, 'm'));
        assert.match(out, /^outside ok$/m, `${self.name}: the client outside the pools answers only to the masqueraded node address\n${out}`);
      }));
    });

    await t.test('node routes: /32 per local pod via cali*, blackhole per owned block, the other node\'s blocks proto bird', async () => {
      for (const n of ['node1', 'node2']) {
        const other = n === 'node1' ? 'node2' : 'node1';
        const [mine, theirs] = [await blocksOf(n), await blocksOf(other)];
        const routes = await until(`${n} has BGP routes to ${other}'s blocks`, async () => {
          const r = await onNode(n, 'ip', 'route');
          return theirs.every((b) => new RegExp(`^${esc(b)} via ${esc(nodeIP[other]!)} dev eth0 proto bird`, 'm').test(r)) ? r : undefined;
        }, 30_000);
        t.diagnostic(`${n}: ip route\n${routes}`);
        for (const p of pods.filter((x) => x.node === n)) assert.match(routes, new RegExp(`^${esc(p.ip)} dev cali[0-9a-f]{11} scope link`, 'm'), `/32 to ${p.name}`);
        for (const b of mine) assert.match(routes, new RegExp(`^blackhole ${esc(b)} proto bird`, 'm'), `blackhole for own block ${b}`);
        assert.doesNotMatch(routes, / dev cali\S+ .*proto bird/, 'local pods are not routed by BGP');
      }
    });

    await t.test('in a pod: default via 169.254.1.1 dev eth0; 169.254.1.1 resolves to the host veth\'s MAC (proxy ARP)', async () => {
      const p = pods[0]!;
      const r = await kubectl(['exec', p.name, '--', 'sh', '-c', 'ip route; ping -c1 -W2 169.254.1.1 >/dev/null 2>&1; ip neigh show 169.254.1.1; ip -o addr show dev eth0']);
      t.diagnostic(r);
      assert.match(r, /^default via 169\.254\.1\.1 dev eth0/m);
      assert.match(r, /^169\.254\.1\.1 dev eth0 scope link/m);
      assert.match(r, new RegExp(`inet ${esc(p.ip)}/32 `));
      const hostLink = await onNode(p.node, 'sh', '-c', `ip -o route get ${p.ip} | sed -n 's/.* dev \\(cali[0-9a-f]*\\) .*/\\1/p'`);
      const host = hostLink.trim();
      assert.match(host, /^cali[0-9a-f]{11}$/);
      const mac = JSON.parse(await onNode(p.node, 'ip', '-j', 'link', 'show', host)) as { address: string }[];
      assert.match(r, new RegExp(`^169\\.254\\.1\\.1 dev eth0 lladdr ${esc(mac[0]!.address)}`, 'm'));
      assert.equal((await onNode(p.node, 'cat', `/proc/sys/net/ipv4/conf/${host}/proxy_arp`)).trim(), '1');
      assert.equal((await onNode(p.node, 'sh', '-c', `ip -o -4 addr show dev ${host} | wc -l`)).trim(), '0', 'no address on the host side');
    });

    await t.test('birdc show protocols: every peer Established; podnet bgp status prints like calicoctl node status', async () => {
      for (const n of ['node1', 'node2']) {
        const other = n === 'node1' ? 'node2' : 'node1';
        const out = await until(`${n} BGP Established`, async () => {
          const o = await onNode(n, 'birdc', '-s', birdSock(n), 'show', 'protocols');
          return /Established/.test(o) ? o : undefined;
        }, 30_000);
        t.diagnostic(out);
        assert.match(out, new RegExp(`^Mesh_${nodeIP[other]!.replace(/\./g, '_')}\\s+BGP\\s+---\\s+up\\s+\\S+\\s+Established`, 'm'));
      }
      const st = await must(PODNET, ['bgp', 'status', '--name', lab, '--node', 'node1']);
      t.diagnostic(st);
      assert.match(st, /^Calico process is running\./);
      assert.match(st, /\| 192\.168\.138\.222 \| node-to-node mesh \| up {4}\| \d\d:\d\d:\d\d \| Established \|/);
      const js = JSON.parse(await must(PODNET, ['bgp', 'status', '--name', lab, '--node', 'node2', '-o', 'json'])) as { running: boolean; peers: { peerAddress: string; info: string }[] };
      assert.deepEqual(js.peers.map((p) => [p.peerAddress, p.info]), [['192.168.138.221', 'Established']]);
    });

    await t.test('a frozen BIRD loses its session at the hold time and its routes go; thawed, they come back', async () => {
      const theirs = await blocksOf('node2');
      const pid = Number(readFileSync(`/run/podnet/${lab}/nodes/node2/state/calico/bird.pid`, 'utf8').trim());
      const hasAll = async (): Promise<boolean> => { const r = await onNode('node1', 'ip', 'route'); return theirs.every((b) => r.includes(`${b} via ${nodeIP.node2} dev eth0 proto bird`)); };
      const hasNone = async (): Promise<boolean> => { const r = await onNode('node1', 'ip', 'route'); return theirs.every((b) => !r.includes(`${b} via`)); };
      assert.ok(await hasAll());
      process.kill(pid, 'SIGSTOP');
      const t0 = Date.now();
      try {
        await until('node1 withdraws node2\'s blocks', hasNone, 20_000);
        t.diagnostic(`withdrawn after ${Date.now() - t0} ms (hold time 3 s)`);
      } finally { process.kill(pid, 'SIGCONT'); }
      const t1 = Date.now();
      await until('node1 learns node2\'s blocks again', hasAll, 30_000);
      t.diagnostic(`restored ${Date.now() - t1} ms after SIGCONT`);
      const out = await kubectl(['exec', 'node1-p1', '--', 'sh', '-c', `ping -c1 -W5 ${pods.find((p) => p.node === 'node2')!.ip} >/dev/null && echo ok`]);
      assert.match(out, /^ok$/m);
    });

    await t.test('filling a block claims a second one (blackhole on the node, proto bird on the other); deleting the pods releases it', async () => {
      const before = await blocksOf('node2');
      assert.equal(before.length, 1);
      await kubectl(['apply', '-f', '-'], podDocs([1, 2, 3].map((i) => ({ name: `fill-${i}`, node: 'node2', app: 'fill' }))));
      const fill = await runningPods(kubectl, 'app=fill', 3);
      const after = await blocksOf('node2');
      assert.equal(after.length, 2, `a second block: ${after.join(' ')}`);
      const second = after.find((b) => !before.includes(b))!;
      assert.ok(fill.some((p) => p.ip.startsWith(second.split('/')[0]!.split('.').slice(0, 3).join('.'))), 'a pod got an address from the second block');
      assert.match(await onNode('node2', 'ip', 'route'), new RegExp(`^blackhole ${esc(second)} proto bird`, 'm'));
      await until('node1 routes the second block by BGP', async () => (await onNode('node1', 'ip', 'route')).includes(`${second} via ${nodeIP.node2} dev eth0 proto bird`), 30_000);
      await kubectl(['delete', 'pod', '-l', 'app=fill', '--wait=true']);
      await until('the second block is released', async () => (await blocksOf('node2')).length === 1, 60_000);
      assert.deepEqual(await blocksOf('node2'), before);
      await until('node1 drops the released block', async () => !(await onNode('node1', 'ip', 'route')).includes(`${second} via`), 30_000);
      const aff = await kubectl(['get', 'blockaffinities', '-o', 'name']);
      assert.doesNotMatch(aff, new RegExp(`node2-${second.replace(/[./]/g, '-')}`));
    });

    await t.test('a ClusterIP Service (iptables) and cluster DNS from a pod on the other node', async () => {
      await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: ca, namespace: default}\nspec:\n  selector: {app: ca}\n  ports: [{port: 80, targetPort: 8080}]\n');
      const out = await until('Service answers by DNS name', async () => {
        const o = await kubectl(['exec', 'node1-p1', '--', 'sh', '-c', 'getent hosts ca.default.svc.cluster.local; curl -s --max-time 5 http://ca.default.svc.cluster.local/']);
        return /pod=node[12]-p[12]/.test(o) ? o : undefined;
      }, 60_000);
      t.diagnostic(out);
      assert.match(out, /^10\.\d+\.\d+\.\d+\s+ca\.default\.svc\.cluster\.local/m);
    });
  } finally {
    await labDownClean(lab);
  }
});

test('calico routed mode (nftables proxy): a Service across nodes and DNS', { timeout: 240_000 }, async (t) => {
  const lab = `cn${Math.random().toString(36).slice(2, 5)}`;
  const kubectl = labKubectl(lab);
  try {
    await labUp(lab, 'nftables');
    await kubectl(['apply', '-f', '-'], podDocs([{ name: 'server', node: 'node2', app: 'srv' }, { name: 'client', node: 'node1', app: 'cli' }])
      + '---\napiVersion: v1\nkind: Service\nmetadata: {name: srv, namespace: default}\nspec:\n  selector: {app: srv}\n  ports: [{port: 80, targetPort: 8080}]\n');
    const [client] = await runningPods(kubectl, 'app=cli', 1);
    await runningPods(kubectl, 'app=srv', 1);
    const out = await until('Service answers by DNS name through nftables', async () => {
      const o = await kubectl(['exec', 'client', '--', 'sh', '-c', 'curl -s --max-time 5 http://srv/']);
      return /pod=server/.test(o) ? o : undefined;
    }, 60_000);
    t.diagnostic(out);
    assert.match(out, new RegExp(`peer=${esc(client!.ip)}:`), 'the server sees the client pod\'s address');
    const nft = await must(PODNET, ['lab', 'exec', '--name', lab, 'node1', '--', 'nft', 'list', 'table', 'ip', 'kube-proxy']);
    assert.match(nft, /default\/srv/);
  } finally {
    await labDownClean(lab);
  }
});
