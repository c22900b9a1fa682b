import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { buildModel, hostAddresses, modelDigest } from './cluster.js';
import { desiredTable, renderTransaction, type KernelObjects } from './rules.js';

function pod(ns: string, name: string, ip: string, node: string, labels: Record<string, string> = { pod: name }, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { namespace: ns, name, labels }, status: { phase: 'Running', podIP: ip },
    spec: { nodeName: node, containers: [{ name: 'c', ports: [{ name: 'web', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }], ...extra },
  };
}
const ns = (name: string, labels: Record<string, string> = {}): Namespace => ({ metadata: { name, labels } });
const node = (name: string, ip: string, cidr: string): Node => ({ metadata: { name }, spec: { podCIDR: cidr }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const np = (namespace: string, name: string, spec: NonNullable<NetworkPolicy['spec']>): NetworkPolicy => ({ metadata: { namespace, name }, spec });
const NONE: KernelObjects = { table: false, chains: [], sets: [], maps: [], counters: [] };

const nodes = [node('n1', '192.168.138.221', '10.244.0.0/24'), node('n2', '192.168.138.222', '10.244.1.0/24')];
const pods = [pod('x', 'a', '10.244.0.2', 'n1'), pod('x', 'b', '10.244.1.2', 'n2'), pod('y', 'a', '10.244.0.3', 'n1'), pod('x', 'h', '192.168.138.221', 'n1', { pod: 'h' }, { hostNetwork: true })];
const namespaces = [ns('x', { team: 'x' }), ns('y', { team: 'y' })];

test('host addresses: node IPs and the first two addresses of each podCIDR', () => {
  assert.deepEqual(hostAddresses(nodes), ['10.244.0.0', '10.244.0.1', '10.244.1.0', '10.244.1.1', '192.168.138.221', '192.168.138.222']);
});

test('no policy selects a local pod: no table at all (and an existing one is deleted)', () => {
  const m = buildModel(namespaces, pods, [np('x', 'only-b', { podSelector: { matchLabels: { pod: 'b' } } })], nodes);
  const t = desiredTable(m, 'n1');
  assert.deepEqual(t.chains, []);
  assert.equal(renderTransaction(t, NONE), '');
  assert.equal(renderTransaction(t, { ...NONE, table: true }), 'delete table inet podnet-policy\n');
  // on n2, x/b is selected
  assert.ok(desiredTable(m, 'n2').chains.some((c) => c.name === 'pod-in/x/b'));
});

test('ingress policy: per-pod chain jumps to the policy chain; peers as a set; named port resolved per destination pod', () => {
  const pol = np('x', 'allow', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } } }, { ipBlock: { cidr: '172.16.0.0/16', except: ['172.16.1.0/24'] } }], ports: [{ port: 'web' }, { protocol: 'UDP', port: 5000, endPort: 5010 }] }] });
  const m = buildModel(namespaces, pods, [pol], nodes);
  const t = desiredTable(m, 'n1');
  const chain = (n: string): string[] => t.chains.find((c) => c.name === n)?.rules ?? [];
  assert.deepEqual(chain('pod-in/x/a'), [
    'ip saddr 10.244.0.2 accept comment "x/a to itself"',
    'jump pol-in/x/allow',
    'counter name "deny-in/x/a" drop comment "x/a ingress isolated by x/allow"',
  ]);
  assert.equal(chain('pod-in/x/h').length, 0, 'hostNetwork pods are never selected');
  assert.equal(chain('pod-in/x/b').length, 0, 'x/b runs on n2');
  assert.deepEqual(chain('pol-in/x/allow'), [
    'ip saddr @in/x/allow/0 ip daddr 10.244.0.2 meta l4proto tcp th dport 8080 counter accept comment "x/allow ingress[0]"',
    'ip saddr @in/x/allow/0 meta l4proto udp th dport 5000-5010 counter accept comment "x/allow ingress[0]"',
  ]);
  assert.deepEqual(t.sets.find((s) => s.name === 'in/x/allow/0')?.elements, ['10.244.0.3', '172.16.0.0-172.16.0.255', '172.16.2.0-172.16.255.255']);
  assert.deepEqual(t.maps.find((mp) => mp.name === 'ingress-pods')?.elements, [['10.244.0.2', 'jump pod-in/x/a']]);
  assert.deepEqual(t.maps.find((mp) => mp.name === 'egress-pods')?.elements, []);
  assert.deepEqual(t.counters.map((c) => c.counter), ['deny-in/x/a']);
  const base = t.chains.find((c) => c.name === 'ingress')!;
  assert.match(base.hook!, /hook forward priority filter \+ 10/);
  assert.equal(base.rules[0], 'ct state established,related accept', 'replies and established connections first');
  const script = renderTransaction(t, NONE);
  assert.match(script, /^add table inet podnet-policy\ntable inet podnet-policy \{\n/);
  assert.ok(script.indexOf('chain pod-in/x/a') < script.indexOf('map ingress-pods'), 'chains exist before the vmap jumps to them');
  assert.doesNotMatch(script, /flush/);
});

