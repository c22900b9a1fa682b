import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEndpointsMap, buildServiceMap } from '../tracker.js';
import { seedServices, seedSlices } from '../fixtures.js';
import { base32, sepChain, svcChain } from './names.js';
import { buildTable, probability, serviceRules } from './rules.js';
import { localhostNodePortsOn, nodePortDestinations, nodePortsMatchAll } from '../nodeport-addresses.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

test('base32 matches RFC 4648 vectors', () => {
  assert.equal(base32(Buffer.from('foobar')), 'MZXW6YTBOI');
  assert.equal(base32(Buffer.from('f')), 'MY');
});

test('seed 000 chain names are reproduced name for name', () => {
  assert.equal(svcChain('hyjx--hyjx-group3/mysql-demo:mysqld-demo', 'TCP'), 'KUBE-SVC-DM5EMDBLORDRGWLL');
  assert.equal(sepChain('hyjx--hyjx-group3/mysql-demo:mysqld-demo', 'TCP', '10.20.92.11:3306'), 'KUBE-SEP-6XCC4VJACKOMSYVV');
  assert.equal(svcChain('hyjx--hyjx-group3/mysql-demo2:mysqld-demo2', 'TCP'), 'KUBE-SVC-NVNGTMQMPFTQA6YS');
  assert.equal(sepChain('hyjx--hyjx-group3/mysql-demo2:mysqld-demo2', 'TCP', '10.20.92.11:3306'), 'KUBE-SEP-7MWHP37XXE3W6QI4');
});

test('upstream proxier_test expectations for ns1/svc1:p80', () => {
  // from kubernetes pkg/proxy/iptables/proxier_test.go
  assert.equal(svcChain('ns1/svc1:p80', 'TCP'), 'KUBE-SVC-XPGD46QRK7WJZT7O');
  assert.equal(sepChain('ns1/svc1:p80', 'TCP', '10.180.0.1:80'), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
});

test('seed example generates the listing of seed 000 (modern rule shapes)', () => {
  const svcs = buildServiceMap(seedServices());
  const eps = buildEndpointsMap(seedSlices(), 'k8s-node1');
  const t = buildTable(svcs, eps, { clusterCidr: '10.20.0.0/16' });
  const lines = t.payload.split('\n');
  const want = [
    '-A KUBE-SERVICES -m comment --comment "hyjx--hyjx-group3/mysql-demo:mysqld-demo cluster IP" -m tcp -p tcp -d 10.10.147.26 --dport 13306 -j KUBE-SVC-DM5EMDBLORDRGWLL',
    '-A KUBE-SVC-DM5EMDBLORDRGWLL -m comment --comment "hyjx--hyjx-group3/mysql-demo:mysqld-demo -> 10.20.92.11:3306" -j KUBE-SEP-6XCC4VJACKOMSYVV',
    '-A KUBE-SEP-6XCC4VJACKOMSYVV -m comment --comment hyjx--hyjx-group3/mysql-demo:mysqld-demo -s 10.20.92.11 -j KUBE-MARK-MASQ',
    '-A KUBE-SEP-6XCC4VJACKOMSYVV -m comment --comment hyjx--hyjx-group3/mysql-demo:mysqld-demo -m tcp -p tcp -j DNAT --to-destination 10.20.92.11:3306',
    '-A KUBE-SERVICES -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2 cluster IP" -m tcp -p tcp -d 10.10.95.1 --dport 23306 -j KUBE-SVC-NVNGTMQMPFTQA6YS',
    '-A KUBE-NODEPORTS -m comment --comment hyjx--hyjx-group3/mysql-demo2:mysqld-demo2 -m tcp -p tcp --dport 30016 -j KUBE-EXT-NVNGTMQMPFTQA6YS',
    '-A KUBE-EXT-NVNGTMQMPFTQA6YS -m comment --comment "masquerade traffic for hyjx--hyjx-group3/mysql-demo2:mysqld-demo2 external destinations" -j KUBE-MARK-MASQ',
    '-A KUBE-EXT-NVNGTMQMPFTQA6YS -j KUBE-SVC-NVNGTMQMPFTQA6YS',
    '-A KUBE-SVC-NVNGTMQMPFTQA6YS -m comment --comment "hyjx--hyjx-group3/mysql-demo2:mysqld-demo2 -> 10.20.92.11:3306" -j KUBE-SEP-7MWHP37XXE3W6QI4',
    '-A KUBE-SEP-7MWHP37XXE3W6QI4 -m comment --comment hyjx--hyjx-group3/mysql-demo2:mysqld-demo2 -s 10.20.92.11 -j KUBE-MARK-MASQ',
    '-A KUBE-SEP-7MWHP37XXE3W6QI4 -m comment --comment hyjx--hyjx-group3/mysql-demo2:mysqld-demo2 -m tcp -p tcp -j DNAT --to-destination 10.20.92.11:3306',
    '-A KUBE-SVC-DM5EMDBLORDRGWLL -m comment --comment "hyjx--hyjx-group3/mysql-demo:mysqld-demo cluster IP" -m tcp -p tcp -d 10.10.147.26 --dport 13306 ! -s 10.20.0.0/16 -j KUBE-MARK-MASQ',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
  ];
  for (const w of want) assert.ok(lines.includes(w), `missing: ${w}\n${t.payload}`);
  for (const c of ['KUBE-SVC-DM5EMDBLORDRGWLL', 'KUBE-SEP-6XCC4VJACKOMSYVV', 'KUBE-SVC-NVNGTMQMPFTQA6YS', 'KUBE-SEP-7MWHP37XXE3W6QI4', 'KUBE-EXT-NVNGTMQMPFTQA6YS'])
    assert.ok(lines.includes(`:${c} - [0:0]`), c);
  // The node-ports jump is the last rule of nat KUBE-SERVICES.
  const kubeSvc = lines.filter((l) => l.startsWith('-A KUBE-SERVICES ') && !lines.slice(0, lines.indexOf('*nat')).includes(l));
  assert.match(kubeSvc.at(-1)!, /-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS$/);
});

test('probabilities and affinity follow upstream', () => {
  assert.equal(probability(3), '0.3333333333');
  assert.equal(probability(2), '0.5000000000');
  const svcs = buildServiceMap([{ metadata: { namespace: 'ns', name: 's' }, spec: { clusterIP: '10.96.0.5', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: 'p', port: 80, protocol: 'UDP' }] } } as Service]);
  const sl: EndpointSlice = { addressType: 'IPv4', metadata: { namespace: 'ns', name: 's-1', labels: { 'kubernetes.io/service-name': 's' } }, ports: [{ name: 'p', port: 8080 }],
    endpoints: ['10.0.0.3', '10.0.0.1', '10.0.0.2'].map((a) => ({ addresses: [a] })) };
  const r = serviceRules(svcs.get('ns/s:p')!, buildEndpointsMap([sl]).get('ns/s:p')!, {});
  const svc = svcChain('ns/s:p', 'UDP');
  const sep1 = sepChain('ns/s:p', 'UDP', '10.0.0.1:8080');
  assert.equal(r.natRules[0], `-A ${svc} -m comment --comment "ns/s:p -> 10.0.0.1:8080" -m recent --name ${sep1} --rcheck --seconds 60 --reap -j ${sep1}`);
  assert.equal(r.natRules[3], `-A ${svc} -m comment --comment "ns/s:p -> 10.0.0.1:8080" -m statistic --mode random --probability 0.3333333333 -j ${sep1}`);
  assert.ok(r.natRules.includes(`-A ${sep1} -m comment --comment ns/s:p -m recent --name ${sep1} --set -m udp -p udp -j DNAT --to-destination 10.0.0.1:8080`));
});

