import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindByKind } from './index.js';
import { humanDuration, translateTimestampSince } from './common.js';
import type { KObject } from './types.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString();
const K = (group: string, kind: string) => kindByKind(group, kind)!;
function o(apiVersion: string, kind: string, name: string, rest: Record<string, unknown>, created = 65, ns: string | null = 'default'): KObject {
  return { apiVersion, kind, metadata: { name, ...(ns ? { namespace: ns } : {}), creationTimestamp: ago(created) }, ...rest } as KObject;
}
function cells(group: string, kind: string, obj: KObject): unknown[] {
  return K(group, kind).table([obj], NOW).rows[0]!.cells;
}
function headers(group: string, kind: string): string[] {
  return K(group, kind).table([], NOW).columnDefinitions.map((c) => (c.priority ? `(${c.name.toUpperCase()})` : c.name.toUpperCase()));
}

test('humanDuration as upstream', () => {
  const cases: [number, string][] = [
    [0, '0s'], [5, '5s'], [119, '119s'], [120, '2m'], [182, '3m2s'], [600, '10m'], [179 * 60, '179m'], [3 * 3600, '3h'],
    [3 * 3600 + 5 * 60, '3h5m'], [21 * 3600, '21h'], [47 * 3600, '47h'], [48 * 3600, '2d'], [50 * 3600, '2d2h'], [9 * 86400, '9d'],
    [800 * 86400, '2y70d'], [3000 * 86400, '8y'],
  ];
  for (const [s, want] of cases) assert.equal(humanDuration(s * 1000), want, `${s}s`);
  assert.equal(humanDuration(-1500), '0s');
  assert.equal(humanDuration(-5000), '<invalid>');
  assert.equal(translateTimestampSince(undefined, NOW), '<unknown>');
  assert.equal(translateTimestampSince(ago(86400), NOW), '24h');
});

test('Service table: seed mysql-demo PORT(S) and columns', () => {
  assert.deepEqual(headers('', 'Service'), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', '(SELECTOR)']);
  const cip = o('v1', 'Service', 'mysql-demo', { spec: { type: 'ClusterIP', clusterIP: '10.96.34.7', clusterIPs: ['10.96.34.7'], selector: { app: 'mysql-demo' }, ports: [{ port: 13306, protocol: 'TCP', targetPort: 3306 }] } });
  assert.deepEqual(cells('', 'Service', cip), ['mysql-demo', 'ClusterIP', '10.96.34.7', '<none>', '13306/TCP', '65s', 'app=mysql-demo']);
  const np = o('v1', 'Service', 'mysql-demo-np', { spec: { type: 'NodePort', clusterIP: '10.96.1.2', clusterIPs: ['10.96.1.2'], selector: { app: 'mysql-demo' }, ports: [{ port: 23306, protocol: 'TCP', targetPort: 3306, nodePort: 30016 }] } }, 3 * 86400);
  assert.deepEqual(cells('', 'Service', np), ['mysql-demo-np', 'NodePort', '10.96.1.2', '<none>', '23306:30016/TCP', '3d', 'app=mysql-demo']);
  const lb = o('v1', 'Service', 'lb', { spec: { type: 'LoadBalancer', clusterIP: '10.96.1.3', ports: [{ port: 80, protocol: 'TCP', nodePort: 31000 }, { port: 53, protocol: 'UDP', nodePort: 31001 }] }, status: { loadBalancer: {} } });
  assert.deepEqual(cells('', 'Service', lb).slice(3, 5), ['<pending>', '80:31000/TCP,53:31001/UDP']);
  const lb2 = o('v1', 'Service', 'lb', { spec: { type: 'LoadBalancer', clusterIP: '10.96.1.3', externalIPs: ['192.168.1.9'], ports: [{ port: 80, protocol: 'TCP' }] }, status: { loadBalancer: { ingress: [{ ip: '172.18.0.5' }] } } });
  assert.equal(cells('', 'Service', lb2)[3], '172.18.0.5,192.168.1.9');
  const headless = o('v1', 'Service', 'h', { spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] } });
  assert.deepEqual(cells('', 'Service', headless).slice(1, 7), ['ClusterIP', 'None', '<none>', '<none>', '65s', '<none>']);
  const en = o('v1', 'Service', 'ext', { spec: { type: 'ExternalName', externalName: 'db.example.com' } });
  assert.deepEqual(cells('', 'Service', en).slice(1, 4), ['ExternalName', '<none>', 'db.example.com']);
  const ext = o('v1', 'Service', 'e', { spec: { type: 'ClusterIP', clusterIP: '10.96.0.9', externalIPs: ['1.2.3.4', '5.6.7.8'], ports: [{ port: 80, protocol: 'TCP' }] } });
  assert.equal(cells('', 'Service', ext)[3], '1.2.3.4,5.6.7.8');
});

