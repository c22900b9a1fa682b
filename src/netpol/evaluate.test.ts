import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { evaluate, type Endpoint } from './evaluate.js';
import { type ClusterModel, type PodInfo, type Protocol, policyInfo } from './model.js';
import { ipBlockRanges, rangeElement } from './ranges.js';

function pod(namespace: string, name: string, labels: Record<string, string>, ip: string, extra: Partial<PodInfo> = {}): PodInfo {
  return { namespace, name, labels, ip, node: 'n1', hostNetwork: false, namedPorts: [], ...extra };
}
function np(namespace: string, name: string, spec: NonNullable<NetworkPolicy['spec']>): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}
function cluster(pods: PodInfo[], pols: NetworkPolicy[], ns: Record<string, Record<string, string>> = {}): ClusterModel {
  const namespaces = new Map<string, { name: string; labels: Record<string, string> }>();
  for (const p of pods) namespaces.set(p.namespace, { name: p.namespace, labels: { 'kubernetes.io/metadata.name': p.namespace } });
  for (const [n, l] of Object.entries(ns)) namespaces.set(n, { name: n, labels: { 'kubernetes.io/metadata.name': n, ...l } });
  return { namespaces, pods, policies: pols.map(policyInfo), hostIPs: ['192.168.138.221'] };
}
const P = (p: PodInfo): Endpoint => ({ pod: p });
const ok = (m: ClusterModel, src: Endpoint, dst: Endpoint, port = 80, protocol: Protocol = 'TCP'): boolean => evaluate(m, { src, dst, protocol, port }).allowed;

// The docs' "test-network-policy": role=db in default; ingress from 172.17.0.0/16 except 172.17.1.0/24,
// namespaces project=myproject, pods role=frontend (in default), on TCP 6379; egress to 10.0.0.0/24 on TCP 5978.
test('docs example test-network-policy: ingress peers are ORed, ports ANDed; egress by ipBlock', () => {
  const db = pod('default', 'db', { role: 'db' }, '10.244.1.10');
  const fe = pod('default', 'fe', { role: 'frontend' }, '10.244.1.11');
  const other = pod('default', 'other', { role: 'other' }, '10.244.1.12');
  const feElsewhere = pod('dev', 'fe', { role: 'frontend' }, '10.244.2.11');
  const inProject = pod('myproject', 'any', {}, '10.244.2.12');
  const pol = np('default', 'test-network-policy', {
    podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }, { namespaceSelector: { matchLabels: { project: 'myproject' } } }, { podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
  });
  const m = cluster([db, fe, other, feElsewhere, inProject], [pol], { myproject: { project: 'myproject' } });
  assert.equal(ok(m, P(fe), P(db), 6379), true);
  assert.equal(ok(m, P(fe), P(db), 6380), false, 'port not listed');
  assert.equal(ok(m, P(fe), P(db), 6379, 'UDP'), false, 'protocol differs');
  assert.equal(ok(m, P(other), P(db), 6379), false, 'pod label does not match');
  assert.equal(ok(m, P(feElsewhere), P(db), 6379), false, 'podSelector alone means the policy\'s namespace');
  assert.equal(ok(m, P(inProject), P(db), 6379), true, 'namespaceSelector alone: every pod there');
  assert.equal(ok(m, { ip: '172.17.0.5' }, P(db), 6379), true);
  assert.equal(ok(m, { ip: '172.17.1.5' }, P(db), 6379), false, 'except carves out');
  assert.equal(ok(m, P(db), { ip: '10.0.0.9' }, 5978), true);
  assert.equal(ok(m, P(db), { ip: '10.0.1.9' }, 5978), false, 'egress isolated');
  assert.equal(ok(m, P(db), P(fe), 80), false, 'egress to a pod not allowed');
  assert.equal(ok(m, P(fe), P(other), 80), true, 'unselected pods are open');
  const v = evaluate(m, { src: P(fe), dst: P(db), protocol: 'TCP', port: 6379 });
  assert.deepEqual(v.ingress.allowedBy, ['default/test-network-policy']);
});

