import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inCidr, pickPods, pickService, readContainerOf, readFirstEndpoint, readInfoPid, readLinkLine, readLsns, readNodes, readPodEth0, readPods, readRouteGet, readVxlan, tourByName, TOURS } from './tours.js';
import { shownCommand } from './tour.js';

// Outputs saved from a `--example seed` lab.
const PODS = `NAMESPACE           NAME                          READY   STATUS    RESTARTS   AGE   IP            NODE        NOMINATED NODE   READINESS GATES
hyjx--hyjx-group3   mysql-demo                    1/1     Running   0          8s    10.20.92.11   k8s-node2   <none>           <none>
hyjx--hyjx-group3   wp-mysql                      1/1     Running   0          8s    10.20.37.2    k8s-node1   <none>           <none>
kube-system         podnet-dns-568b898496-swsgm   1/1     Running   0          8s    10.20.37.3    k8s-node1   <none>           <none>
`;
const NODES = `NAME        STATUS   ROLES    AGE   VERSION   INTERNAL-IP       EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION    CONTAINER-RUNTIME
k8s-node1   Ready    <none>   9s    v1.32.0   192.168.138.221   <none>        Debian GNU/Linux 12 (bookworm)   6.18.44-fc-v657   podnet://0.1.0
k8s-node2   Ready    <none>   9s    v1.32.0   192.168.138.222   <none>        Debian GNU/Linux 12 (bookworm)   6.18.44-fc-v657   podnet://0.1.0
`;

test('kubectl tables: nodes with their InternalIP, pods with IP and node; the seed pair is picked', () => {
  assert.deepEqual(readNodes(NODES), [{ name: 'k8s-node1', status: 'Ready', ip: '192.168.138.221' }, { name: 'k8s-node2', status: 'Ready', ip: '192.168.138.222' }]);
  const pods = readPods(PODS);
  assert.deepEqual(pods[1], { namespace: 'hyjx--hyjx-group3', name: 'wp-mysql', status: 'Running', ip: '10.20.37.2', node: 'k8s-node1' });
  const { a, b } = pickPods(pods, ['192.168.138.221']);
  assert.deepEqual([a.name, b?.name], ['wp-mysql', 'mysql-demo']);
  // elsewhere: a workload pod first, its partner on another node; host-network pods (a node's address) skipped
  const other = readPods(PODS.replace(/wp-mysql/, 'web').replace(/mysql-demo {2}/, 'db        ').replace('10.20.37.3 ', '192.168.138.221'));
  const p = pickPods(other, ['192.168.138.221', '192.168.138.222']);
  assert.deepEqual([p.a.name, p.b?.name], ['db', 'web']);
  assert.throws(() => pickPods([], []), /no running pod/);
});