const container = (name: string, ready: boolean, state: Record<string, unknown>, restartCount = 0, lastState: Record<string, unknown> = {}) => ({ name, ready, restartCount, state, lastState, image: 'x', imageID: '' });
const podWith = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => {
  const p = o('v1', 'Pod', 'mysql-0', { spec: { containers: [{ name: 'mysql', image: 'mysql:8' }], ...spec }, status });
  Object.assign(p.metadata, meta);
  return p;
};

test('Pod table: status computation as upstream', () => {
  assert.deepEqual(headers('', 'Pod'), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', '(IP)', '(NODE)', '(NOMINATED NODE)', '(READINESS GATES)']);
  assert.deepEqual(cells('', 'Pod', podWith({ phase: 'Pending' })), ['mysql-0', '0/1', 'Pending', '0', '65s', '<none>', '<none>', '<none>', '<none>']);
  assert.deepEqual(cells('', 'Pod', podWith({ phase: 'Pending', containerStatuses: [container('mysql', false, { waiting: { reason: 'ContainerCreating' } })] }, { nodeName: 'node1' })).slice(0, 7),
    ['mysql-0', '0/1', 'ContainerCreating', '0', '65s', '<none>', 'node1']);
  assert.deepEqual(cells('', 'Pod', podWith({ phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], containerStatuses: [container('mysql', true, { running: { startedAt: ago(60) } })] }, { nodeName: 'node1' })).slice(0, 7),
    ['mysql-0', '1/1', 'Running', '0', '65s', '10.244.1.5', 'node1']);
  assert.equal(cells('', 'Pod', podWith({ phase: 'Succeeded', containerStatuses: [container('mysql', false, { terminated: { exitCode: 0, reason: 'Completed' } })] }))[2], 'Completed');
  assert.equal(cells('', 'Pod', podWith({ phase: 'Failed', containerStatuses: [container('mysql', false, { terminated: { exitCode: 137 } })] }))[2], 'ExitCode:137');
  assert.deepEqual(K('', 'Pod').table([podWith({ phase: 'Succeeded' })], NOW).rows[0]!.conditions?.[0]?.reason, 'Succeeded');
  assert.equal(K('', 'Pod').table([podWith({ phase: 'Running' })], NOW).rows[0]!.conditions, undefined);
  assert.equal(cells('', 'Pod', podWith({ phase: 'Failed', containerStatuses: [container('mysql', false, { terminated: { exitCode: 0, signal: 9 } })] }))[2], 'Signal:9');
  const crash = cells('', 'Pod', podWith({ phase: 'Running', containerStatuses: [container('mysql', false, { waiting: { reason: 'CrashLoopBackOff' } }, 4, { terminated: { exitCode: 1, finishedAt: ago(30) } })] }));
  assert.deepEqual(crash.slice(1, 4), ['0/1', 'CrashLoopBackOff', '4 (30s ago)']);
  assert.equal(cells('', 'Pod', podWith({ phase: 'Running', containerStatuses: [container('mysql', true, { running: {} })] }, {}, { deletionTimestamp: ago(1) }))[2], 'Terminating');
  // init containers
  const init = podWith({ phase: 'Pending', initContainerStatuses: [container('init', false, { waiting: { reason: 'PodInitializing' } })] }, { initContainers: [{ name: 'init', image: 'busybox' }] });
  assert.equal(cells('', 'Pod', init)[2], 'Init:0/1');
  const initFail = podWith({ phase: 'Pending', initContainerStatuses: [container('init', false, { terminated: { exitCode: 2 } })] }, { initContainers: [{ name: 'init', image: 'busybox' }] });
  assert.equal(cells('', 'Pod', initFail)[2], 'Init:ExitCode:2');
  const initCrash = podWith({ phase: 'Pending', initContainerStatuses: [container('init', false, { waiting: { reason: 'CrashLoopBackOff' } })] }, { initContainers: [{ name: 'init', image: 'busybox' }] });
  assert.equal(cells('', 'Pod', initCrash)[2], 'Init:CrashLoopBackOff');
  // two containers, one ready; readiness gates; nominated node
  const two = o('v1', 'Pod', 'two', {
    spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }], readinessGates: [{ conditionType: 'example.com/gate' }] },
    status: { phase: 'Running', nominatedNodeName: 'node2', conditions: [{ type: 'example.com/gate', status: 'True' }], containerStatuses: [container('a', true, { running: {} }), container('b', false, { running: {} })] },
  });
  assert.deepEqual(cells('', 'Pod', two).slice(1, 3), ['1/2', 'Running']);
  assert.deepEqual(cells('', 'Pod', two).slice(7), ['node2', '1/1']);
  // Completed with a still-running container → NotReady / Running
  const mixed = o('v1', 'Pod', 'm', {
    spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] },
    status: { phase: 'Running', containerStatuses: [container('a', true, { running: {} }), container('b', false, { terminated: { exitCode: 0, reason: 'Completed' } })] },
  });
  assert.equal(cells('', 'Pod', mixed)[2], 'NotReady');
});