test('docs: namespaceSelector and podSelector in one peer AND, in two peers OR', () => {
  const db = pod('default', 'db', { role: 'db' }, '10.244.1.10');
  const client = pod('alice', 'c', { role: 'client' }, '10.244.1.20');
  const notClient = pod('alice', 'n', { role: 'x' }, '10.244.1.21');
  const bobClient = pod('bob', 'c', { role: 'client' }, '10.244.1.22');
  const ns = { alice: { user: 'alice' } };
  const and = np('default', 'and', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'client' } } }] }] });
  const or = np('default', 'or', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }] });
  const m1 = cluster([db, client, notClient, bobClient], [and], ns);
  assert.deepEqual([ok(m1, P(client), P(db)), ok(m1, P(notClient), P(db)), ok(m1, P(bobClient), P(db))], [true, false, false]);
  const m2 = cluster([db, client, notClient, bobClient], [or], ns);
  // OR: every pod in alice; role=client only in default (bob's client is in another namespace)
  assert.deepEqual([ok(m2, P(client), P(db)), ok(m2, P(notClient), P(db)), ok(m2, P(bobClient), P(db))], [true, true, false]);
});

test('docs: default deny / allow all ingress and egress; policyTypes defaulting', () => {
  const a = pod('ns', 'a', { app: 'a' }, '10.244.1.2'), b = pod('ns', 'b', { app: 'b' }, '10.244.2.2');
  const out = pod('other', 'o', {}, '10.244.2.3');
  const denyIn = np('ns', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
  const m = cluster([a, b, out], [denyIn]);
  assert.equal(ok(m, P(out), P(a)), false);
  assert.equal(ok(m, P(a), P(b)), false, 'same namespace too');
  assert.equal(ok(m, P(a), P(out)), true, 'egress unaffected');
  assert.equal(ok(m, { ip: '192.168.138.221' }, P(a)), true, 'the node (host network) is never denied');
  assert.equal(ok(m, P(a), P(a)), true, 'a pod can always reach itself');
  const allowIn = np('ns', 'allow-all-ingress', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] });
  assert.equal(ok(cluster([a, b, out], [denyIn, allowIn]), P(out), P(a)), true, 'policies add up');
  const denyEg = np('ns', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
  const me = cluster([a, b, out], [denyEg]);
  assert.equal(ok(me, P(a), P(out)), false);
  assert.equal(ok(me, P(out), P(a)), true, 'ingress unaffected');
  assert.equal(ok(me, P(a), { ip: '192.168.138.221' }), true, 'to the host network is never denied');
  const allowEg = np('ns', 'allow-all-egress', { podSelector: {}, egress: [{}], policyTypes: ['Egress'] });
  assert.equal(ok(cluster([a, b, out], [denyEg, allowEg]), P(a), P(out)), true);
  const denyAll = np('ns', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const mb = cluster([a, b, out], [denyAll]);
  assert.deepEqual([ok(mb, P(a), P(out)), ok(mb, P(out), P(a)), ok(mb, P(a), P(b))], [false, false, false]);
  // omitted policyTypes: Ingress always, Egress only when egress rules are present
  const noTypes = np('ns', 'only-egress-rules', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] });
  const mn = cluster([a, b, out], [noTypes]);
  assert.equal(ok(mn, P(out), P(a)), false, 'Ingress implied: no ingress rules → denied');
  assert.equal(ok(mn, P(a), P(out)), true, 'egress to 10/8 allowed');
  assert.equal(ok(mn, P(a), { ip: '8.8.8.8' }), false, 'Egress implied by egress rules');
  const emptyEgressNoTypes = np('ns', 'ingress-only', { podSelector: {}, ingress: [{}] });
  assert.equal(ok(cluster([a, out], [emptyEgressNoTypes]), P(a), { ip: '8.8.8.8' }), true, 'no egress rules, no Egress type');
});

test('docs: endPort ranges (multi-port-egress 32000-32768)', () => {
  const db = pod('default', 'db', { role: 'db' }, '10.244.1.10');
  const pol = np('default', 'multi-port-egress', { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] });
  const m = cluster([db], [pol]);
  assert.deepEqual([31999, 32000, 32500, 32768, 32769].map((p) => ok(m, P(db), { ip: '10.0.0.1' }, p)), [false, true, true, true, false]);
});