test('crictl ps / inspect, lsns, ip addr, ip link', () => {
  const ps = `CONTAINER       IMAGE         CREATED         STATE     NAME       ATTEMPT   POD ID          POD
9b1bb1ed0d36a   podnet/host   6 seconds ago   Running   dns        0         f59016b423927   podnet-dns-568b898496-swsgm
e7f4f83a546f7   podnet/host   6 seconds ago   Running   wp-mysql   0         7c0ec6f91882f   wp-mysql
`;
  assert.deepEqual(readContainerOf(ps, 'wp-mysql'), { container: 'e7f4f83a546f7', podId: '7c0ec6f91882f' });
  assert.throws(() => readContainerOf(ps, 'nope'), /no container of pod nope/);
  assert.equal(readInfoPid('{"status":{},"info":{"pid":6180}}'), 6180);
  assert.throws(() => readInfoPid('{"info":{}}'), /no \.info\.pid/);
  const lsns = `        NS TYPE NPROCS   PID USER    NETNSID NSFS                                                COMMAND
4026534318 net       4  6037 root unassigned /run/netns/cni-33d8455f-2898-4d29-aba7-ce3a86171385 /pause infinity
`;
  assert.deepEqual(readLsns(lsns, 6180), { inode: '4026534318', nsfs: '/run/netns/cni-33d8455f-2898-4d29-aba7-ce3a86171385' });
  const addr = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    inet 127.0.0.1/8 scope host lo
2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default qlen 1000
    link/ether da:db:3c:3d:41:81 brd ff:ff:ff:ff:ff:ff link-netns pn-flx2-k8s-node1
    inet 10.20.37.2/24 brd 10.20.37.255 scope global eth0
`;
  assert.deepEqual(readPodEth0(addr), { peerIndex: 5, ip: '10.20.37.2' });
  const link = `5: vetha17b8b7a@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue master cni0 state UP mode DEFAULT group default qlen 1000
    link/ether 3e:54:28:41:92:12 brd ff:ff:ff:ff:ff:ff link-netns cni-33d8455f-2898-4d29-aba7-ce3a86171385`;
  assert.deepEqual(readLinkLine(link, 5), { name: 'vetha17b8b7a', master: 'cni0' });
  assert.throws(() => readLinkLine(link, 6), /no interface with index 6/);
  assert.deepEqual(readLinkLine('7: cali1234567890a@if2: <BROADCAST,UP> mtu 1500 qdisc noqueue state UP', 7), { name: 'cali1234567890a' });
});

test('routes, the VXLAN device, Services and endpoints, CIDR membership', () => {
  assert.deepEqual(readRouteGet('10.20.92.11 via 10.20.92.0 dev flannel.1 src 10.20.37.0 uid 0 \n    cache'), { dev: 'flannel.1', via: '10.20.92.0' });
  assert.deepEqual(readVxlan('    vxlan id 1 local 192.168.138.221 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto'), { vni: 1, port: 8472, local: '192.168.138.221' });
  assert.equal(readVxlan('3: cni0: <BROADCAST> mtu 1450\n    bridge forward_delay 1500'), undefined);
  const svc = `NAMESPACE           NAME          TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)                  AGE
default             kubernetes    ClusterIP   10.10.0.1      <none>        443/TCP                  24s
hyjx--hyjx-group3   mysql-demo    ClusterIP   10.10.147.26   <none>        13306/TCP                18s
kube-system         kube-dns      ClusterIP   10.10.0.10     <none>        53/UDP,53/TCP,8080/TCP   19s
`;
  assert.deepEqual(pickService(svc), { namespace: 'hyjx--hyjx-group3', name: 'mysql-demo', clusterIP: '10.10.147.26', port: 13306 });
  assert.deepEqual(pickService(svc.split('\n').filter((l) => !/mysql/.test(l)).join('\n')), { namespace: 'kube-system', name: 'kube-dns', clusterIP: '10.10.0.10', port: 53 });
  assert.equal(readFirstEndpoint('NAME         ENDPOINTS          AGE\nmysql-demo   10.20.92.11:3306   19s\n'), '10.20.92.11');
  assert.throws(() => readFirstEndpoint('NAME         ENDPOINTS   AGE\nmysql-demo   <none>      19s\n'), /no endpoint/);
  assert.ok(inCidr('10.20.37.2', '10.20.37.0/24'));
  assert.ok(!inCidr('10.20.92.11', '10.20.37.0/24'));
});

test('the tours: names, steps with explanations, commands shown as a user types them', () => {
  assert.deepEqual(TOURS.map((t) => t.name), ['seed-000', 'seed-003']);
  assert.equal(tourByName('003').name, 'seed-003');
  assert.throws(() => tourByName('seed-999'), /no tour "seed-999" \(tours: seed-000, seed-003\)/);
  for (const t of TOURS) for (const s of t.steps) assert.ok(s.title.length > 0 && typeof s.explain === 'function' && typeof s.check === 'function', `${t.name}: ${s.title}`);
  assert.equal(shownCommand('L', { where: { on: 'node', node: 'n1' }, argv: ['sh', '-c', "ip link | grep -A1 '^5:'"] }), `podnet lab exec --name L n1 -- sh -c 'ip link | grep -A1 '\\''^5:'\\'''`);
  assert.equal(shownCommand('L', { where: { on: 'pod', pid: 42 }, argv: ['ip', 'route'] }), 'nsenter --target 42 -n ip route');
});
