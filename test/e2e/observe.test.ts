/**
 * Issue 16, the first commands, against a real 2-node lab: seed 003's steps as one command each.
 * - `podnet crictl ps | grep POD` and `podnet crictl inspect ID | jq .info.pid` (on the host and
 *   inside the node's netns through `lab exec`) give the container's PID, and the kernel agrees:
 *   `ip netns identify PID` names the pod's netns, `lsns -t net -p PID` its inode, for the
 *   container and the pause process alike;
 * - `podnet inspect pod` agrees with `ip -n` (eth0@ifN, the peer's name, ifindex and master),
 *   `bridge link` (the peer is a port of cni0) and the CNI cache file;
 * - `podnet capture pod/P --files 3 --size 1` under a ping flood rotates, keeps exactly 3 files,
 *   and tshark reads each;
 * - `podnet plan` on seed 003's numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PODNET, labDown, labKubectl, must, randomLabName, run, until } from '../support/lab.js';

interface Inspection {
  node: string; podIPs: string[];
  sandbox: { id: string; pid: number; netnsName: string; netnsPath: string; netnsInode: number };
  interfaces: { name: string; ifindex: number; mtu: number; addresses: string[]; peerIfindex?: number }[];
  peer?: { name: string; ifindex: number; bridge?: string };
  routes: { dst: string; gateway?: string; dev?: string }[];
  cni?: { path: string; networkName: string; result: { ips: { address: string; gateway?: string }[]; interfaces: { name: string; sandbox?: string }[] } };
  containers: { name: string; id: string; pid: number; state: string }[];
}

test('plan: seed 003\'s /12 with /16 per node gives 16 nodes; the seed cluster 10.20.0.0/16 with /24 gives 256', async () => {
  const p = JSON.parse(await must(PODNET, ['plan', '--cluster-cidr', '10.244.0.0/12', '--node-cidr-mask-size', '16', '-o', 'json'])) as { nodes: number; podIPsPerNode: string; warnings: string[] };
  assert.equal(p.nodes, 16);
  assert.equal(p.podIPsPerNode, '65533');
  assert.ok(p.warnings.some((w) => /host bits/.test(w)));
  const human = await must(PODNET, ['plan', '--cluster-cidr', '10.20.0.0/16', '--node-cidr-mask-size', '24', '--service-cluster-ip-range', '10.10.0.0/16']);
  assert.match(human, /^Node subnets: +\/24: 256 /m);
  assert.match(human, /^Pod IPs per node: +253 /m);
  assert.match(human, /^Overlaps: +none$/m);
  const bad = await run(PODNET, ['plan', '--cluster-cidr', '10.0.0.0/8', '--node-cidr-mask-size', '24', '--service-cluster-ip-range', '10.96.0.0/12']);
  assert.equal(bad.code, 0);
  assert.match(bad.stdout, /overlaps --service-cluster-ip-range 10\.96\.0\.0\/12/);
});

test('a 2-node lab: crictl, inspect pod and capture agree with the kernel and the CNI cache', { timeout: 540_000 }, async (t) => {
  const lab = randomLabName('ob');
  const dir = mkdtempSync(join(tmpdir(), 'podnet-observe-'));
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2'], { timeoutMs: 300_000 });
    const kubectl = labKubectl(lab);
    const docs = ['node1', 'node2'].flatMap((n) => [1, 2].map((i) => ['apiVersion: v1', 'kind: Pod', `metadata: {name: ${n}-p${i}, namespace: default, labels: {app: ob}}`,
      'spec:', `  nodeName: ${n}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n')));
    await kubectl(['apply', '-f', '-'], docs.join('\n---\n') + '\n');
    const pods = await until('4 pods Running', async () => {
      const l = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=ob', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { phase?: string; podIP?: string } }[] };
      const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
      return ok.length === 4 ? ok.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, ip: p.status.podIP! })) : undefined;
    }, 180_000);

    const inspections = new Map<string, Inspection>();
    for (const p of pods) {
      // seed 003: crictl ps | grep POD; crictl inspect ID | jq .info.pid
      const ps = await must(PODNET, ['crictl', '--lab', lab, '--node', p.node, 'ps']);
      assert.match(ps.split('\n')[0]!, /^CONTAINER +IMAGE +CREATED +STATE +NAME +ATTEMPT +POD ID +POD$/);
      const line = ps.split('\n').find((l) => l.endsWith(` ${p.name}`));
      assert.ok(line, `crictl ps lists ${p.name}\n${ps}`);
      assert.match(line!, / podnet\/echo +.* ago +Running +echo +0 +[0-9a-f]{13} +/);
      const cid = line!.split(/\s+/)[0]!;
      const pid = Number((await must('sh', ['-c', `${PODNET} crictl --lab ${lab} --node ${p.node} inspect ${cid} | jq .info.pid`])).trim());
      assert.ok(pid > 1, `inspect ${cid} .info.pid = ${pid}`);
      // the same from inside the node's netns (lab exec), as on a real node
      const inNode = await must(PODNET, ['lab', 'exec', '--name', lab, p.node, '--', PODNET, 'crictl', '--lab', lab, '--node', p.node, 'inspect', cid]);
      assert.equal((JSON.parse(inNode) as { info: { pid: number } }).info.pid, pid);

      const ins = JSON.parse(await must(PODNET, ['inspect', 'pod', p.name, '--lab', lab, '-o', 'json'])) as Inspection;
      inspections.set(p.name, ins);
      assert.equal(ins.node, p.node);
      assert.deepEqual(ins.podIPs, [p.ip]);
      assert.deepEqual(ins.containers.map((c) => [c.name, c.pid, c.state]), [['echo', pid, 'CONTAINER_RUNNING']]);
      assert.ok(ins.containers[0]!.id.startsWith(cid));
      // the kernel: the container's and the pause's netns is the pod's
      for (const who of [pid, ins.sandbox.pid]) {
        assert.equal((await must('ip', ['netns', 'identify', String(who)])).trim(), ins.sandbox.netnsName, `ip netns identify ${who}`);
        const ns = Number((await must('lsns', ['-t', 'net', '-p', String(who), '-n', '-o', 'NS'])).trim());
        assert.equal(ns, ins.sandbox.netnsInode, `lsns -t net -p ${who}`);
      }
      const inspectp = JSON.parse(await must(PODNET, ['crictl', '--lab', lab, '--node', p.node, 'inspectp', ins.sandbox.id.slice(0, 13)])) as { info: { pid: number; netnsName: string }; status: { network: { ip: string } } };
      assert.equal(inspectp.info.pid, ins.sandbox.pid);
      assert.equal(inspectp.status.network.ip, p.ip);
      const pods = await must(PODNET, ['crictl', '--lab', lab, '--node', p.node, 'pods', '--name', `^${p.name}$`]);
      assert.match(pods, new RegExp(`^${ins.sandbox.id.slice(0, 13)} +.* ago +Ready +${p.name} +default +0 +\\(default\\)$`, 'm'));

      // eth0@ifN and its peer, as ip -n and bridge link show them
      const eth0 = ins.interfaces.find((i) => i.name === 'eth0')!;
      const kEth0 = (JSON.parse(await must('ip', ['-n', ins.sandbox.netnsName, '-j', 'link', 'show', 'eth0'])) as { ifindex: number; link_index: number; mtu: number }[])[0]!;
      assert.equal(eth0.ifindex, kEth0.ifindex);
      assert.equal(eth0.peerIfindex, kEth0.link_index);
      assert.equal(eth0.mtu, kEth0.mtu);
      assert.deepEqual(eth0.addresses.filter((a) => !a.includes(':')), [`${p.ip}/24`]);
      const nodeNs = `pn-${lab}-${p.node}`;
      const nodeLinks = JSON.parse(await must('ip', ['-n', nodeNs, '-j', 'link', 'show'])) as { ifindex: number; ifname: string; master?: string; link_index?: number }[];
      const kPeer = nodeLinks.find((l) => l.ifindex === kEth0.link_index)!;
      assert.deepEqual(ins.peer, { ...ins.peer, name: kPeer.ifname, ifindex: kPeer.ifindex, bridge: 'cni0' });
      assert.equal(kPeer.master, 'cni0');
      assert.equal(kPeer.link_index, kEth0.ifindex, 'the peer points back at eth0');
      const ports = JSON.parse(await must('ip', ['netns', 'exec', nodeNs, 'bridge', '-j', 'link', 'show'])) as { ifname: string; master?: string }[];
      assert.ok(ports.some((b) => b.ifname === kPeer.ifname && b.master === 'cni0'), `bridge link shows ${kPeer.ifname} on cni0`);
      // the CNI cache (seed 003's /var/lib/cni/results/<net>-<id>-eth0)
      assert.ok(ins.cni, 'CNI result cached');
      assert.ok(ins.cni!.path.endsWith(`/results/${ins.cni!.networkName}-${ins.sandbox.id}-eth0`), ins.cni!.path);
      const cache = JSON.parse(readFileSync(ins.cni!.path, 'utf8')) as { containerId: string; result: Inspection['cni'] extends infer C ? C extends { result: infer R } ? R : never : never };
      assert.equal(cache.containerId, ins.sandbox.id);
      assert.deepEqual(ins.cni!.result, cache.result);
      assert.equal(cache.result.ips[0]!.address, `${p.ip}/24`);
      assert.ok(cache.result.interfaces.some((i) => i.name === kPeer.ifname), 'the cached result names the veth peer');
      assert.ok(cache.result.interfaces.some((i) => i.name === 'eth0' && i.sandbox === ins.sandbox.netnsPath), 'and eth0 in the pod netns');
      const dflt = ins.routes.find((r) => r.dst === 'default');
      assert.equal(dflt?.gateway, cache.result.ips[0]!.gateway, 'the pod\'s default route goes via the CNI gateway');
    }
    const one = pods[0]!;
    t.diagnostic(`inspect pod ${one.name}:\n${await must(PODNET, ['inspect', 'pod', one.name, '--lab', lab])}`);
    t.diagnostic(`crictl ps on ${one.node}:\n${await must(PODNET, ['crictl', '--lab', lab, '--node', one.node, 'ps'])}`);

    // capture: a ring of 3 files of 1 MB on a pod's eth0, under a ping flood from a pod on the other node
    const target = pods.find((p) => p.node === 'node1')!;
    const source = pods.find((p) => p.node === 'node2')!;
    const file = join(dir, 'ring.pcap');
    const cap = spawn(PODNET, ['capture', '--lab', lab, `pod/${target.name}`, 'icmp', '-w', file, '--files', '3', '--size', '1', '--timeout', '120'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let capErr = '';
    cap.stderr!.on('data', (d: Buffer) => { capErr += d.toString(); });
    const exited = new Promise<number>((r) => cap.once('exit', (code) => r(code ?? -1)));
    try {
      await until('tcpdump capturing', async () => /listening on eth0/.test(capErr) || cap.exitCode !== null, 60_000);
      assert.match(capErr, /capturing on eth0 of pod default\//);
      const srcNs = inspections.get(source.name)!.sandbox.netnsName;
      // 5000 requests + replies of ~1.4 kB: ~14 MB through a ring of 3 MB
      await must('ip', ['netns', 'exec', srcNs, 'ping', '-q', '-f', '-s', '1400', '-c', '5000', '-w', '90', target.ip], { timeoutMs: 120_000 }).catch(() => '');
    } finally {
      cap.kill('SIGINT');
    }
    assert.equal(await exited, 0, capErr);
    const captured = Number(/(\d+) packets captured/.exec(capErr)?.[1] ?? 0);
    const files = readdirSync(dir).filter((f) => f.startsWith('ring.pcap')).sort();
    assert.deepEqual(files, ['ring.pcap0', 'ring.pcap1', 'ring.pcap2'], `exactly 3 files kept\n${capErr}`);
    let kept = 0;
    for (const f of files) {
      assert.ok(statSync(join(dir, f)).size > 100_000, `${f} has packets`);
      const out = await must('tshark', ['-r', join(dir, f), '-T', 'fields', '-e', 'ip.src', '-e', 'icmp.type'], { timeoutMs: 120_000 });
      const lines = out.trim().split('\n').filter(Boolean);
      assert.ok(lines.length > 100, `tshark reads ${f}: ${lines.length} packets`);
      assert.ok(lines.every((l) => /^[\d.]+\t(0|8)$/.test(l)), `${f} holds ICMP echo only`);
      assert.ok(lines.some((l) => l.startsWith(`${source.ip}\t8`)), `${f} has requests from ${source.name}`);
      kept += lines.length;
    }
    t.diagnostic(`capture: ${captured} packets captured, ${kept} kept in 3 files`);
    assert.ok(captured > kept, `the ring overwrote old files (${captured} captured > ${kept} kept)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    const down = await labDown(lab);
    assert.equal(down.code, 0, `lab down: ${down.stderr}`);
    assert.ok(!existsSync(`/run/podnet/${lab}`), 'no lab dir left');
  }
});
