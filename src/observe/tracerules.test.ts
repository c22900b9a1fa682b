import { test } from 'node:test';
import assert from 'node:assert/strict';
import { savedRuleFor, dropEvent, interesting, natOf, parseConntrack, parseTraceEvents, ruleHops, stepOf, traceTableScript } from './tracerules.js';

// `nft monitor trace` in a node netns of a real lab (iptables-nft proxy, a ClusterIP probe; trimmed)
const SVC = `trace id 7ab975e2 inet podnet-trace pre packet: iif "cni0" ether saddr 32:78:2a:c1:33:ce ip saddr 10.244.0.3 ip daddr 10.111.79.136 tcp sport 45678 tcp dport 80 tcp flags == syn
trace id 7ab975e2 inet podnet-trace pre rule ip saddr 10.244.0.3 tcp sport 45678 meta nftrace set 1 (verdict continue)
trace id 7ab975e2 ip nat PREROUTING packet: iif "cni0" ether saddr 32:78:2a:c1:33:ce ip saddr 10.244.0.3 ip daddr 10.111.79.136 tcp sport 45678 tcp dport 80 tcp flags == syn
trace id 7ab975e2 ip nat PREROUTING rule  counter packets 0 bytes 0 jump KUBE-SERVICES (verdict jump KUBE-SERVICES)
trace id 7ab975e2 ip nat KUBE-SERVICES rule meta l4proto tcp ip daddr 10.111.79.136  tcp dport 80 counter packets 0 bytes 0 jump KUBE-SVC-CDGGSHYLG3RE2FKL (verdict jump KUBE-SVC-CDGGSHYLG3RE2FKL)
trace id 7ab975e2 ip nat KUBE-SVC-CDGGSHYLG3RE2FKL rule  counter packets 0 bytes 0 jump KUBE-SEP-UIQK3OSOSTRHRPBX (verdict jump KUBE-SEP-UIQK3OSOSTRHRPBX)
trace id 7ab975e2 ip nat KUBE-SEP-UIQK3OSOSTRHRPBX rule meta l4proto tcp   counter packets 0 bytes 0 dnat to 10.244.1.2:8080 (verdict accept)
trace id 564a67db ip filter FORWARD packet: iif "cni0" oif "flannel.1" ip saddr 10.244.0.3 ip daddr 10.244.1.2 tcp sport 45678 tcp dport 8080 tcp flags == syn
trace id 564a67db ip filter FORWARD rule ct state new  counter packets 0 bytes 0 jump KUBE-EXTERNAL-SERVICES (verdict jump KUBE-EXTERNAL-SERVICES)
trace id 564a67db ip filter FORWARD rule  counter packets 0 bytes 0 jump FLANNEL-FWD (verdict jump FLANNEL-FWD)
trace id 564a67db ip filter FLANNEL-FWD rule ip saddr 10.244.0.0/16  counter packets 0 bytes 0 accept (verdict accept)
trace id 564a67db ip nat POSTROUTING policy accept 
`;
const POLICY = `trace id 2174c8bf inet podnet-policy ingress packet: iif "flannel.1" oif "cni0" ip saddr 10.244.0.3 ip daddr 10.244.1.2 tcp sport 45679 tcp dport 8080 tcp flags == syn
trace id 2174c8bf inet podnet-policy ingress rule ip daddr vmap @ingress-pods (verdict jump pod-in/default/b)
trace id 2174c8bf inet podnet-policy pod-in/default/b rule jump pol-in/default/deny-b (verdict jump pol-in/default/deny-b)
trace id 2174c8bf inet podnet-policy pod-in/default/b rule counter name "deny-in/default/b" drop comment "default/b ingress isolated by default/deny-b" (verdict drop)
`;

