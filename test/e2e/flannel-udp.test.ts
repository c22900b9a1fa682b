/**
 * Issue 15, the flannel udp backend (acceptance 1, 4, 5 for udp), through the CLI and the real
 * kubectl, as seed 000 shows it:
 * - `podnet lab up --backend udp` (kube subnet manager): flannel0 is a TUN device (pi off) with
 *   MTU 1472 and our subnet's .0 with the network's prefix, so `ip route` reads as the seed's
 *   (`10.244.0.0/16 dev flannel0 proto kernel scope link src 10.244.X.0`, the own /24 on cni0);
 * - every pod reaches every pod across nodes (ICMP, TCP, UDP; the receiver sees the sender's pod
 *   IP), a Service by its ClusterIP and by its DNS name;
 * - a capture on the underlay bridge shows UDP 8285 between node addresses, and decoded as IP
 *   (tshark -d udp.port==8285,ip) the datagrams carry the pods' packets;
 * - kill -9 of a node's agent: flannel0 and its route vanish with the process, the path stops;
 *   restarted, flannel0 is back and the path too;
 * - `--subnet-manager etcd`: the lease in etcd says BackendType udp, pods reach across nodes;
 * - `lab down` leaves no namespace, process (none holding /dev/net/tun), file; the root netns unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PODNET, echoServersListening, labDown, labKubectl, labLeftovers, must, randomLabName, rootNetwork, run, until } from '../support/lab.js';
import { procStartTime } from '../../src/net/proc.js';

interface PodInfo { name: string; ip: string; node: string }
interface NodeJson { metadata: { name: string }; spec: { podCIDR?: string }; status: { addresses?: { type: string; address: string }[] } }

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// a zombie (killed, not yet reaped by PID 1, which reaps lazily here) holds nothing: it counts as gone
const alive = (pid: number): boolean => procStartTime(pid) !== undefined;

/** Pids inside the lab's node namespaces holding /dev/net/tun open. */
function tunHolders(lab: string): number[] {
  const out: number[] = [];
  const nodeNs = new Set(readdirSync('/run/netns').filter((n) => n.startsWith(`pn-${lab}-node`)).map((n) => `net:[${statSync(`/run/netns/${n}`).ino}]`));
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!nodeNs.has(readlinkSync(`/proc/${d}/ns/net`))) continue;
      if (readdirSync(`/proc/${d}/fd`).some((fd) => { try { return readlinkSync(`/proc/${d}/fd/${fd}`) === '/dev/net/tun'; } catch { return false; } })) out.push(Number(d));
    } catch { /* gone or not ours to read */ }
  }
  return out;
}

async function podsOn(kubectl: (a: string[], i?: string) => Promise<string>, label: string, count: number): Promise<PodInfo[]> {
  return until(`${count} pods ${label} Running`, async () => {
    const l = JSON.parse(await kubectl(['get', 'pods', '-l', label, '-o', 'json'])) as { items: { metadata: { name: string }; spec: { nodeName: string }; status: { phase?: string; podIP?: string } }[] };
    const ok = l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
    return ok.length === count ? ok.map((p): PodInfo => ({ name: p.metadata.name, ip: p.status.podIP!, node: p.spec.nodeName })) : undefined;
  }, 90_000).then(async (pods) => { await echoServersListening(kubectl, pods.map((p) => p.name)); return pods; });
}

const podYaml = (name: string, node: string, label: string): string =>
  ['apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}, namespace: default, labels: {${label}}}`, 'spec:', `  nodeName: ${node}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n');

