/**
 * Issue 16: `podnet flows` and `podnet lab tour` on one `--example seed` lab, nftables proxy mode (k8s-node1: wp-mysql,
 * k8s-node2: mysql-demo behind the Service mysql-demo 10.10.147.26:13306 → 3306).
 * - tours: `lab tour seed-003` and `seed-000` run every step on the live lab (-o json), each step's
 *   own check passes, and what the steps found agrees with the kernel read here directly: the veth
 *   peer's ifindex and bridge, the route to the other pod's address, the VXLAN device's VNI and port,
 *   conntrack's chosen endpoint;
 * - flows -f: a TCP connect from wp-mysql to mysql-demo's pod IP arrives as a line naming both pods
 *   (the delay from the kernel's event time to the line's arrival is measured and reported; the
 *   assertion only bounds it generously), a connect to the ClusterIP names the Service and the
 *   endpoint pod; `flows` without -f lists the same connection, named;
 * - inspect svc in nftables mode: the endpoint chain's DNAT counter rose with the connects, the
 *   service chain is counted as its endpoints' sum; `--ipvs` states that this kernel has no ip_vs;
 * - a NetworkPolicy denying ingress to mysql-demo: the denied SYN shows as a DROPPED line naming the
 *   policy (from the agents' drop log).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PODNET, labDown, labKubectl, labLeftovers, must, randomLabName, run, until } from '../support/lab.js';

const NS = 'hyjx--hyjx-group3';
const CLUSTER_IP = '10.10.147.26';

interface TourJson { tour: string; steps: { index: number; title: string; ok: boolean; problem?: string; skipped?: string; output: string; command: string }[]; vars: Record<string, string> }
interface FlowJson {
  time?: string; node: string; event: string; protocol: string; state?: string;
  src: { ip: string; port?: number; name?: string }; dst: { ip: string; port?: number; name?: string };
  service?: { namespace: string; name: string; port: number }; endpoint?: { ip: string; port?: number; name?: string };
  verdict?: string; policies?: string[];
}

/** `podnet flows -f -o json` as a child: its lines with their arrival times. */
function followFlows(lab: string): { lines: { at: number; f: FlowJson }[]; ready: Promise<void>; stop(): Promise<number | null>; stderr(): string } {
  const child = spawn(PODNET, ['flows', '--lab', lab, '-f', '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: { at: number; f: FlowJson }[] = [];
  let rest = '', err = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    const at = Date.now();
    const parts = (rest + d).split('\n'); rest = parts.pop() ?? '';
    for (const l of parts) if (l.trim()) lines.push({ at, f: JSON.parse(l) as FlowJson });
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { err += d; if (/watching flows/.test(err)) resolve(); });
    void exited.then((c) => reject(new Error(`podnet flows exited (${c}): ${err}`)));
  });
  ready.catch(() => undefined);
  return { lines, ready, stderr: () => err, stop: async () => { if (child.exitCode === null) child.kill('SIGINT'); return exited; } };
}