test('no endpoints → filter REJECT; ETP Local without local endpoints → DROP on node port', () => {
  const svcs = buildServiceMap([{ metadata: { namespace: 'ns', name: 'e' }, spec: { type: 'NodePort', clusterIP: '10.96.0.9', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] } } as Service]);
  const none = serviceRules(svcs.get('ns/e')!, [], {});
  assert.deepEqual(none.filterServices, ['-A KUBE-SERVICES -m comment --comment "ns/e has no endpoints" -m tcp -p tcp -d 10.96.0.9 --dport 80 -j REJECT']);
  assert.deepEqual(none.filterExternal, ['-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns/e has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT']);
  const remote = serviceRules(svcs.get('ns/e')!, [{ ip: '10.0.0.1', port: 80, ready: true, serving: true, terminating: false, nodeName: 'n2', local: false }], {});
  assert.equal(remote.filterExternal[0], '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns/e has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP');
  assert.equal(remote.natNodePorts.length, 1); // still jumps to KUBE-EXT (short-circuit rules); filter drops the rest
  assert.equal(remote.natServices.length, 1);
});

test('partial sync rewrites only changed services and deletes stale chains', () => {
  const svcs = buildServiceMap(seedServices());
  const eps = buildEndpointsMap(seedSlices());
  const first = buildTable(svcs, eps, {});
  assert.equal(first.written, 2);
  const again = buildTable(svcs, eps, {}, { fingerprints: first.fingerprints, natChains: first.natChains });
  assert.equal(again.written, 0);
  assert.ok(!again.payload.includes(':KUBE-SEP-6XCC4VJACKOMSYVV'));
  const eps2 = new Map(eps); eps2.delete('hyjx--hyjx-group3/mysql-demo:mysqld-demo');
  const third = buildTable(svcs, eps2, {}, { fingerprints: first.fingerprints, natChains: first.natChains });
  assert.equal(third.written, 1);
  assert.ok(third.payload.includes('-X KUBE-SEP-6XCC4VJACKOMSYVV'));
  assert.ok(third.payload.includes('-X KUBE-SVC-DM5EMDBLORDRGWLL'));
});