test('parseTraceEvents: tables, chains, verdicts, counters stripped, routed after the packet has an oif', () => {
  const ev = parseTraceEvents(SVC);
  assert.equal(ev.length, 12);
  const dnat = ev.find((e) => e.chain === 'KUBE-SEP-UIQK3OSOSTRHRPBX')!;
  assert.deepEqual([dnat.family, dnat.table, dnat.kind, dnat.text, dnat.verdict, dnat.routed], ['ip', 'nat', 'rule', 'meta l4proto tcp counter dnat to 10.244.1.2:8080', 'accept', false]);
  assert.equal(ev.find((e) => e.chain === 'FLANNEL-FWD')!.routed, true);
  assert.equal(ev[0]!.iif, 'cni0');
  assert.equal(ev.find((e) => e.kind === 'packet' && e.chain === 'FORWARD')!.oif, 'flannel.1');
});

test('ruleHops: the Service chain, the endpoint chain with its DNAT, nothing of the trace table or bookkeeping jumps', () => {
  const hops = ruleHops(parseTraceEvents(SVC), 'node1', 'pn-x-node1');
  assert.deepEqual(hops.map((h) => [h.step, h.table, h.chain]), [
    ['rule', 'ip nat', 'KUBE-SERVICES'],
    ['rule', 'ip nat', 'KUBE-SVC-CDGGSHYLG3RE2FKL'],
    ['dnat', 'ip nat', 'KUBE-SEP-UIQK3OSOSTRHRPBX'],
  ]);
  assert.match(hops[0]!.detail, /→ jump KUBE-SVC-CDGGSHYLG3RE2FKL$/);
  assert.equal(hops[2]!.detail, "KUBE-SEP-UIQK3OSOSTRHRPBX: DNAT to 10.244.1.2:8080 → accept");
  // the KUBE-SVC chain's own rule (jump to the endpoint chain) is there too when it is a named chain's jump
  assert.ok(parseTraceEvents(SVC).filter((e) => interesting(e)).some((e) => e.chain === 'KUBE-SVC-CDGGSHYLG3RE2FKL'));
});

test('a NetworkPolicy drop: step drop, names the pod chain and the policy; dropEvent finds it', () => {
  const ev = parseTraceEvents(POLICY);
  const hops = ruleHops(ev, 'node2', 'pn-x-node2');
  assert.deepEqual(hops.map((h) => h.step), ['policy', 'policy', 'drop']);
  assert.equal(hops[2]!.chain, 'pod-in/default/b');
  assert.match(hops[2]!.detail, /isolated by default\/deny-b/);
  assert.equal(dropEvent(ev)?.chain, 'pod-in/default/b');
  assert.equal(dropEvent(parseTraceEvents(SVC)), undefined);
});

test('stepOf: reject, masquerade, dnat', () => {
  const mk = (text: string, verdict = 'accept') => ({ id: '1', family: 'ip', table: 'filter', chain: 'KUBE-SERVICES', kind: 'rule' as const, text, verdict, routed: true });
  assert.equal(stepOf(mk('ip daddr 10.98.107.46 tcp dport 80 counter reject', 'drop')), 'drop');
  assert.equal(stepOf({ ...mk('masquerade fully-random'), table: 'kube-proxy', chain: 'masquerading' }), 'snat');
  assert.equal(stepOf(mk('meta l4proto tcp dnat to 10.244.1.2:8080')), 'dnat');
});

