import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import {
  buildNameIndex, FlowDeduper, flowCells, flowLine, flowOf, flowOfDrop, FlowParseError, matchesFilter, parseConntrackLine, parseConntrackTable,
} from './flows.js';

// Saved from a `--example seed` lab: wp-mysql (k8s-node1, 10.20.37.3) → mysql-demo (k8s-node2, 10.20.92.11)
// by pod IP, then through the mysql-demo Service (ClusterIP 10.10.147.26:13306 → 3306); events on k8s-node1.
const EVENTS = `[1795796530.452467]	    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=10.20.37.3 dst=10.20.92.11 sport=36648 dport=3306 [UNREPLIED] src=10.20.92.11 dst=10.20.37.3 sport=3306 dport=36648
[1795796530.452519]	    [NEW] ipv4     2 udp      17 30 src=192.168.138.221 dst=192.168.138.222 sport=56684 dport=8472 [UNREPLIED] src=192.168.138.222 dst=192.168.138.221 sport=8472 dport=56684
[1795796530.452542]	 [UPDATE] ipv4     2 tcp      6 432000 ESTABLISHED src=10.20.37.3 dst=10.20.92.11 sport=36648 dport=3306 src=10.20.92.11 dst=10.20.37.3 sport=3306 dport=36648 [ASSURED]
[1795796530.458586]	 [UPDATE] ipv4     2 udp      17 30 src=10.20.37.3 dst=10.10.0.10 sport=55219 dport=53 src=10.20.37.2 dst=10.20.37.3 sport=53 dport=55219
[1795796530.459117]	    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=10.20.37.3 dst=10.10.147.26 sport=36478 dport=13306 [UNREPLIED] src=10.20.92.11 dst=10.20.37.3 sport=3306 dport=36478
[1795796530.460001]	[DESTROY] ipv4     2 tcp      6 src=10.20.37.3 dst=10.10.147.26 sport=36478 dport=13306 src=10.20.92.11 dst=10.20.37.3 sport=3306 dport=36478 [ASSURED]
conntrack v1.4.7 (conntrack-tools): 18 flow events have been shown.`;

const TABLE = `ipv4     2 udp      17 23 src=192.168.138.222 dst=192.168.138.221 sport=49380 dport=8472 [UNREPLIED] src=192.168.138.221 dst=192.168.138.222 sport=8472 dport=49380 mark=0 use=1
ipv4     2 tcp      6 113 TIME_WAIT src=10.20.37.3 dst=10.10.147.26 sport=36478 dport=13306 src=10.20.92.11 dst=10.20.37.3 sport=3306 dport=36478 [ASSURED] mark=0 use=1
ipv4     2 unknown  2 589 src=0.0.0.0 dst=224.0.0.22 [UNREPLIED] src=224.0.0.22 dst=0.0.0.0 mark=0 use=1
ipv4     2 icmp     1 29 src=10.20.37.3 dst=10.20.92.11 type=8 code=0 id=7 src=10.20.92.11 dst=10.20.37.3 type=0 code=0 id=7 mark=0 use=1
ipv4     2 tcp      6 117 TIME_WAIT src=192.168.138.100 dst=192.168.138.221 sport=40000 dport=30016 src=10.20.92.11 dst=10.20.37.0 sport=3306 dport=11111 [ASSURED] mark=0 use=1
`;

const pod = (ns: string, name: string, ip: string, node: string): Pod => ({ metadata: { namespace: ns, name }, spec: { nodeName: node, containers: [] }, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } });
const PODS: Pod[] = [pod('hyjx--hyjx-group3', 'wp-mysql', '10.20.37.3', 'k8s-node1'), pod('hyjx--hyjx-group3', 'mysql-demo', '10.20.92.11', 'k8s-node2'), pod('kube-system', 'podnet-dns-1', '10.20.37.2', 'k8s-node1'),
  { ...pod('default', 'old', '10.20.37.9', 'k8s-node1'), status: { phase: 'Succeeded', podIP: '10.20.37.9' } }];