test('flannel udp backend: flannel0, pods across nodes, Service + DNS, UDP 8285 on the underlay, kill -9 / restart, lab down', { timeout: 300_000 }, async (t) => {
  const lab = randomLabName('tfu');
  const rootBefore = await rootNetwork();
  const tmp = mkdtempSync(join(tmpdir(), 'podnet-udp-'));
  const lexec = (where: string, ...cmd: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, where, '--', ...cmd]);
  let agentPids: number[] = [];
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2', '--backend', 'udp'], { timeoutMs: 180_000 });
    const kubectl = labKubectl(lab);
    const nodes = (JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: NodeJson[] }).items;
    const nodeIP = new Map(nodes.map((n) => [n.metadata.name, n.status.addresses!.find((a) => a.type === 'InternalIP')!.address]));
    const podCIDR = new Map(nodes.map((n) => [n.metadata.name, n.spec.podCIDR!]));

    // The device and the routes, as in seed 000.
    for (const n of ['node1', 'node2']) {
      const link = await lexec(n, 'ip', '-d', 'link', 'show', 'flannel0');
      assert.match(link, /mtu 1472 /, `${n}: flannel0 MTU = 1500 - 28\n${link}`);
      assert.match(link, /tun type tun pi off/, `${n}: a TUN device without packet info\n${link}`);
      const sub0 = podCIDR.get(n)!.replace(/\/24$/, '');
      const routes = await lexec(n, 'ip', 'route');
      assert.match(routes, new RegExp(`^10\\.244\\.0\\.0/16 dev flannel0 proto kernel scope link src ${esc(sub0)} *$`, 'm'), `${n}: the network via flannel0\n${routes}`);
      assert.match(await lexec(n, 'ss', '-ulnH', 'sport = :8285'), /:8285/, `${n}: the agent listens on UDP 8285`);
      assert.match(readFileSync(`/run/podnet/${lab}/nodes/${n}/state/flannel/subnet.env`, 'utf8'), /^FLANNEL_MTU=1472$/m);
    }
    const ann = await kubectl(['get', 'node', 'node1', '-o', 'jsonpath={.metadata.annotations.flannel\\.alpha\\.coreos\\.com/backend-type}']);
    assert.equal(ann, 'udp', 'the lease (node annotation) names the udp backend');

    await kubectl(['apply', '-f', '-'], [
      ...['node1', 'node2'].flatMap((n) => [1, 2].map((i) => podYaml(`${n}-p${i}`, n, 'app: udp'))),
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec:\n  selector: {app: udp, side: b}\n  ports: [{name: http, port: 80, targetPort: 8080}]',
    ].join('\n---\n') + '\n');
    const pods = await podsOn(kubectl, 'app=udp', 4);
    for (const p of pods) if (p.node === 'node2') await kubectl(['label', 'pod', p.name, 'side=b']);
    const clusterIP = (await kubectl(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    for (const n of ['node1', 'node2']) {
      const routes = await lexec(n, 'ip', 'route');
      assert.match(routes, new RegExp(`^${esc(podCIDR.get(n)!)} dev cni0 proto kernel scope link`, 'm'), `${n}: its own subnet on cni0 (the longer prefix wins over flannel0's)\n${routes}`);
      if (n === 'node1') t.diagnostic(`node1 ip route:\n${routes.trim()}`);
    }

    // Capture on the underlay bridge while the pods talk: pcap file, decoded afterwards by tshark.
    const pcap = join(tmp, 'underlay.pcap');
    const cap = spawn(PODNET, ['capture', 'underlay', '--lab', lab, '-w', pcap, '-c', '200', '--timeout', '60', 'udp', 'port', '8285'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let capLog = '';
    cap.stderr!.on('data', (d: Buffer) => { capLog += d.toString(); });
    cap.stdout!.on('data', (d: Buffer) => { capLog += d.toString(); });
    await until('tcpdump listening on the underlay', async () => /listening on/.test(capLog) || cap.exitCode !== null, 30_000);

    const script = (self: PodInfo): string => [
      ...pods.filter((p) => p.node !== self.node).flatMap((p) => [
        `ping -c1 -W5 ${p.ip} >/dev/null 2>&1 && echo "icmp ${p.ip} ok" || echo "icmp ${p.ip} FAIL"`,
        `echo "tcp ${p.ip} $(curl -s --max-time 10 http://${p.ip}:8080/)"`,
        `echo "udp ${p.ip} $(echo udp-from-${self.name} | nc -u -w1 ${p.ip} 9000)"`,
      ]),
      `echo "svc $(curl -s --max-time 10 http://${clusterIP}/)"`,
      `echo "dns $(getent hosts web.default.svc.cluster.local)"`,
      `echo "dnssvc $(curl -s --max-time 10 http://web/)"`,
    ].join('\n');
    const b = pods.filter((p) => p.node === 'node2');
    await Promise.all(pods.map(async (self) => {
      const out = await kubectl(['exec', self.name, '--', 'sh', '-c', script(self)]);
      for (const p of pods.filter((x) => x.node !== self.node)) {
        assert.match(out, new RegExp(`^icmp ${esc(p.ip)} ok$`, 'm'), `${self.name} → ${p.name} ICMP\n${out}`);
        assert.match(out, new RegExp(`^tcp ${esc(p.ip)} .*pod=${p.name} ip=${esc(p.ip)} peer=${esc(self.ip)}:`, 'm'), `${self.name} → ${p.name} TCP keeps the source IP\n${out}`);
        assert.match(out, new RegExp(`^udp ${esc(p.ip)} .*udp-from-${self.name}`, 'm'), `${self.name} → ${p.name} UDP\n${out}`);
      }
      const fromB = `(${b.map((p) => `pod=${p.name} ip=${esc(p.ip)}`).join('|')})`;
      assert.match(out, new RegExp(`^svc .*${fromB}`, 'm'), `${self.name} → Service ${clusterIP}\n${out}`);
      assert.match(out, new RegExp(`^dns ${esc(clusterIP)}\\s+web\\.default\\.svc\\.cluster\\.local`, 'm'), `${self.name}: DNS name of the Service\n${out}`);
      assert.match(out, new RegExp(`^dnssvc .*${fromB}`, 'm'), `${self.name} → http://web/\n${out}`);
      if (self.node === 'node1') assert.match(out, new RegExp(`^svc .*peer=${esc(self.ip)}:`, 'm'), 'a Service backend on the other node sees the client pod\'s IP');
    }));

    // Enough traffic for the capture to fill, then stop it and decode the inner packets.
    await kubectl(['exec', pods.find((p) => p.node === 'node1')!.name, '--', 'sh', '-c', `ping -c 20 -i 0.05 -W1 ${b[0]!.ip} >/dev/null`]).catch(() => '');
    if (cap.exitCode === null) { const e = new Promise((r) => cap.once('exit', r)); cap.kill('SIGINT'); await e; }
    const decoded = await must('tshark', ['-n', '-r', pcap, '-d', 'udp.port==8285,ip', '-T', 'fields', '-E', 'separator=;', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', '_ws.col.Protocol']);
    const rows = decoded.trim().split('\n').filter(Boolean).map((l) => l.split(';'));
    const podIPs = new Set(pods.map((p) => p.ip));
    const nodeIPs = new Set(nodeIP.values());
    const carried = rows.filter(([src, dst, sport, dport]) => {
      const [os, is] = (src ?? '').split(','); const [od, id] = (dst ?? '').split(',');
      return nodeIPs.has(os!) && nodeIPs.has(od!) && os !== od && sport?.split(',')[0] === '8285' && dport?.split(',')[0] === '8285' && podIPs.has(is!) && podIPs.has(id!);
    });
    t.diagnostic(`underlay: ${rows.length} UDP 8285 datagrams, ${carried.length} carrying pod→pod packets, e.g.\n${carried.slice(0, 3).map((r) => r.join(' ')).join('\n')}`);
    assert.ok(carried.length >= 10, `UDP 8285 between node addresses carrying pod packets (decoded inner src/dst):\n${decoded.slice(0, 2000)}\n${capLog}`);
    assert.ok(carried.some((r) => (r[4] ?? '').includes('ICMP')) && carried.some((r) => /TCP|HTTP/.test(r[4] ?? '')), `ICMP and TCP inside\n${decoded.slice(0, 2000)}`);

    // kill -9 of node1's agent: the device and its route go with the process, the path stops.
    const n1 = pods.find((p) => p.node === 'node1')!;
    const n2 = b[0]!;
    const pingOnce = async (): Promise<boolean> => (await run('kubectl', ['exec', n1.name, '--', 'ping', '-c1', '-W1', n2.ip], { env: { KUBECONFIG: `/run/podnet/${lab}/api/admin.kubeconfig` } })).code === 0;
    const rec = JSON.parse(readFileSync(`/run/podnet/${lab}/pids/agent-node1.pid`, 'utf8')) as { pid: number };
    agentPids = tunHolders(lab);
    assert.ok(agentPids.length >= 2, `the agents hold /dev/net/tun (${agentPids.join(',')})`);
    process.kill(rec.pid, 'SIGKILL');
    await until('flannel0 gone from node1', async () => !(await lexec('node1', 'ip', '-br', 'link')).includes('flannel0'), 20_000);
    assert.doesNotMatch(await lexec('node1', 'ip', 'route'), /flannel0/, 'no route via flannel0 left');
    assert.equal(await pingOnce(), false, 'pod on node1 → pod on node2 stops with the agent');
    // Restarted, it converges: flannel0, its route and the path are back.
    await must(PODNET, ['lab', 'restart-agent', '--name', lab, 'node1']);
    await until('path restored', async () => (await lexec('node1', 'ip', 'route')).includes('dev flannel0 proto kernel') && pingOnce(), 60_000);
    const again = await kubectl(['exec', n1.name, '--', 'sh', '-c', `curl -s --max-time 10 http://${n2.ip}:8080/`]);
    assert.match(again, new RegExp(`peer=${esc(n1.ip)}:`), 'TCP across nodes again, source kept');
    agentPids = [...new Set([...agentPids, ...tunHolders(lab)])];
  } finally {
    const down = await labDown(lab);
    rmSync(tmp, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  }
  assert.deepEqual(labLeftovers(lab), []);
  assert.deepEqual(agentPids.filter(alive), [], 'no process that held a TUN device is left');
  assert.equal(await rootNetwork(), rootBefore, 'the root namespace is as before');
});

test('flannel udp backend with the etcd subnet manager and the nftables proxy: udp leases in etcd, pods reach across nodes, Service + DNS', { timeout: 180_000 }, async () => {
  const lab = randomLabName('tfe');
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2', '--backend', 'udp', '--subnet-manager', 'etcd', '--proxy-mode', 'nftables'], { timeoutMs: 180_000 });
    const kubectl = labKubectl(lab);
    const out = await must(PODNET, ['lab', 'exec', '--name', lab, 'client', '--', 'etcdctl', '--endpoints', 'http://192.168.138.100:2379', 'get', '--prefix', '/coreos.com/network/']);
    assert.match(out, /"Backend":\{"Type":"udp","Port":8285\}/, out);
    const leases = out.split('\n').filter((l) => l.startsWith('{"PublicIP"'));
    assert.equal(leases.length, 2, out);
    for (const l of leases) assert.equal((JSON.parse(l) as { BackendType: string }).BackendType, 'udp');
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: e2svc, namespace: default}\nspec:\n  selector: {side: far}\n  ports: [{port: 80, targetPort: 8080}]';
    await kubectl(['apply', '-f', '-'], [podYaml('e1', 'node1', 'app: e'), podYaml('e2', 'node2', 'app: e, side: far'), svc].join('\n---\n') + '\n');
    const pods = await podsOn(kubectl, 'app=e', 2);
    const [p1, p2] = [pods.find((p) => p.node === 'node1')!, pods.find((p) => p.node === 'node2')!];
    const r = await kubectl(['exec', p1.name, '--', 'sh', '-c', `ping -c1 -W5 ${p2.ip} >/dev/null && echo icmp-ok; curl -s --max-time 10 http://${p2.ip}:8080/`]);
    assert.match(r, /^icmp-ok$/m, r);
    assert.match(r, new RegExp(`pod=e2 ip=${esc(p2.ip)} peer=${esc(p1.ip)}:`), r);
    // a Service through the nftables proxy and its DNS name, across the udp tunnel
    const viaSvc = await until('Service by name across the udp tunnel', async () => {
      const o = await kubectl(['exec', p1.name, '--', 'sh', '-c', 'curl -s --max-time 5 http://e2svc.default.svc.cluster.local/']);
      return /^pod=e2 /.test(o) ? o : undefined;
    }, 60_000);
    assert.match(viaSvc, new RegExp(`peer=${esc(p1.ip)}:`), viaSvc);
  } finally {
    const down = await labDown(lab);
    assert.equal(down.code, 0, down.stderr);
  }
  assert.deepEqual(labLeftovers(lab), []);
});