test('traceTableScript: a fresh table marking the probe\'s first packet in prerouting and output', () => {
  const s = traceTableScript({ protocol: 'tcp', src: '10.244.0.3', sport: 45678, dst: '10.96.0.10' });
  assert.match(s, /^add table inet podnet-trace\ndelete table inet podnet-trace\ntable inet podnet-trace \{/);
  assert.match(s, /chain pre \{ type filter hook prerouting priority -350; policy accept; ip saddr 10\.244\.0\.3 tcp sport 45678 tcp flags & \(syn \| ack\) == syn meta nftrace set 1; \}/);
  assert.match(s, /chain out \{ type filter hook output priority -350;/);
  assert.match(traceTableScript({ protocol: 'icmp', src: '10.244.0.3', dst: '1.2.3.4' }), /ip saddr 10\.244\.0\.3 icmp type echo-request meta nftrace set 1/);
  assert.match(traceTableScript({ protocol: 'udp', sport: 50000, dst: '1.2.3.4' }), /; udp sport 50000 meta nftrace set 1;/);
});

test('parseConntrack and natOf: the DNAT target and a masquerade', () => {
  const [e] = parseConntrack('tcp      6 119 TIME_WAIT src=10.244.0.3 dst=10.111.79.136 sport=45678 dport=80 src=10.244.1.2 dst=10.244.0.3 sport=8080 dport=45678 [ASSURED] mark=0 use=1\n');
  assert.deepEqual(e!.orig, { src: '10.244.0.3', dst: '10.111.79.136', sport: 45678, dport: 80 });
  assert.equal(e!.state, 'TIME_WAIT');
  assert.deepEqual(e!.flags, ['ASSURED']);
  assert.deepEqual(natOf(e!), { dnat: { ip: '10.244.1.2', port: 8080 } });
  const [m] = parseConntrack('tcp      6 117 SYN_SENT src=192.168.138.100 dst=192.168.138.221 sport=40000 dport=30080 [UNREPLIED] src=10.244.1.2 dst=10.244.0.0 sport=8080 dport=40000 mark=0 use=1');
  assert.deepEqual(natOf(m!), { dnat: { ip: '10.244.1.2', port: 8080 }, snat: { ip: '10.244.0.0', port: 40000 } });
  const [i] = parseConntrack('icmp     1 29 src=10.244.0.3 dst=10.244.1.2 type=8 code=0 id=12 src=10.244.1.2 dst=10.244.0.3 type=0 code=0 id=12 mark=0 use=1');
  assert.deepEqual(natOf(i!), {});
  assert.deepEqual(parseConntrack('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n'), []);
});

test('savedRuleFor: the iptables-save form (with its comment) of a rule iptables-nft printed in nft syntax', () => {
  const filter = new Map([['KUBE-SERVICES', { rules: [
    { rule: '-A KUBE-SERVICES -d 10.98.1.1/32 -p tcp -m comment --comment "default/other:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable' },
    { rule: '-A KUBE-SERVICES -d 10.98.107.46/32 -p tcp -m comment --comment "default/empty:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable' },
  ] }]]);
  const nat = new Map([['KUBE-SEP-UIQK3OSOSTRHRPBX', { rules: [
    { rule: '-A KUBE-SEP-UIQK3OSOSTRHRPBX -s 10.244.1.2/32 -m comment --comment "default/web:http" -j KUBE-MARK-MASQ' },
    { rule: '-A KUBE-SEP-UIQK3OSOSTRHRPBX -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.1.2:8080' },
  ] }]]);
  const saved = new Map([['filter', filter], ['nat', nat]]);
  const [rej] = parseTraceEvents('trace id 1 ip filter KUBE-SERVICES rule meta l4proto tcp ip daddr 10.98.107.46 tcp dport 80 counter packets 0 bytes 0 reject (verdict drop)\n');
  assert.match(savedRuleFor(rej!, saved) ?? '', /default\/empty:http has no endpoints/);
  const hops = ruleHops([rej!], 'node1', 'ns', saved);
  assert.equal(hops[0]!.step, 'drop');
  assert.match(hops[0]!.detail, /^KUBE-SERVICES \(default\/empty:http has no endpoints\) → drop$/);
  assert.match(hops[0]!.rule!, /^-A KUBE-SERVICES -d 10\.98\.107\.46\/32 /);
  const dnat = parseTraceEvents(SVC).find((e) => e.chain === 'KUBE-SEP-UIQK3OSOSTRHRPBX')!;
  assert.match(savedRuleFor(dnat, saved) ?? '', /-j DNAT --to-destination 10\.244\.1\.2:8080$/);
  assert.equal(savedRuleFor({ ...dnat, family: 'inet', table: 'podnet-policy' }, saved), undefined);
});