const SVCS: Service[] = [
  { metadata: { namespace: 'hyjx--hyjx-group3', name: 'mysql-demo' }, spec: { clusterIP: '10.10.147.26', clusterIPs: ['10.10.147.26'], ports: [{ port: 13306, targetPort: 3306, protocol: 'TCP' }] } },
  { metadata: { namespace: 'hyjx--hyjx-group3', name: 'mysql-demo2' }, spec: { type: 'NodePort', clusterIP: '10.10.95.1', ports: [{ name: 'db', port: 23306, nodePort: 30016, protocol: 'TCP' }] } },
  { metadata: { namespace: 'kube-system', name: 'kube-dns' }, spec: { clusterIP: '10.10.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] } },
];
const node = (name: string, ip: string, cidr: string): Node => ({ metadata: { name }, spec: { podCIDR: cidr }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const NODES = [node('k8s-node1', '192.168.138.221', '10.20.37.0/24'), node('k8s-node2', '192.168.138.222', '10.20.92.0/24')];
const IDX = buildNameIndex(PODS, SVCS, NODES);

test('events: time, type, protocol, timeout, TCP state, both tuples, flags; the summary line is skipped', () => {
  const lines = EVENTS.split('\n').map(parseConntrackLine);
  assert.equal(lines[6], undefined);
  const e = lines[0]!;
  assert.equal(e.event, 'NEW');
  assert.equal(e.timeMs, 1795796530452);
  assert.deepEqual([e.family, e.protocol, e.timeout, e.state], ['ipv4', 'tcp', 120, 'SYN_SENT']);
  assert.deepEqual(e.orig, { src: '10.20.37.3', dst: '10.20.92.11', sport: 36648, dport: 3306 });
  assert.deepEqual(e.reply, { src: '10.20.92.11', dst: '10.20.37.3', sport: 3306, dport: 36648 });
  assert.deepEqual(e.flags, ['UNREPLIED']);
  assert.deepEqual(lines[2]!.flags, ['ASSURED']);
  assert.equal(lines[3]!.state, undefined, 'UDP has no state');
  const d = lines[5]!;
  assert.equal(d.event, 'DESTROY');
  assert.equal(d.timeout, undefined, 'a destroyed entry has no timeout');
  assert.equal(d.state, undefined);
});

test('table entries: no event, mark read, unknown protocols by number, ICMP without ports', () => {
  const t = parseConntrackTable(TABLE);
  assert.equal(t.length, 5);
  assert.equal(t[0]!.event, undefined);
  assert.equal(t[0]!.mark, 0);
  assert.equal(t[2]!.protocol, 'igmp');
  assert.deepEqual(t[3]!.orig, { src: '10.20.37.3', dst: '10.20.92.11' });
  assert.equal(t[3]!.protocol, 'icmp');
});

test('a line that is not conntrack\'s is an error naming it', () => {
  assert.throws(() => parseConntrackLine('hello world foo bar'), (e: unknown) => e instanceof FlowParseError && /not a conntrack entry: hello/.test(e.message));
  assert.throws(() => parseConntrackLine('ipv4 2 tcp 6 120 SYN_SENT src=1.2.3.4'), /no original and reply tuple/);
});

test('naming: pod to pod by name, no Service, no NAT', () => {
  const f = flowOf(IDX, 'k8s-node1', parseConntrackLine(EVENTS.split('\n')[0]!)!);
  assert.equal(f.src.name, 'hyjx--hyjx-group3/wp-mysql');
  assert.equal(f.dst.name, 'hyjx--hyjx-group3/mysql-demo');
  assert.equal(f.service, undefined);
  assert.equal(f.endpoint, undefined);
  assert.equal(f.snat, undefined);
  assert.equal(f.time, new Date(1795796530452).toISOString());
  assert.deepEqual(flowCells(f).slice(1), ['k8s-node1', 'hyjx--hyjx-group3/wp-mysql:36648', 'hyjx--hyjx-group3/mysql-demo:3306', '-', 'TCP', 'NEW SYN_SENT']);
});

test('naming: a ClusterIP flow names the Service and the endpoint pod (reply source)', () => {
  const f = flowOf(IDX, 'k8s-node1', parseConntrackLine(EVENTS.split('\n')[4]!)!);
  assert.deepEqual(f.service, { namespace: 'hyjx--hyjx-group3', name: 'mysql-demo', port: 13306, portName: '', via: 'ClusterIP' });
  assert.deepEqual(f.endpoint, { ip: '10.20.92.11', port: 3306, name: 'hyjx--hyjx-group3/mysql-demo', kind: 'pod' });
  assert.equal(f.dst.name, undefined, 'the VIP is no pod');
  assert.match(flowLine(f), /hyjx--hyjx-group3\/wp-mysql:36478 +hyjx--hyjx-group3\/mysql-demo:3306 +hyjx--hyjx-group3\/mysql-demo:13306 +TCP +NEW SYN_SENT$/m);
  const dns = flowOf(IDX, 'k8s-node1', parseConntrackLine(EVENTS.split('\n')[3]!)!);
  assert.equal(dns.service?.name, 'kube-dns');
  assert.equal(dns.service?.portName, 'dns', 'UDP 53 is the dns port, not dns-tcp');
  assert.equal(dns.endpoint?.name, 'kube-system/podnet-dns-1');
  assert.match(flowCells(dns)[6]!, /^UPDATE REPLIED$/);
});

test('naming: a NodePort flow from outside names the Service, the endpoint and the masquerade; nodes by address and VTEP', () => {
  const [udp, , , , np] = parseConntrackTable(TABLE);
  const f = flowOf(IDX, 'k8s-node1', np!);
  assert.equal(f.src.name, undefined, 'the outside client has no name');
  assert.deepEqual([f.dst.kind, f.dst.name], ['node', 'k8s-node1']);
  assert.equal(f.service?.name, 'mysql-demo2');
  assert.equal(f.service?.via, 'NodePort');
  assert.equal(f.endpoint?.name, 'hyjx--hyjx-group3/mysql-demo');
  assert.equal(f.snat, '10.20.37.0');
  assert.deepEqual(flowCells(f).slice(2, 5), ['192.168.138.100:40000', 'hyjx--hyjx-group3/mysql-demo:3306', 'hyjx--hyjx-group3/mysql-demo2:db']);
  const vx = flowOf(IDX, 'k8s-node1', udp!);
  assert.deepEqual(flowCells(vx).slice(2, 4), ['node/k8s-node2:49380', 'node/k8s-node1:8472']);
  assert.equal(IDX.pods.has('10.20.37.9'), false, 'a finished pod holds no address');
});

test('filters: pod at either end (or the endpoint), Service, namespace, node', () => {
  const [, , , , svc] = EVENTS.split('\n').map(parseConntrackLine);
  const f = flowOf(IDX, 'k8s-node1', svc!);
  assert.ok(matchesFilter(f, { pod: 'mysql-demo', namespace: 'hyjx--hyjx-group3' }), 'the endpoint pod');
  assert.ok(matchesFilter(f, { pod: 'hyjx--hyjx-group3/wp-mysql' }));
  assert.ok(!matchesFilter(f, { pod: 'wp-mysql' }), 'a bare name is in default');
  assert.ok(matchesFilter(f, { svc: 'svc/mysql-demo', namespace: 'hyjx--hyjx-group3' }));
  assert.ok(!matchesFilter(f, { svc: 'hyjx--hyjx-group3/mysql-demo2' }));
  assert.ok(matchesFilter(f, { namespace: 'hyjx--hyjx-group3' }));
  assert.ok(!matchesFilter(f, { namespace: 'kube-system' }));
  assert.ok(!matchesFilter(f, { node: 'k8s-node2' }));
});

test('dedup: the copy of an event seen on the second node is dropped, unless it names the Service the first lacked', () => {
  const onNode2 = parseConntrackLine('[1795796530.458957]	    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=10.20.37.3 dst=10.20.92.11 sport=36478 dport=3306 [UNREPLIED] src=10.20.92.11 dst=10.20.37.3 sport=3306 dport=36478')!;
  const onNode1 = parseConntrackLine(EVENTS.split('\n')[4]!)!;
  const d = new FlowDeduper(2000);
  assert.ok(d.admit(flowOf(IDX, 'k8s-node2', onNode2), onNode2, 0));
  assert.ok(d.admit(flowOf(IDX, 'k8s-node1', onNode1), onNode1, 1), 'the Service-naming copy still shows');
  assert.ok(!d.admit(flowOf(IDX, 'k8s-node2', onNode2), onNode2, 2));
  const d2 = new FlowDeduper(2000);
  assert.ok(d2.admit(flowOf(IDX, 'k8s-node1', onNode1), onNode1, 0));
  assert.ok(!d2.admit(flowOf(IDX, 'k8s-node2', onNode2), onNode2, 1), 'the copy without the Service adds nothing');
  assert.ok(d2.admit(flowOf(IDX, 'k8s-node2', onNode2), onNode2, 5000), 'after the ttl it is new again');
});

test('a policy drop is a DROPPED line naming the policies', () => {
  const f = flowOfDrop(IDX, { time: '2026-11-27T14:27:00.962Z', node: 'k8s-node2', direction: 'ingress', pod: 'hyjx--hyjx-group3/mysql-demo',
    src: { ip: '10.20.37.3', port: 5555, pod: 'hyjx--hyjx-group3/wp-mysql' }, dst: { ip: '10.20.92.11', port: 3306, pod: 'hyjx--hyjx-group3/mysql-demo' },
    protocol: 'TCP', policies: ['hyjx--hyjx-group3/deny'], reason: 'ingress of … denied' });
  assert.equal(f.verdict, 'DROPPED');
  assert.deepEqual(flowCells(f), ['14:27:00.962', 'k8s-node2', 'hyjx--hyjx-group3/wp-mysql:5555', 'hyjx--hyjx-group3/mysql-demo:3306', '-', 'TCP', 'DROPPED by hyjx--hyjx-group3/deny']);
});
