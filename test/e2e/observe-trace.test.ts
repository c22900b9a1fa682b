/**
 * Issue 16 #2, `podnet trace` against real labs (one per backend, shared by its cases):
 * - vxlan + iptables proxy: pod→pod across nodes names flannel.1 and node2's VTEP; pod→ClusterIP
 *   names the KUBE-SVC/KUBE-SEP chains and the endpoint conntrack shows; a Service with no endpoints
 *   reports the REJECT rule; an unrouted IP is reported as no route (the lab router's); a flow a
 *   NetworkPolicy denies is dropped naming the policy;
 * - host-gw + nftables proxy: pod→pod names the node route via node2; pod→ClusterIP names the nft
 *   service/endpoint chains;
 * - calico (BGP): pod→pod names the route proto bird and the cali interfaces.
 * Every verdict is checked against what the probe really did (a curl/ping from the same pod).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PODNET, labDown, labKubectl, labLeftovers, must, randomLabName, run, until } from '../support/lab.js';

interface Hop { index: number; node: string; netns: string; step: string; device?: string; detail: string; rule?: string; table?: string; chain?: string }
interface Trace { apiVersion: string; kind: string; protocol: string; source: { kind: string; name: string; node: string; ip: string }; destination: { kind: string; ip: string; port?: number }; verdict: string; reason?: string; hops: Hop[] }

const podDocs = (specs: { name: string; node: string; app: string }[]): string => specs.map((p) => ['apiVersion: v1', 'kind: Pod',
  `metadata: {name: ${p.name}, namespace: default, labels: {app: ${p.app}}}`, 'spec:', `  nodeName: ${p.node}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n')).join('\n---\n') + '\n';
const svcDoc = (name: string, app: string): string => ['apiVersion: v1', 'kind: Service', `metadata: {name: ${name}, namespace: default}`,
  `spec: {selector: {app: ${app}}, ports: [{name: http, port: 80, targetPort: 8080}]}`].join('\n') + '\n';

async function ready(kubectl: (a: string[], i?: string) => Promise<string>, n: number): Promise<Record<string, string>> {
  return until(`${n} pods Running`, async () => {
    const l = JSON.parse(await kubectl(['get', 'pods', '-o', 'json'])) as { items: { metadata: { name: string }; status: { phase?: string; podIP?: string } }[] };
    const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
    return ok.length === n ? Object.fromEntries(ok.map((p) => [p.metadata.name, p.status.podIP!])) : undefined;
  }, 90_000);
}

async function trace(lab: string, ...args: string[]): Promise<Trace> {
  const t = JSON.parse(await must(PODNET, ['trace', ...args, '--lab', lab, '-o', 'json'], { timeoutMs: 60_000 })) as Trace;
  assert.equal(t.apiVersion, 'podnet.io/v1'); assert.equal(t.kind, 'Trace');
  t.hops.forEach((h, i) => assert.equal(h.index, i + 1));
  return t;
}
const show = (t: Trace): string => t.hops.map((h) => `${h.index} ${h.node} ${h.netns} ${h.step} ${h.device ?? ''} ${h.detail}`).join('\n') + `\n${t.verdict} ${t.reason ?? ''}`;

async function down(lab: string): Promise<void> {
  const d = await labDown(lab);
  assert.equal(d.code, 0, `lab down: ${d.stderr}`);
  assert.deepEqual(labLeftovers(lab), []);
}

test('trace on a vxlan lab with the iptables proxy: pod→pod, ClusterIP, no endpoints, no route, NetworkPolicy', { timeout: 300_000 }, async (t) => {
  const lab = randomLabName('tv');
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2', '--backend', 'vxlan'], { timeoutMs: 240_000 });
    const kubectl = labKubectl(lab);
    await kubectl(['apply', '-f', '-'], podDocs([{ name: 'a', node: 'node1', app: 'a' }, { name: 'b', node: 'node2', app: 'b' }]) + '---\n' + svcDoc('web', 'b') + '---\n' + svcDoc('empty', 'none'));
    const ip = await ready(kubectl, 2);
    const node2IP = '192.168.138.222';
    const pa = (JSON.parse(await must(PODNET, ['inspect', 'pod', 'a', '--lab', lab, '-o', 'json'])) as { sandbox: { netnsPath: string } }).sandbox.netnsPath;

    // pod → pod across nodes (VXLAN)
    const pp = await trace(lab, 'pod/a', 'pod/b:8080');
    t.diagnostic(`pod/a → pod/b:8080\n${show(pp)}`);
    assert.equal(pp.verdict, 'delivered', show(pp));
    assert.equal(pp.protocol, 'tcp');
    assert.deepEqual([pp.source.kind, pp.source.name, pp.source.node, pp.source.ip], ['pod', 'a', 'node1', ip.a]);
    const tun = pp.hops.find((h) => h.step === 'tunnel');
    assert.equal(tun?.device, 'flannel.1', show(pp));
    assert.match(tun!.detail, new RegExp(`VXLAN VNI 1 UDP port 8472: .* remote VTEP ${node2IP.replace(/\./g, '\\.')}`));
    assert.ok(pp.hops.some((h) => h.step === 'veth' && h.node === 'node1'), 'the source veth');
    assert.ok(pp.hops.some((h) => h.step === 'bridge' && h.node === 'node2' && h.device === 'cni0'), 'delivered through node2\'s cni0');
    assert.ok(pp.hops.some((h) => h.step === 'underlay'));
    assert.equal(pp.hops.at(-1)!.step, 'deliver');
    // the human form: aligned columns, one line per hop
    const human = await must(PODNET, ['trace', 'pod/a', 'pod/b:8080', '--lab', lab]);
    t.diagnostic(human);
    assert.match(human, /^#\s+NODE\s+NETNS\s+STEP\s+DEVICE\s+DETAIL$/m);
    assert.match(human, /^\d+\s+node1\s+pn-\S+-node1\s+tunnel\s+flannel\.1\s+VXLAN VNI 1/m);
    assert.match(human, /VERDICT: delivered/);

    // pod → ClusterIP: KUBE-SVC → KUBE-SEP, DNAT to b
    const sv = await until('web programmed', async () => { const x = await trace(lab, 'pod/a', 'svc/web'); return x.verdict === 'delivered' ? x : undefined; }, 30_000);
    t.diagnostic(`pod/a → svc/web\n${show(sv)}`);
    assert.ok(sv.hops.some((h) => h.step === 'rule' && /^KUBE-SVC-[A-Z2-7]{16}$/.test(h.detail.match(/→ jump (\S+)/)?.[1] ?? '') || (h.chain ?? '').startsWith('KUBE-SVC-')), show(sv));
    assert.ok(sv.hops.some((h) => h.step === 'dnat' && (h.chain ?? '').startsWith('KUBE-SEP-') && h.detail.includes(`DNAT to ${ip.b}:8080`)), show(sv));
    assert.ok(sv.hops.some((h) => h.step === 'dnat' && h.detail.startsWith('conntrack') && h.detail.includes('(endpoint pod/b)')), show(sv));
    assert.ok(sv.hops.some((h) => h.step === 'tunnel' && h.device === 'flannel.1'));
    const reply = await must('nsenter', [`--net=${pa}`, 'curl', '-s', '--max-time', '5', `http://${sv.destination.ip}/`]);
    assert.match(reply, /^pod=b /, 'curl agrees: delivered');

    // a Service without endpoints: the REJECT rule
    const em = await trace(lab, 'pod/a', 'svc/empty:80');
    t.diagnostic(`pod/a → svc/empty\n${show(em)}`);
    assert.equal(em.verdict, 'rejected', show(em));
    assert.match(em.reason ?? '', /KUBE-SERVICES.*default\/empty:http has no endpoints/);
    assert.ok(em.hops.some((h) => h.step === 'drop' && /reject/i.test(h.rule ?? '')), show(em));
    const cr = await run('nsenter', [`--net=${pa}`, 'curl', '-s', '--max-time', '3', `http://${em.destination.ip}/`]);
    assert.equal(cr.code, 7, 'curl agrees: connection refused');

    // an unrouted address: the lab router has no route
    const nr = await trace(lab, 'pod/a', '10.250.0.1:80');
    t.diagnostic(`pod/a → 10.250.0.1:80\n${show(nr)}`);
    assert.equal(nr.verdict, 'no-route', show(nr));
    assert.match(nr.reason ?? '', /no route to 10\.250\.0\.1/);
    assert.ok(nr.hops.some((h) => h.step === 'drop' && /Network is unreachable/.test(h.detail)), show(nr));
    const pg = await run('nsenter', [`--net=${pa}`, 'ping', '-c1', '-W1', '10.250.0.1']);
    assert.match(pg.stdout, /Net Unreachable/, 'ping agrees');

    // a NetworkPolicy denying ingress to b
    await kubectl(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-b, namespace: default}\nspec: {podSelector: {matchLabels: {app: b}}, policyTypes: [Ingress]}\n');
    const np = await until('deny-b enforced', async () => { const x = await trace(lab, 'pod/a', 'pod/b:8080', '--timeout', '1000'); return x.verdict === 'dropped' ? x : undefined; }, 30_000);
    t.diagnostic(`pod/a → pod/b:8080 with deny-b\n${show(np)}`);
    assert.match(np.reason ?? '', /podnet-policy.*isolated by default\/deny-b/);
    assert.ok(np.hops.some((h) => h.node === 'node2' && h.step === 'drop' && h.chain === 'pod-in/default/b'), show(np));
    assert.ok(np.hops.some((h) => h.step === 'policy' && /DENIED/.test(h.detail) && h.detail.includes('default/deny-b')) || np.hops.some((h) => h.step === 'drop'), show(np));
    const cp = await run('nsenter', [`--net=${pa}`, 'curl', '-s', '--max-time', '2', `http://${ip.b}:8080/`]);
    assert.equal(cp.code, 28, 'curl agrees: timed out');
  } finally {
    await down(lab);
  }
});

test('trace on a host-gw lab with the nftables proxy: node route, nft chains', { timeout: 300_000 }, async (t) => {
  const lab = randomLabName('th');
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2', '--backend', 'host-gw', '--proxy-mode', 'nftables'], { timeoutMs: 240_000 });
    const kubectl = labKubectl(lab);
    await kubectl(['apply', '-f', '-'], podDocs([{ name: 'a', node: 'node1', app: 'a' }, { name: 'b', node: 'node2', app: 'b' }]) + '---\n' + svcDoc('web', 'b'));
    const ip = await ready(kubectl, 2);
    const pp = await trace(lab, 'pod/a', `${ip.b}:8080`);
    t.diagnostic(`pod/a → ${ip.b}:8080\n${show(pp)}`);
    assert.equal(pp.verdict, 'delivered', show(pp));
    assert.ok(pp.hops.some((h) => h.node === 'node1' && h.step === 'route' && h.device === 'eth0' && /host-gw route: .* via 192\.168\.138\.222 dev eth0/.test(h.detail)), show(pp));
    assert.ok(!pp.hops.some((h) => h.step === 'tunnel'));
    assert.ok(pp.hops.some((h) => h.step === 'underlay' && /eth0 of node1 → bridge underlay → eth0 of node2/.test(h.detail)), show(pp));
    assert.ok(pp.hops.some((h) => h.node === 'node2' && h.step === 'bridge' && h.device === 'cni0' && /pod\/b eth0/.test(h.detail)), show(pp));
    const sv = await until('web programmed', async () => { const x = await trace(lab, 'pod/a', 'svc/web:http'); return x.verdict === 'delivered' ? x : undefined; }, 30_000);
    t.diagnostic(`pod/a → svc/web\n${show(sv)}`);
    assert.ok(sv.hops.some((h) => h.table === 'ip kube-proxy' && (h.chain ?? '').startsWith('service-')) || sv.hops.some((h) => h.table === 'ip kube-proxy' && /goto service-/.test(h.detail)), show(sv));
    assert.ok(sv.hops.some((h) => h.step === 'dnat' && (h.chain ?? '').startsWith('endpoint-') && h.detail.includes(`${ip.b}:8080`)), show(sv));
  } finally {
    await down(lab);
  }
});

test('trace on a calico lab: the BGP route (proto bird) and cali interfaces', { timeout: 300_000 }, async (t) => {
  const lab = randomLabName('tc');
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--network', 'calico'], { timeoutMs: 240_000 });
    const kubectl = labKubectl(lab);
    await kubectl(['apply', '-f', '-'], podDocs([{ name: 'a', node: 'node1', app: 'a' }, { name: 'b', node: 'node2', app: 'b' }]));
    const ip = await ready(kubectl, 2);
    const pp = await until('BGP carried the route', async () => { const x = await trace(lab, 'pod/a', 'pod/b', '--proto', 'icmp'); return x.verdict === 'delivered' ? x : undefined; }, 30_000);
    t.diagnostic(`pod/a → pod/b (icmp)\n${show(pp)}`);
    assert.equal(pp.protocol, 'icmp');
    assert.ok(pp.hops.some((h) => h.node === 'node1' && h.step === 'route' && /BGP route \(proto bird\): .* via 192\.168\.138\.222 dev eth0 .*proto bird/.test(h.detail)), show(pp));
    assert.ok(pp.hops.some((h) => h.node === 'node1' && h.step === 'cali' && (h.device ?? '').startsWith('cali')), show(pp));
    assert.ok(pp.hops.some((h) => h.node === 'node2' && h.step === 'cali' && (h.device ?? '').startsWith('cali')), show(pp));
    assert.ok(pp.hops.some((h) => h.step === 'deliver' && h.detail.includes(ip.b!)));
  } finally {
    await down(lab);
  }
});
