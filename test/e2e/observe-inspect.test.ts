/**
 * Issue 16, `inspect node` and `inspect svc` against a real 2-node vxlan lab:
 * - `inspect node node1` agrees with `ip -d link`, `bridge fdb show dev flannel.1` and `ip route`
 *   read directly in the node's netns: flannel.1's VNI/port/local VTEP, node2's VTEP (its flannel.1
 *   MAC → node2's underlay IP) in the FDB and as a neighbour, node2's podCIDR routed via flannel.1
 *   onlink, cni0's ports, the subnet lease and the proxy mode;
 * - `inspect svc web` lists both endpoints under their nodes and names the KUBE-SVC chain (upstream's
 *   hash name) whose entry counter rises after a curl through the ClusterIP; `-o json` parses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { PODNET, labDown, labKubectl, labLeftovers, must, randomLabName, until } from '../support/lab.js';

interface NodeInsp {
  node: string; network: string; podCIDRs: string[]; internalIP: string;
  links: { name: string; kind: string; mtu: number; addresses: string[] }[];
  bridges: { name: string; ports: { name: string; state: string }[] }[];
  tunnels: { name: string; kind: string; vni?: number; port?: number; local?: string; fdb: { mac: string; dst?: string }[]; neighbours: { dst: string; lladdr?: string }[] }[];
  routes: { dst: string; gateway?: string; dev?: string; flags: string[] }[];
  lease?: { subnetEnv?: Record<string, string>; annotations: Record<string, string> };
  proxy: { mode: string; families: { family: string; chains: number; rules: number }[] };
  networkPolicy: { table: boolean };
}
interface SvcInsp {
  clusterIPs: string[]; type: string; node: string; proxyMode: string;
  ports: { port: number; nodePort?: number; servicePortName: string }[];
  endpointsByNode: { node: string; endpoints: { ip: string; port: string; pod?: string }[] }[];
  rules: { port: string; chains: { name: string; role: string; packets: number; rules: { rule: string }[] }[] }[];
}

test('inspect node and inspect svc agree with the kernel of a 2-node vxlan lab', { timeout: 300_000 }, async (t) => {
  const lab = randomLabName('oi');
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2', '--backend', 'vxlan'], { timeoutMs: 240_000 });
    const kubectl = labKubectl(lab);
    const docs = ['node1', 'node2'].map((n) => ['apiVersion: v1', 'kind: Pod', `metadata: {name: web-${n}, namespace: default, labels: {app: web}}`,
      'spec:', `  nodeName: ${n}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n'));
    docs.push(['apiVersion: v1', 'kind: Service', 'metadata: {name: web, namespace: default}',
      'spec: {type: NodePort, selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}'].join('\n'));
    await kubectl(['apply', '-f', '-'], docs.join('\n---\n') + '\n');
    const pods = await until('2 pods Running', async () => {
      const l = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { phase?: string; podIP?: string } }[] };
      const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
      return ok.length === 2 ? ok.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, ip: p.status.podIP! })) : undefined;
    }, 120_000);
    const nodes = (JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { podCIDR: string }; status: { addresses: { type: string; address: string }[] } }[] }).items;
    const nodeIP = (n: string): string => nodes.find((x) => x.metadata.name === n)!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    const podCIDR = (n: string): string => nodes.find((x) => x.metadata.name === n)!.spec.podCIDR;

    // ---- inspect node node1 vs the kernel
    const ns = `pn-${lab}-node1`;
    const n1 = JSON.parse(await must(PODNET, ['inspect', 'node', 'node1', '--lab', lab, '-o', 'json'])) as NodeInsp;
    assert.equal(n1.node, 'node1');
    assert.equal(n1.network, 'flannel');
    assert.deepEqual(n1.podCIDRs, [podCIDR('node1')]);
    const kVx = (JSON.parse(await must('ip', ['-n', ns, '-j', '-d', 'link', 'show', 'flannel.1'])) as { mtu: number; linkinfo: { info_kind: string; info_data: { id: number; port: number; local: string } } }[])[0]!;
    const tun = n1.tunnels.find((x) => x.name === 'flannel.1');
    assert.ok(tun, `flannel.1 among the tunnels: ${JSON.stringify(n1.tunnels)}`);
    assert.equal(tun!.kind, 'vxlan');
    assert.deepEqual([tun!.vni, tun!.port, tun!.local], [kVx.linkinfo.info_data.id, kVx.linkinfo.info_data.port, kVx.linkinfo.info_data.local]);
    assert.equal(tun!.local, nodeIP('node1'));
    assert.equal(n1.links.find((l) => l.name === 'flannel.1')!.mtu, kVx.mtu);
    // node2's VTEP: its flannel.1 MAC → node2's underlay IP (FDB), its flannel.1 address → that MAC (neighbour)
    const mac2 = (JSON.parse(await must('ip', ['-n', `pn-${lab}-node2`, '-j', 'link', 'show', 'flannel.1'])) as { address: string }[])[0]!.address;
    const kFdb = JSON.parse(await must('ip', ['netns', 'exec', ns, 'bridge', '-j', 'fdb', 'show', 'dev', 'flannel.1'])) as { mac: string; dst?: string }[];
    assert.deepEqual(tun!.fdb.map((f) => [f.mac, f.dst]).sort(), kFdb.map((f) => [f.mac, f.dst]).sort(), 'inspect\'s FDB is bridge fdb\'s');
    assert.ok(tun!.fdb.some((f) => f.mac === mac2 && f.dst === nodeIP('node2')), `node2's VTEP ${mac2} → ${nodeIP('node2')} in the FDB`);
    const kNeigh = JSON.parse(await must('ip', ['-n', ns, '-j', 'neigh', 'show', 'dev', 'flannel.1'])) as { dst: string; lladdr?: string }[];
    assert.deepEqual(tun!.neighbours.map((x) => [x.dst, x.lladdr]).sort(), kNeigh.map((x) => [x.dst, x.lladdr]).sort());
    assert.ok(tun!.neighbours.some((x) => x.lladdr === mac2), 'node2\'s VTEP is a neighbour');
    // node2's podCIDR routed via flannel.1 onlink, and every route as ip route has it
    const kRoutes = JSON.parse(await must('ip', ['-n', ns, '-4', '-j', 'route', 'show'])) as { dst: string; gateway?: string; dev?: string; flags?: string[] }[];
    assert.deepEqual(n1.routes.map((r) => [r.dst, r.gateway, r.dev]), kRoutes.map((r) => [r.dst, r.gateway, r.dev]));
    const r2 = n1.routes.find((r) => r.dst === podCIDR('node2'));
    assert.equal(r2?.dev, 'flannel.1', `route to ${podCIDR('node2')}: ${JSON.stringify(r2)}`);
    assert.ok(r2!.flags.includes('onlink'), 'onlink');
    assert.ok(tun!.neighbours.some((x) => x.dst === r2!.gateway && x.lladdr === mac2), 'the route\'s gateway is node2\'s VTEP neighbour');
    // cni0 and its ports (bridge link), the lease, the proxy
    const kPorts = (JSON.parse(await must('ip', ['netns', 'exec', ns, 'bridge', '-j', 'link', 'show'])) as { ifname: string; master?: string }[]).filter((p) => p.master === 'cni0').map((p) => p.ifname).sort();
    assert.deepEqual(n1.bridges.find((b) => b.name === 'cni0')?.ports.map((p) => p.name).sort(), kPorts);
    assert.ok(kPorts.length >= 1);
    assert.ok(n1.lease?.subnetEnv?.FLANNEL_SUBNET?.startsWith(podCIDR('node1').split('.').slice(0, 3).join('.') + '.'), JSON.stringify(n1.lease));
    assert.equal(n1.lease?.annotations['flannel.alpha.coreos.com/backend-type'], 'vxlan');
    assert.equal(n1.proxy.mode, 'iptables');
    const kSvcChains = (await must('ip', ['netns', 'exec', ns, 'iptables-save', '-t', 'nat'])).split('\n').filter((l) => /^:KUBE-SVC-/.test(l)).length;
    assert.equal(n1.proxy.families.find((f) => f.family === 'nat KUBE-SVC-*')?.chains, kSvcChains);
    const human = await must(PODNET, ['inspect', 'node', 'node1', '--lab', lab]);
    assert.match(human, new RegExp(`^  ${mac2} +${nodeIP('node2').replace(/\./g, '\\.')} +`, 'm'));
    assert.match(human, new RegExp(`^  ${podCIDR('node2').replace(/[./]/g, '\\$&')} +\\S+ +flannel\\.1 +.*onlink$`, 'm'));
    t.diagnostic(`inspect node node1:\n${human}`);

    // ---- inspect svc web on node1, and the KUBE-SVC counter around a curl through the ClusterIP
    const spn = 'default/web:http';
    const svc1 = await until('the proxy programmed web on node1', async () => {
      const s = JSON.parse(await must(PODNET, ['inspect', 'svc', 'svc/web', '--lab', lab, '--node', 'node1', '-o', 'json'])) as SvcInsp;
      const r = s.rules.find((x) => x.port === spn);
      return r && r.chains.filter((c) => c.role === 'endpoint').length === 2 && r.chains.some((c) => c.role === 'service') ? s : undefined;
    }, 60_000);
    assert.equal(svc1.proxyMode, 'iptables');
    assert.equal(svc1.type, 'NodePort');
    assert.ok(svc1.ports[0]!.nodePort! >= 30000);
    assert.deepEqual(svc1.endpointsByNode.map((n) => [n.node, n.endpoints.map((e) => `${e.ip}:${e.port}`)]),
      ['node1', 'node2'].map((n) => [n, [`${pods.find((p) => p.node === n)!.ip}:8080`]]));
    assert.deepEqual(svc1.endpointsByNode.map((n) => n.endpoints[0]!.pod), ['web-node1', 'web-node2']);
    const svcChain = svc1.rules[0]!.chains.find((c) => c.role === 'service')!;
    assert.match(svcChain.name, /^KUBE-SVC-[A-Z2-7]{16}$/);
    const kNat = await must('ip', ['netns', 'exec', ns, 'iptables-save', '-t', 'nat']);
    assert.ok(kNat.includes(`:${svcChain.name} `), `${svcChain.name} exists in node1's nat table`);
    for (const ep of svc1.rules[0]!.chains.filter((c) => c.role === 'endpoint')) {
      assert.ok(svcChain.rules.some((r) => r.rule.endsWith(`-j ${ep.name}`)), `${svcChain.name} jumps to ${ep.name}`);
      assert.ok(ep.rules.some((r) => /-j DNAT --to-destination [\d.]+:8080$/.test(r.rule)), ep.rules.map((r) => r.rule).join('\n'));
    }
    const before = svcChain.packets;
    const reply = await must('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '10', `http://${svc1.clusterIPs[0]}:80/`]);
    assert.match(reply, /^pod=web-node[12] /);
    const svc2 = JSON.parse(await must(PODNET, ['inspect', 'svc', 'web', '--lab', lab, '--node', 'node1', '-o', 'json'])) as SvcInsp;
    const after = svc2.rules[0]!.chains.find((c) => c.name === svcChain.name)!.packets;
    assert.ok(after > before, `${svcChain.name} entered ${before} → ${after} packets after the curl`);
    const humanSvc = await must(PODNET, ['inspect', 'svc', 'web', '--lab', lab, '--node', 'node1']);
    assert.match(humanSvc, new RegExp(`^    ${svcChain.name} \\(service; entered ${after} packets`, 'm'));
    t.diagnostic(`inspect svc web:\n${humanSvc}`);
  } finally {
    const down = await labDown(lab);
    assert.equal(down.code, 0, `lab down: ${down.stderr}`);
    assert.ok(!existsSync(`/run/podnet/${lab}`), 'no lab dir left');
    assert.deepEqual(labLeftovers(lab), []);
  }
});