test('podnet flows names live and listed flows (pods, Service, endpoint, policy drops); the seed tours run step by step on the lab', { timeout: 300_000 }, async (t) => {
  const lab = randomLabName('of');
  const started = Date.now();
  const phases: string[] = [];
  const phase = (name: string, since: number): void => { phases.push(`${name} ${((Date.now() - since) / 1000).toFixed(1)}s`); };
  let flows: ReturnType<typeof followFlows> | undefined;
  try {
    let t0 = Date.now();
    await must(PODNET, ['lab', 'up', '--example', 'seed', '--name', lab, '--proxy-mode', 'nftables'], { timeoutMs: 240_000 });
    const kubectl = labKubectl(lab);
    await until('the seed pods Running', async () => /mysql-demo\s+1\/1\s+Running[\s\S]*wp-mysql\s+1\/1\s+Running/.test(await kubectl(['get', 'pods', '-n', NS])), 60_000);
    phase('lab up', t0);
    const n1 = `pn-${lab}-k8s-node1`;

    // ---------------------------------------------------------------- the tours
    t0 = Date.now();
    const tour = async (name: string): Promise<TourJson> => {
      const r = await run(PODNET, ['lab', 'tour', name, '--lab', lab, '--no-pause', '-o', 'json'], { timeoutMs: 120_000 });
      const j = JSON.parse(r.stdout) as TourJson;
      const bad = j.steps.filter((s) => !s.ok);
      assert.equal(r.code, 0, `tour ${name}: ${r.stderr}\n${bad.map((s) => `${s.index} ${s.title}: ${s.problem}\n${s.output}`).join('\n')}`);
      assert.deepEqual(bad, []);
      return j;
    };
    const t3 = await tour('seed-003');
    assert.equal(t3.steps.length, 13);
    assert.deepEqual(t3.steps.filter((s) => s.skipped).map((s) => s.title), [], 'every step ran on a flannel lab');
    assert.equal(t3.vars.podA, 'wp-mysql');
    assert.equal(t3.vars.podB, 'mysql-demo');
    // the veth peer: the ifindex eth0@ifN names is the node's veth of that name, a port of cni0
    const links = JSON.parse(await must('ip', ['-n', n1, '-j', 'link', 'show'])) as { ifindex: number; ifname: string; master?: string }[];
    const veth = links.find((l) => l.ifindex === Number(t3.vars.peer));
    assert.equal(veth?.ifname, t3.vars.veth, `ifindex ${t3.vars.peer} on k8s-node1`);
    assert.equal(veth?.master, 'cni0');
    assert.equal(t3.vars.bridge, 'cni0');
    // the PID's netns is the pod's: ip netns identify agrees with inspect pod
    const insp = JSON.parse(await must(PODNET, ['inspect', 'pod', 'wp-mysql', '-n', NS, '--lab', lab, '-o', 'json'])) as { sandbox?: { netnsName?: string } };
    assert.equal(t3.vars.netns, insp.sandbox?.netnsName, JSON.stringify(insp.sandbox));
    assert.equal(t3.vars.podCIDR, '10.20.37.0/24');
    const capture = t3.steps.find((s) => /Capture in the pod/.test(s.title))!;
    assert.match(capture.output, new RegExp(`${t3.vars.ipA} > 10\\.20\\.92\\.11: ICMP echo request`));
    const t0tour = await tour('seed-000');
    assert.equal(t0tour.steps.length, 14);
    // the route the tour found is the kernel's, the tunnel is VXLAN VNI 1 port 8472, conntrack's endpoint is mysql-demo's
    const route = await must('ip', ['-n', n1, 'route', 'get', '10.20.92.11']);
    assert.match(route, new RegExp(` dev ${t0tour.vars.dev} `));
    assert.equal(t0tour.vars.dev, 'flannel.1');
    assert.deepEqual([t0tour.vars.vni, t0tour.vars.vxport], ['1', '8472']);
    assert.equal(t0tour.vars.chosenEp, '10.20.92.11');
    assert.match(t0tour.steps.at(-1)!.output, new RegExp(`${NS}/wp-mysql:\\d+ +${NS}/mysql-demo:3306 +${NS}/mysql-demo:mysqld-demo +TCP`));
    // inspect svc --ipvs on this kernel: no ip_vs, said in words (the iptables rules are still listed)
    const ipvs = await must(PODNET, ['inspect', 'svc', 'mysql-demo', '-n', NS, '--lab', lab, '--node', 'k8s-node1', '--ipvs']);
    assert.match(ipvs, /^IPVS on node k8s-node1:\n  this kernel has no ip_vs \(\/proc\/net\/ip_vs is absent in k8s-node1's netns; .*\): .*no IPVS virtual server implements hyjx--hyjx-group3\/mysql-demo on k8s-node1 \(the kernel shows nftables rules instead\)/m);
    const human = await must(PODNET, ['lab', 'tour', 'seed-003', '--lab', lab, '--step', '8']);
    assert.match(human, /^\[8\/13\] The veth peer on the node/m);
    assert.match(human, /^→ Interface \d+ of k8s-node1 is veth\w+, the host end of the pod's veth pair/m);
    t.diagnostic(`tour seed-003 --step 8:\n${human}`);
    phase('tours', t0);

    // ---------------------------------------------------------------- flows -f
    t0 = Date.now();
    flows = followFlows(lab);
    await flows.ready;
    const podNetns = insp.sandbox!.netnsName!;
    const connect = (ip: string, port: number): Promise<string> => must('ip', ['netns', 'exec', podNetns, 'timeout', '5', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port} && echo ok`]);
    const isSeedPair = (f: FlowJson): boolean => f.src.name === `${NS}/wp-mysql` && f.protocol === 'tcp';
    const sentAt = Date.now();
    await connect('10.20.92.11', 3306);
    const direct = await until('the pod → pod connection as a named flow', async () => flows!.lines.find((l) => isSeedPair(l.f) && l.f.event === 'new' && l.f.dst.name === `${NS}/mysql-demo` && l.f.dst.port === 3306), 10_000);
    const kernelDelay = direct.at - Date.parse(direct.f.time!);
    const sentDelay = direct.at - sentAt;
    assert.ok(kernelDelay < 5000, `arrived ${kernelDelay} ms after the kernel's event`);
    assert.equal(direct.f.service, undefined, 'no Service on a pod IP');
    await connect(CLUSTER_IP, 13306);
    const viaSvc = await until('the ClusterIP connection named with the Service and its endpoint', async () => flows!.lines.find((l) => isSeedPair(l.f) && l.f.dst.ip === CLUSTER_IP && l.f.service?.name === 'mysql-demo'), 10_000);
    assert.deepEqual(viaSvc.f.service, { namespace: NS, name: 'mysql-demo', port: 13306, portName: 'mysqld-demo', via: 'ClusterIP' });
    assert.equal(viaSvc.f.endpoint?.name, `${NS}/mysql-demo`);
    assert.equal(viaSvc.f.endpoint?.port, 3306);
    assert.equal(viaSvc.f.node, 'k8s-node1', 'named on the node that did the DNAT');
    assert.ok(flows.lines.some((l) => isSeedPair(l.f) && l.f.state === 'ESTABLISHED'), 'the TCP state is followed');
    // nftables mode: the endpoint chain's DNAT counter counted the tour's and this connect; the service chain is their sum
    const nftSvc = JSON.parse(await must(PODNET, ['inspect', 'svc', 'mysql-demo', '-n', NS, '--lab', lab, '--node', 'k8s-node1', '-o', 'json'])) as { proxyMode: string; rules: { chains: { name: string; role: string; packets: number; countedVia?: string }[] }[] };
    assert.equal(nftSvc.proxyMode, 'nftables');
    const epChains = nftSvc.rules[0]!.chains.filter((c) => c.role === 'endpoint');
    const svcChain = nftSvc.rules[0]!.chains.find((c) => c.role === 'service')!;
    assert.equal(epChains.length, 1);
    assert.ok(epChains[0]!.packets >= 2, `endpoint chain DNAT counter ${epChains[0]!.packets} ≥ 2 (the tour's connect and this one)`);
    assert.equal(svcChain.packets, epChains[0]!.packets);
    assert.match(svcChain.countedVia ?? '', /DNAT counters of its 1 endpoint chain/);
    t.diagnostic(`pod → pod flow: line ${kernelDelay} ms after the kernel's conntrack event, ${sentDelay} ms after the connect command started`);

    // ---------------------------------------------------------------- flows (the table now)
    const table = await must(PODNET, ['flows', '--lab', lab, '--svc', 'mysql-demo', '-n', NS]);
    assert.match(table, /^NODE +SOURCE +DESTINATION +SERVICE +PROTO +STATE\/VERDICT +EXPIRES$/m);
    assert.match(table, new RegExp(`^k8s-node1 +${NS}/wp-mysql:\\d+ +${NS}/mysql-demo:3306 +${NS}/mysql-demo:mysqld-demo +TCP +\\w+ +\\d+s$`, 'm'));
    t.diagnostic(`podnet flows --svc mysql-demo -n ${NS}:\n${table}`);

    // ---------------------------------------------------------------- a policy drop
    await kubectl(['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-mysql-in, namespace: ${NS}}\nspec: {podSelector: {matchLabels: {app: mysql-demo}}, policyTypes: [Ingress]}\n`);
    const labels = await kubectl(['get', 'pod', 'mysql-demo', '-n', NS, '-o', 'jsonpath={.metadata.labels}']);
    assert.match(labels, /"app":"mysql-demo"/, 'the policy selects mysql-demo');
    const dropped = await until('a DROPPED line naming the policy', async () => {
      await run('ip', ['netns', 'exec', podNetns, 'timeout', '1', 'bash', '-c', 'exec 3<>/dev/tcp/10.20.92.11/3306']);
      return flows!.lines.find((l) => l.f.verdict === 'DROPPED' && l.f.dst.name === `${NS}/mysql-demo`);
    }, 20_000);
    assert.deepEqual(dropped.f.policies, [`${NS}/deny-mysql-in`]);
    assert.equal(dropped.f.src.name, `${NS}/wp-mysql`);
    assert.equal(dropped.f.node, 'k8s-node2');
    t.diagnostic(`DROPPED line (-o json): ${JSON.stringify(dropped.f)}`);
    const code = await flows.stop();
    flows = undefined;
    assert.equal(code, 0, 'flows -f stops cleanly on SIGINT');
    phase('flows', t0);
  } finally {
    if (flows) await flows.stop();
    const t0 = Date.now();
    const down = await labDown(lab);
    phase('lab down', t0);
    t.diagnostic(`phases: ${phases.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)}s`);
    assert.equal(down.code, 0, `lab down: ${down.stderr}`);
    assert.ok(!existsSync(`/run/podnet/${lab}`), 'no lab dir left');
    assert.deepEqual(labLeftovers(lab), []);
    const strays = (await run('pgrep', ['-af', `conntrack -E|pn-${lab}-`])).stdout.split('\n').filter((l) => l.includes(`pn-${lab}-`));
    assert.deepEqual(strays, [], 'no conntrack or tcpdump listener left in the lab\'s namespaces');
  }
});