test('egress policy: empty egress = deny all but the pod itself and the host network', () => {
  const m = buildModel(namespaces, pods, [np('y', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })], nodes);
  const t = desiredTable(m, 'n1');
  assert.deepEqual(t.chains.find((c) => c.name === 'pol-out/y/deny-egress')?.rules, []);
  assert.deepEqual(t.chains.find((c) => c.name === 'pod-out/y/a')?.rules.slice(0, 2), ['ip daddr 10.244.0.3 accept comment "y/a to itself"', 'jump pol-out/y/deny-egress']);
  assert.deepEqual(t.chains.find((c) => c.name === 'egress')?.rules, ['ct state established,related accept', 'ip daddr @hosts accept', 'ip saddr vmap @egress-pods']);
  assert.deepEqual(t.sets.find((s) => s.name === 'hosts')?.elements, ['10.244.0.0-10.244.0.1', '10.244.1.0-10.244.1.1', '192.168.138.221-192.168.138.222']);
});

test('a change is one transaction: rules replaced, sets refilled, objects no longer wanted deleted, kept counters untouched', () => {
  const m = buildModel(namespaces, pods, [np('x', 'deny', { podSelector: {} })], nodes);
  const t = desiredTable(m, 'n1', { logDrops: true });
  const have: KernelObjects = { table: true, chains: ['ingress', 'egress', 'pod-in/x/a', 'pol-in/x/old'], sets: ['hosts', 'in/x/old/0'], maps: ['ingress-pods', 'egress-pods'], counters: ['deny-in/x/a', 'deny-in/x/gone'] };
  const s = renderTransaction(t, have).split('\n');
  assert.deepEqual(s.slice(0, 9), [
    'add table inet podnet-policy', 'flush table inet podnet-policy',
    'flush map inet podnet-policy egress-pods', 'flush map inet podnet-policy ingress-pods',
    'flush set inet podnet-policy hosts',
    'delete chain inet podnet-policy pol-in/x/old', 'delete set inet podnet-policy in/x/old/0', 'delete counter inet podnet-policy deny-in/x/gone',
    'table inet podnet-policy {',
  ]);
  assert.ok(s.some((l) => l.includes('limit rate 10/second burst 20 packets log prefix "np-drop in x/a" group 7')), 'drops logged when asked');
});

test('the digest changes with what enforcement depends on, not with pod status noise', () => {
  const d0 = modelDigest(buildModel(namespaces, pods, [], nodes));
  const noisy = pods.map((p) => ({ ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'True' }] } }));
  assert.equal(modelDigest(buildModel(namespaces, noisy, [], nodes)), d0);
  const relabelled = pods.map((p, i) => (i === 0 ? { ...p, metadata: { ...p.metadata, labels: { pod: 'z' } } } : p));
  assert.notEqual(modelDigest(buildModel(namespaces, relabelled, [], nodes)), d0);
  assert.notEqual(modelDigest(buildModel([ns('x', { team: 'q' }), namespaces[1]!], pods, [], nodes)), d0);
});

test('with the previously applied table known, a change rewrites only what differs', () => {
  const pol = (from: string): NetworkPolicy => np('x', 'allow', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: from } } }] }] });
  const before = desiredTable(buildModel(namespaces, pods, [pol('b'), np('x', 'other', { podSelector: { matchLabels: { pod: 'a' } } })], nodes), 'n1');
  const have: KernelObjects = { table: true, chains: before.chains.map((c) => c.name), sets: before.sets.map((x) => x.name), maps: before.maps.map((x) => x.name), counters: before.counters.map((c) => c.counter) };
  assert.equal(renderTransaction(before, have, before).split('\n').filter((l) => /^(flush|delete|  (set|map|chain|counter)|add rule)/.test(l)).length, 0, 'nothing changed: nothing touched');
  // x/b relabelled (pod=q): the peer set of x/allow empties; x/other deleted: its chain goes, x/a's chain changes
  const relabelled = pods.map((p) => (p.metadata?.name === 'b' ? { ...p, metadata: { ...p.metadata, labels: { pod: 'q' } } } : p));
  const after = desiredTable(buildModel(namespaces, relabelled, [pol('b')], nodes), 'n1');
  const s = renderTransaction(after, have, before).trim().split('\n');
  assert.deepEqual(s, [
    'add table inet podnet-policy',
    'flush chain inet podnet-policy pod-in/x/a',
    'flush chain inet podnet-policy pol-in/x/other',
    'flush set inet podnet-policy in/x/allow/0',
    'delete chain inet podnet-policy pol-in/x/other',
    'table inet podnet-policy {',
    '  set in/x/allow/0 { type ipv4_addr; flags interval; comment "x/allow ingress[0] peers"; }',
    '}',
    'add rule inet podnet-policy pod-in/x/a ip saddr 10.244.0.2 accept comment "x/a to itself"',
    'add rule inet podnet-policy pod-in/x/a jump pol-in/x/allow',
    'add rule inet podnet-policy pod-in/x/a counter name "deny-in/x/a" drop comment "x/a ingress isolated by x/allow"',
  ]);
});
