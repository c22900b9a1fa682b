import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEndpointsMap, buildServiceMap } from '../tracker.js';
import { seedServices, seedSlices } from '../fixtures.js';
import { buildNft, hashAndTruncate, serviceObjects } from './rules.js';
import { nodePortDestinations } from '../nodeport-addresses.js';

test('chain name bases follow upstream hashAndTruncate (upstream doc examples)', () => {
  assert.equal(hashAndTruncate('ns1/svc1/tcp/p80'), 'ULMVA6XW-ns1/svc1/tcp/p80');
  assert.equal(hashAndTruncate('ns1/svc1/tcp/p80__10.180.0.1/80'), '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
});

test('seed example: verdict-map elements, service/endpoint/external chains', () => {
  const s = buildServiceMap(seedServices()), e = buildEndpointsMap(seedSlices());
  const o = serviceObjects(s.get('hyjx--hyjx-group3/mysql-demo2:mysqld-demo2')!, e.get('hyjx--hyjx-group3/mysql-demo2:mysqld-demo2')!, { clusterCidr: '10.20.0.0/16' }, 'vmap');
  const svc = `service-${hashAndTruncate('hyjx--hyjx-group3/mysql-demo2/tcp/mysqld-demo2')}`;
  const ext = `external-${hashAndTruncate('hyjx--hyjx-group3/mysql-demo2/tcp/mysqld-demo2')}`;
  const ep = `endpoint-${hashAndTruncate('hyjx--hyjx-group3/mysql-demo2/tcp/mysqld-demo2__10.20.92.11/3306')}`;
  assert.equal(o.elements.get('service-ips')!.get('10.10.95.1 . tcp . 23306'), `goto ${svc}`);
  assert.equal(o.elements.get('service-nodeports')!.get('tcp . 30016'), `goto ${ext}`);
  assert.deepEqual(o.chains.get(ext), ['jump mark-for-masquerade', `goto ${svc}`]);
  assert.deepEqual(o.chains.get(svc), ['ip daddr 10.10.95.1 tcp dport 23306 ip saddr != 10.20.0.0/16 jump mark-for-masquerade', `numgen random mod 1 vmap { 0 : goto ${ep} }`]);
  assert.deepEqual(o.chains.get(ep), ['ip saddr 10.20.92.11 jump mark-for-masquerade', 'meta l4proto tcp counter dnat to 10.20.92.11:3306']);
});

test('cascade style, affinity sets, reject map; partial transaction touches only the changed service', () => {
  const s = buildServiceMap(seedServices()), e = buildEndpointsMap(seedSlices());
  const sp = s.get('hyjx--hyjx-group3/mysql-demo:mysqld-demo')!;
  sp.sessionAffinity = { clientIP: true, timeoutSeconds: 60 };
  const eps = [...e.get(sp.name)!, { ip: '10.20.92.12', port: 3306, ready: true, serving: true, terminating: false, local: false }];
  const o = serviceObjects(sp, eps, {}, 'cascade');
  const rules = o.chains.get(`service-${hashAndTruncate('hyjx--hyjx-group3/mysql-demo/tcp/mysqld-demo')}`)!;
  assert.match(rules[0]!, /^ip saddr @affinity-\S+__10\.20\.92\.11\/3306 goto endpoint-/);
  assert.match(rules[2]!, /^numgen random mod 2 == 0 goto endpoint-\S+__10\.20\.92\.11\/3306$/);
  assert.match(rules[3]!, /^goto endpoint-\S+__10\.20\.92\.12\/3306$/);
  assert.equal(o.affinitySets.size, 2);

  const full = buildNft(s, e, {}, 'cascade', null);
  assert.match(full.script, /add table ip kube-proxy/);
  const none = buildNft(s, e, {}, 'cascade', full.state);
  assert.equal(none.written, 0);
  assert.equal(none.script.trim(), '');
  const e2 = new Map(e); e2.delete(sp.name);
  const part = buildNft(s, e2, {}, 'cascade', full.state);
  assert.equal(part.written, 1);
  assert.match(part.script, /add element ip kube-proxy no-endpoint-services \{ 10\.10\.147\.26 \. tcp \. 13306 : goto reject-chain \}/);
  assert.match(part.script, /delete element ip kube-proxy service-ips \{ 10\.10\.147\.26 \. tcp \. 13306 \}/);
  assert.match(part.script, /delete chain ip kube-proxy service-73VNUXC4-/);
  assert.doesNotMatch(part.script, /mysql-demo2/);
});

test('node ports never on 127.0.0.0/8 (upstream: nftables mode has no localhost node ports)', () => {
  const s = buildServiceMap(seedServices()), e = buildEndpointsMap(seedSlices());
  const all = buildNft(s, e, {}, 'cascade', null).script;
  assert.ok(all.includes('add rule ip kube-proxy services fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports'));
  assert.ok(all.includes('add rule ip kube-proxy nodeport-endpoints-check fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports'));
  // --nodeport-addresses: the nodeport-ips set, which never holds a loopback address (even when asked for, or when
  // --iptables-localhost-nodeports is on: that flag is iptables mode's).
  const o = { nodePortAddresses: ['127.0.0.0/8', '192.168.138.0/24'], nodeIPs: ['192.168.138.221'] };
  const listed = buildNft(s, e, { ...o, nodePortIPs: nodePortDestinations(o, false) }, 'cascade', null).script;
  assert.ok(listed.includes('add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports'));
  assert.ok(listed.includes('add element ip kube-proxy nodeport-ips { 192.168.138.221 }'));
  assert.ok(!listed.includes('127.0.0.1'));
});

test('the per-service memo changes nothing: incremental scripts with and without it are identical', async () => {
  const { ServiceMemo } = await import('../memo.js');
  const { services, slices, NODE, RULE_OPTIONS } = await import('../trace/scenarios.js');
  const memo = new ServiceMemo<import('./rules.js').NftServiceObjects>();
  const sv = services(), sl = slices();
  const a0 = buildNft(buildServiceMap(sv), buildEndpointsMap(sl, NODE), RULE_OPTIONS, 'cascade', null, [], [], memo);
  const b0 = buildNft(buildServiceMap(sv), buildEndpointsMap(sl, NODE), RULE_OPTIONS, 'cascade', null);
  assert.equal(a0.script, b0.script);
  sl[0]!.endpoints = [{ addresses: ['10.244.0.77'], nodeName: 'node-a', conditions: { ready: true } }];
  sv.splice(3, 1);
  const a1 = buildNft(buildServiceMap(sv), buildEndpointsMap(sl, NODE), RULE_OPTIONS, 'cascade', a0.state, [], [], memo);
  const b1 = buildNft(buildServiceMap(sv), buildEndpointsMap(sl, NODE), RULE_OPTIONS, 'cascade', b0.state);
  assert.equal(a1.script, b1.script);
  assert.equal(a1.written, 1);
  assert.match(a1.script, /10\.244\.0\.77/);
  assert.match(a1.script, /delete chain/);
});