test('named ports resolve on the destination pod; protocol defaults to TCP; port omitted = all ports of the protocol', () => {
  const web = pod('x', 'web', { app: 'web' }, '10.244.1.2', { namedPorts: [{ name: 'serve-80-tcp', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] });
  const web2 = pod('x', 'web2', { app: 'web' }, '10.244.1.3', { namedPorts: [{ name: 'serve-80-tcp', port: 8080, protocol: 'TCP' }] });
  const c = pod('y', 'c', {}, '10.244.2.2');
  const pol = np('x', 'named', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'serve-80-tcp' }, { protocol: 'UDP', port: 'dns' }] }] });
  const m = cluster([web, web2, c], [pol]);
  assert.equal(ok(m, P(c), P(web), 80), true);
  assert.equal(ok(m, P(c), P(web2), 80), false, 'web2 names port 8080 so');
  assert.equal(ok(m, P(c), P(web2), 8080), true);
  assert.equal(ok(m, P(c), P(web), 53, 'UDP'), true);
  assert.equal(ok(m, P(c), P(web), 53, 'TCP'), false);
  const udpAll = np('x', 'udp-all', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP' }] }] });
  const m2 = cluster([web, c], [udpAll]);
  assert.deepEqual([ok(m2, P(c), P(web), 9, 'UDP'), ok(m2, P(c), P(web), 9, 'TCP'), ok(m2, P(c), P(web), 9, 'SCTP')], [true, false, false]);
  // egress named port: resolved on the destination pod
  const eg = np('y', 'eg', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] });
  const m3 = cluster([web, web2, c], [eg]);
  assert.deepEqual([ok(m3, P(c), P(web), 80), ok(m3, P(c), P(web2), 80), ok(m3, P(c), P(web2), 8080), ok(m3, P(c), { ip: '1.1.1.1' }, 80)], [true, false, true, false]);
});

test('SCTP, hostNetwork pods and matchExpressions', () => {
  const a = pod('x', 'a', { tier: 'db' }, '10.244.1.2');
  const h = pod('x', 'h', { tier: 'db' }, '192.168.138.221', { hostNetwork: true });
  const b = pod('x', 'b', { tier: 'web' }, '10.244.1.3');
  const pol = np('x', 'sctp', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] } }], ports: [{ protocol: 'SCTP', port: 7777 }] }] });
  const m = cluster([a, h, b], [pol]);
  assert.equal(ok(m, P(b), P(a), 7777, 'SCTP'), true);
  assert.equal(ok(m, P(b), P(a), 7777, 'TCP'), false);
  assert.equal(ok(m, P(b), P(h), 1), true, 'hostNetwork pods are never selected');
  assert.equal(ok(m, P(h), P(a), 1), true, 'nor denied as a source');
});

test('ipBlock ranges: cidr minus except, as disjoint nft elements', () => {
  assert.deepEqual(ipBlockRanges({ cidr: '10.0.0.0/24', except: ['10.0.0.0/26', '10.0.0.128/25'] }).map(rangeElement), ['10.0.0.64-10.0.0.127']);
  assert.deepEqual(ipBlockRanges({ cidr: '10.244.1.5/32' }).map(rangeElement), ['10.244.1.5']);
  assert.deepEqual(ipBlockRanges({ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }).map(rangeElement), ['0.0.0.0-9.255.255.255', '11.0.0.0-255.255.255.255']);
  assert.deepEqual(ipBlockRanges({ cidr: 'fd00::/8' }), []);
});

test('explain: renders the verdict with the deciding policies', async () => {
  const { renderVerdict, resolveEndpoint } = await import('./explain.js');
  const a = pod('x', 'a', { pod: 'a' }, '10.244.1.2'), b = pod('y', 'b', { pod: 'b' }, '10.244.2.2');
  const m = cluster([a, b], [np('y', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] })]);
  const v = evaluate(m, { src: resolveEndpoint(m, 'x/a'), dst: resolveEndpoint(m, '10.244.2.2'), protocol: 'TCP', port: 80 });
  assert.equal(renderVerdict('x/a', 'y/b', 'TCP', 80, v), [
    'x/a → y/b TCP/80: DENIED',
    '  egress  allowed  no policy selects x/a for egress',
    '  ingress DENIED   ingress of y/b denied: selected by y/deny-all, no rule allows',
    '',
  ].join('\n'));
  assert.throws(() => resolveEndpoint(m, 'x/nope'), /no pod x\/nope/);
  assert.deepEqual(resolveEndpoint(m, '8.8.8.8'), { ip: '8.8.8.8' });
});