test('Endpoints table', () => {
  assert.deepEqual(headers('', 'Endpoints'), ['NAME', 'ENDPOINTS', 'AGE']);
  assert.deepEqual(cells('', 'Endpoints', o('v1', 'Endpoints', 'mysql-demo', {})), ['mysql-demo', '<none>', '65s']);
  const one = o('v1', 'Endpoints', 'mysql-demo', { subsets: [{ addresses: [{ ip: '10.20.92.11' }], ports: [{ port: 3306, protocol: 'TCP' }] }] });
  assert.equal(cells('', 'Endpoints', one)[1], '10.20.92.11:3306');
  const many = o('v1', 'Endpoints', 'web', { subsets: [{ addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'].map((ip) => ({ ip })), ports: [{ port: 80, protocol: 'TCP' }] }] });
  assert.equal(cells('', 'Endpoints', many)[1], '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...');
  const v6 = o('v1', 'Endpoints', 'v6', { subsets: [{ addresses: [{ ip: 'fd00::5' }], ports: [{ port: 53, protocol: 'UDP' }] }] });
  assert.equal(cells('', 'Endpoints', v6)[1], '[fd00::5]:53');
  const noPorts = o('v1', 'Endpoints', 'h', { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] });
  assert.equal(cells('', 'Endpoints', noPorts)[1], '10.0.0.1');
});

test('EndpointSlice table', () => {
  assert.deepEqual(headers('discovery.k8s.io', 'EndpointSlice'), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
  const s = o('discovery.k8s.io/v1', 'EndpointSlice', 'mysql-demo-x7k2p', { addressType: 'IPv4', ports: [{ name: '', port: 3306, protocol: 'TCP' }], endpoints: [{ addresses: ['10.20.92.11'] }] });
  assert.deepEqual(cells('discovery.k8s.io', 'EndpointSlice', s), ['mysql-demo-x7k2p', 'IPv4', '3306', '10.20.92.11', '65s']);
  const empty = o('discovery.k8s.io/v1', 'EndpointSlice', 'e', { addressType: 'IPv4', endpoints: [] });
  assert.deepEqual(cells('discovery.k8s.io', 'EndpointSlice', empty).slice(2, 4), ['<unset>', '<unset>']);
  const many = o('discovery.k8s.io/v1', 'EndpointSlice', 'm', { addressType: 'IPv4', ports: [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }] });
  assert.deepEqual(cells('discovery.k8s.io', 'EndpointSlice', many).slice(2, 4), ['1,2,3 + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...']);
});

test('Deployment and ReplicaSet tables', () => {
  assert.deepEqual(headers('apps', 'Deployment'), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', '(CONTAINERS)', '(IMAGES)', '(SELECTOR)']);
  const d = o('apps/v1', 'Deployment', 'mysql-demo', {
    spec: { replicas: 3, selector: { matchLabels: { app: 'mysql-demo' } }, template: { spec: { containers: [{ name: 'mysql', image: 'mysql:8' }, { name: 'exporter', image: 'mysqld-exporter' }] } } },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  }, 3600 * 21);
  assert.deepEqual(cells('apps', 'Deployment', d), ['mysql-demo', '2/3', 3, 2, '21h', 'mysql,exporter', 'mysql:8,mysqld-exporter', 'app=mysql-demo']);
  assert.deepEqual(headers('apps', 'ReplicaSet'), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', '(CONTAINERS)', '(IMAGES)', '(SELECTOR)']);
  const rs = o('apps/v1', 'ReplicaSet', 'mysql-demo-5d4f', {
    spec: { replicas: 3, selector: { matchLabels: { app: 'mysql-demo', 'pod-template-hash': '5d4f' } }, template: { spec: { containers: [{ name: 'mysql', image: 'mysql:8' }] } } },
    status: { replicas: 3, readyReplicas: 1 },
  });
  assert.deepEqual(cells('apps', 'ReplicaSet', rs), ['mysql-demo-5d4f', 3, 3, 1, '65s', 'mysql', 'mysql:8', 'app=mysql-demo,pod-template-hash=5d4f']);
  const fresh = o('apps/v1', 'Deployment', 'f', { spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [] } } } });
  assert.deepEqual(cells('apps', 'Deployment', fresh).slice(1, 4), ['0/1', 0, 0]);
});

test('Node, Namespace, ConfigMap, Event, NetworkPolicy tables', () => {
  assert.deepEqual(headers('', 'Node'), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', '(INTERNAL-IP)', '(EXTERNAL-IP)', '(OS-IMAGE)', '(KERNEL-VERSION)', '(CONTAINER-RUNTIME)']);
  const n = o('v1', 'Node', 'node1', {
    metadata: undefined,
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '192.168.100.11' }, { type: 'Hostname', address: 'node1' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-podnet', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-26-amd64', containerRuntimeVersion: 'podnet://0.1.0' },
    },
  }, 600, null);
  n.metadata = { name: 'node1', creationTimestamp: ago(600), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } };
  assert.deepEqual(cells('', 'Node', n), ['node1', 'Ready,SchedulingDisabled', 'control-plane,worker', '10m', 'v1.32.0-podnet', '192.168.100.11', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-26-amd64', 'podnet://0.1.0']);
  const bare = o('v1', 'Node', 'n2', { status: {} }, 5, null);
  assert.deepEqual(cells('', 'Node', bare), ['n2', 'Unknown', '<none>', '5s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  const notReady = o('v1', 'Node', 'n3', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, 5, null);
  assert.equal(cells('', 'Node', notReady)[1], 'NotReady');

  assert.deepEqual(headers('', 'Namespace'), ['NAME', 'STATUS', 'AGE']);
  assert.deepEqual(cells('', 'Namespace', o('v1', 'Namespace', 'demo', { status: { phase: 'Terminating' } }, 65, null)), ['demo', 'Terminating', '65s']);
  assert.deepEqual(headers('', 'ConfigMap'), ['NAME', 'DATA', 'AGE']);
  assert.deepEqual(cells('', 'ConfigMap', o('v1', 'ConfigMap', 'cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })), ['cfg', 3, '65s']);
  assert.deepEqual(headers('networking.k8s.io', 'NetworkPolicy'), ['NAME', 'POD-SELECTOR', 'AGE']);
  assert.deepEqual(cells('networking.k8s.io', 'NetworkPolicy', o('networking.k8s.io/v1', 'NetworkPolicy', 'deny-all', { spec: { podSelector: {} } })), ['deny-all', '<none>', '65s']);
  assert.deepEqual(cells('networking.k8s.io', 'NetworkPolicy', o('networking.k8s.io/v1', 'NetworkPolicy', 'db', { spec: { podSelector: { matchLabels: { app: 'mysql' } } } }))[1], 'app=mysql');

  assert.deepEqual(headers('', 'Event'), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', '(SUBOBJECT)', '(SOURCE)', 'MESSAGE', '(FIRST SEEN)', '(COUNT)', '(NAME)']);
  const ev = o('v1', 'Event', 'mysql-0.17a', {
    involvedObject: { kind: 'Pod', name: 'mysql-0', namespace: 'default', fieldPath: 'spec.containers{mysql}' },
    reason: 'Pulled', message: ' Container image already present \n', type: 'Normal', source: { component: 'kubelet', host: 'node1' },
    firstTimestamp: ago(300), lastTimestamp: ago(12), count: 3,
  });
  assert.deepEqual(cells('', 'Event', ev), ['12s', 'Normal', 'Pulled', 'pod/mysql-0', 'spec.containers{mysql}', 'kubelet, node1', 'Container image already present', '5m', 3, 'mysql-0.17a']);
  const ev2 = o('v1', 'Event', 'e2', { involvedObject: { kind: 'Node' }, reason: 'Starting', reportingComponent: 'podnet-agent', eventTime: ago(7) });
  assert.deepEqual(cells('', 'Event', ev2).slice(0, 9), ['7s', '', 'Starting', 'node', '', 'podnet-agent', '', '7s', 1]);
});

test('rows carry the object; name column has format name', () => {
  const t = K('', 'Pod').table([o('v1', 'Pod', 'a', { spec: { containers: [] } })], NOW);
  assert.equal(t.rows[0]!.object.metadata.name, 'a');
  assert.equal(t.columnDefinitions[0]!.format, 'name');
  for (const k of ['Service', 'Pod', 'Node', 'Namespace', 'Endpoints', 'ConfigMap']) assert.equal(K('', k).table([], NOW).columnDefinitions[0]!.format, 'name');
});