test('large clusters (>1000 endpoints) leave out endpoint-chain comments, as upstream', () => {
  const sp = buildServiceMap(seedServices()).get('hyjx--hyjx-group3/mysql-demo:mysqld-demo')!;
  const ep = buildEndpointsMap(seedSlices()).get(sp.name)!;
  const r = serviceRules(sp, ep, {}, true);
  assert.ok(r.natRules.includes('-A KUBE-SEP-6XCC4VJACKOMSYVV -s 10.20.92.11 -j KUBE-MARK-MASQ'));
  assert.ok(r.natRules.includes('-A KUBE-SEP-6XCC4VJACKOMSYVV -m tcp -p tcp -j DNAT --to-destination 10.20.92.11:3306'));
});

test('--nodeport-addresses: node IPs inside the CIDRs get the KUBE-NODEPORTS jump', () => {
  const t = buildTable(buildServiceMap(seedServices()), buildEndpointsMap(seedSlices()), { nodePortAddresses: ['192.168.138.0/24'], nodeIPs: ['192.168.138.221', '10.0.0.1'] });
  assert.ok(t.payload.includes('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192.168.138.221 -j KUBE-NODEPORTS'));
  assert.ok(!t.payload.includes('-d 10.0.0.1 -j KUBE-NODEPORTS'));
  assert.ok(!t.payload.includes('--dst-type LOCAL -j KUBE-NODEPORTS'));
});

const NP_JUMP = '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"';
const FIREWALL = '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP';

test('localhost node ports (default on): LOCAL destinations incl. 127.0.0.1, KUBE-FIREWALL guard in filter', () => {
  const t = buildTable(buildServiceMap(seedServices()), buildEndpointsMap(seedSlices()), {});
  const [filter, nat] = t.payload.split('*nat');
  assert.ok(filter!.includes(':KUBE-FIREWALL - [0:0]'));
  assert.ok(filter!.includes(FIREWALL));
  assert.ok(nat!.includes(`${NP_JUMP} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`));
  assert.ok(localhostNodePortsOn({}));
  // CIDRs that let 127.0.0.1 in keep it on, with 127.0.0.1 as one of the KUBE-NODEPORTS destinations.
  const o = { nodePortAddresses: ['127.0.0.0/8', '192.168.138.0/24'], nodeIPs: ['192.168.138.221'] };
  assert.ok(localhostNodePortsOn(o));
  const p = buildTable(buildServiceMap(seedServices()), buildEndpointsMap(seedSlices()), o).payload;
  assert.ok(p.includes(`${NP_JUMP} -d 127.0.0.1 -j KUBE-NODEPORTS`));
  assert.ok(p.includes(`${NP_JUMP} -d 192.168.138.221 -j KUBE-NODEPORTS`));
  assert.ok(p.includes(FIREWALL));
});

test('--iptables-localhost-nodeports=false, or --nodeport-addresses without 127.0.0.1: no 127.0.0.0/8 node ports, no KUBE-FIREWALL', () => {
  const off = buildTable(buildServiceMap(seedServices()), buildEndpointsMap(seedSlices()), { localhostNodePorts: false }).payload;
  assert.ok(off.includes(`${NP_JUMP} -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS`));
  assert.ok(!off.includes('KUBE-FIREWALL'));
  const excl = { nodePortAddresses: ['192.168.138.0/24'], nodeIPs: ['192.168.138.221'] };
  assert.equal(localhostNodePortsOn(excl), false);
  assert.ok(!buildTable(buildServiceMap(seedServices()), buildEndpointsMap(seedSlices()), excl).payload.includes('KUBE-FIREWALL'));
  // Listed but switched off: the loopback destination is left out (upstream logs and skips it).
  const both = { nodePortAddresses: ['127.0.0.0/8', '192.168.138.0/24'], nodeIPs: ['192.168.138.221'], localhostNodePorts: false };
  assert.deepEqual(nodePortDestinations(both, localhostNodePortsOn(both)), ['192.168.138.221']);
});

test('--nodeport-addresses primary and 0.0.0.0/0', () => {
  assert.deepEqual(nodePortDestinations({ nodePortAddresses: ['primary'], nodeIPs: ['192.168.77.1'] }), ['192.168.77.1']);
  assert.equal(localhostNodePortsOn({ nodePortAddresses: ['primary'], nodeIPs: ['192.168.77.1'] }), false);
  assert.ok(nodePortsMatchAll({ nodePortAddresses: ['0.0.0.0/0'] }));
  assert.ok(localhostNodePortsOn({ nodePortAddresses: ['0.0.0.0/0'] }));
  assert.ok(!nodePortsMatchAll({ nodePortAddresses: ['10.0.0.0/8'] }));
});
