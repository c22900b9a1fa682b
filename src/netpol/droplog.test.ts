import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { buildModel } from './cluster.js';
import { DROP_PREFIX_MAX, decodeIPv4, dropHeader, dropLine, dropLogPrefix, dropRecord, parseDropLogPrefix } from './droplog.js';

const pod = (ns: string, name: string, ip: string, node: string): Pod => ({ metadata: { namespace: ns, name, labels: { pod: name } }, status: { phase: 'Running', podIP: ip }, spec: { nodeName: node, containers: [{ name: 'c' }] } });
const ns = (name: string): Namespace => ({ metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
const node = (name: string, ip: string, cidr: string): Node => ({ metadata: { name }, spec: { podCIDR: cidr }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const np = (namespace: string, name: string, spec: NonNullable<NetworkPolicy['spec']>): NetworkPolicy => ({ metadata: { namespace, name }, spec });
const model = buildModel([ns('x'), ns('y')], [pod('x', 'a', '10.244.0.2', 'n1'), pod('y', 'b', '10.244.1.2', 'n2')],
  [np('y', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }), np('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })],
  [node('n1', '192.168.138.221', '10.244.0.0/24'), node('n2', '192.168.138.222', '10.244.1.0/24')]);

/** An IPv4 TCP SYN src:sport → dst:dport (header only, as far as the ports). */
function syn(src: string, dst: string, sport: number, dport: number, proto = 6): Uint8Array {
  const b = Buffer.alloc(40);
  b[0] = 0x45; b[8] = 64; b[9] = proto;
  Buffer.from(src.split('.').map(Number)).copy(b, 12);
  Buffer.from(dst.split('.').map(Number)).copy(b, 16);
  b.writeUInt16BE(sport, 20); b.writeUInt16BE(dport, 22);
  return b;
}

test('prefix: direction and namespace/name, parsed back', () => {
  assert.equal(dropLogPrefix('ingress', { namespace: 'x', name: 'a' }), 'np-drop in x/a');
  assert.equal(dropLogPrefix('egress', { namespace: 'kube-system', name: 'coredns-1' }), 'np-drop out kube-system/coredns-1');
  assert.deepEqual(parseDropLogPrefix('np-drop in x/a'), { direction: 'ingress', pod: 'x/a' });
  assert.deepEqual(parseDropLogPrefix('np-drop out y/b\0\0'), { direction: 'egress', pod: 'y/b' });
  assert.equal(parseDropLogPrefix('podnet-deny in x/a: '), undefined);
  assert.equal(parseDropLogPrefix('something else'), undefined);
});

test('prefix: a long name is cut within nflog\'s limit and marked, so the pod comes from the address', () => {
  const p = dropLogPrefix('ingress', { namespace: 'n'.repeat(63), name: 'p'.repeat(63) });
  assert.equal(p.length, DROP_PREFIX_MAX);
  assert.ok(p.endsWith('~'));
  assert.deepEqual(parseDropLogPrefix(p), { direction: 'ingress' });
});

test('decodeIPv4: addresses, protocol, ports; not IPv4 or too short → undefined; fragments have no ports', () => {
  assert.deepEqual(decodeIPv4(syn('10.244.0.2', '10.244.1.2', 40312, 80)), { src: '10.244.0.2', dst: '10.244.1.2', protocol: 'TCP', srcPort: 40312, dstPort: 80 });
  assert.equal(decodeIPv4(syn('1.2.3.4', '5.6.7.8', 1, 53, 17))?.protocol, 'UDP');
  assert.deepEqual(decodeIPv4(syn('1.2.3.4', '5.6.7.8', 1, 2, 1)), { src: '1.2.3.4', dst: '5.6.7.8', protocol: 'ICMP' });
  const frag = syn('1.2.3.4', '5.6.7.8', 1, 2); frag[7] = 10;
  assert.equal(decodeIPv4(frag)?.dstPort, undefined);
  assert.equal(decodeIPv4(new Uint8Array(10)), undefined);
  const v6 = syn('1.2.3.4', '5.6.7.8', 1, 2); v6[0] = 0x60;
  assert.equal(decodeIPv4(v6), undefined);
});

test('dropRecord: pods by address, the policies and the reason from the evaluator', () => {
  const r = dropRecord(model, 'n2', Date.UTC(2026, 10, 27, 14, 20, 1, 123), { direction: 'ingress', pod: 'y/b' }, decodeIPv4(syn('10.244.0.2', '10.244.1.2', 40312, 80))!);
  assert.deepEqual(r, {
    time: '2026-11-27T14:20:01.123Z', node: 'n2', direction: 'ingress', pod: 'y/b',
    src: { ip: '10.244.0.2', port: 40312, pod: 'x/a' }, dst: { ip: '10.244.1.2', port: 80, pod: 'y/b' }, protocol: 'TCP',
    policies: ['y/default-deny-ingress'], reason: 'ingress of y/b denied: selected by y/default-deny-ingress, no rule allows',
  });
  // an address outside the pods stays an address; a cut prefix: the pod from the source address (egress)
  const e = dropRecord(model, 'n1', 0, { direction: 'egress' }, decodeIPv4(syn('10.244.0.2', '192.168.138.100', 1000, 53, 17))!);
  assert.equal(e.pod, 'x/a');
  assert.deepEqual(e.dst, { ip: '192.168.138.100', port: 53 });
  assert.deepEqual(e.policies, ['x/deny-egress']);
  // ICMP: no port; the selecting policies still say why
  const i = dropRecord(model, 'n2', 0, { direction: 'ingress', pod: 'y/b' }, decodeIPv4(syn('10.244.0.2', '10.244.1.2', 0, 0, 1))!);
  assert.deepEqual(i.policies, ['y/default-deny-ingress']);
  assert.match(i.reason, /no rule allows ICMP/);
});

test('dropLine: one table row per packet under a kubectl-like header', () => {
  const r = dropRecord(model, 'n2', Date.UTC(2026, 10, 27, 14, 20, 1, 123), { direction: 'ingress', pod: 'y/b' }, decodeIPv4(syn('10.244.0.2', '10.244.1.2', 40312, 80))!);
  assert.equal(dropHeader(), 'TIME         NODE    DIR SOURCE                  DESTINATION             PROTO     POLICIES\n');
  assert.equal(dropLine(r), '14:20:01.123 n2      in  x/a                     y/b                     TCP/80    y/default-deny-ingress\n');
  const e = dropRecord(model, 'n1', Date.UTC(2026, 10, 27, 14, 20, 2), { direction: 'egress' }, decodeIPv4(syn('10.244.0.2', '192.168.138.100', 1000, 53, 17))!);
  assert.equal(dropLine(e), '14:20:02.000 n1      out x/a                     192.168.138.100         UDP/53    x/deny-egress\n');
});
