import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nftServiceTotals, type RuleChainView, type SvcInspection } from './inspectsvc.js';
import { renderSvcInspection } from './inspectsvcview.js';
import { nftRuleCounter, parseNftTable } from './proxyrules.js';

// `nft list table ip kube-proxy` (excerpt) after three connections to default/w: the endpoint chains'
// DNAT rules count, the service chain's rules do not.
const NFT = `table ip kube-proxy {
\tchain service-ZA7FPMAM-default/w/tcp/ {
\t\tip daddr 10.97.242.12 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
\t\tnumgen random mod 2 vmap { 0 : goto endpoint-TMIXWUJY-default/w/tcp/__10.244.0.64/8080, 1 : goto endpoint-AB12CD34-default/w/tcp/__10.244.1.5/8080 }
\t}
\tchain endpoint-TMIXWUJY-default/w/tcp/__10.244.0.64/8080 {
\t\tip saddr 10.244.0.64 jump mark-for-masquerade
\t\tmeta l4proto tcp counter packets 2 bytes 120 dnat to 10.244.0.64:8080
\t}
\tchain endpoint-AB12CD34-default/w/tcp/__10.244.1.5/8080 {
\t\tip saddr 10.244.1.5 jump mark-for-masquerade
\t\tmeta l4proto tcp counter packets 1 bytes 60 dnat to 10.244.1.5:8080
\t}
}
`;

function chainsOf(text: string): RuleChainView[] {
  return [...parseNftTable(text).chains.values()].map((c) => {
    const rules = c.rules.map((r) => ({ rule: r, ...(nftRuleCounter(r) ?? { packets: 0, bytes: 0 }) }));
    return { name: c.name, role: c.name.startsWith('endpoint-') ? 'endpoint' : 'service', packets: rules.reduce((a, r) => a + r.packets, 0), bytes: rules.reduce((a, r) => a + r.bytes, 0), rules };
  });
}

test('nft: a service chain without counters is counted by the DNAT counters of the endpoint chains it dispatches to', () => {
  const out = nftServiceTotals(chainsOf(NFT));
  const svc = out.find((c) => c.role === 'service')!;
  assert.deepEqual([svc.packets, svc.bytes], [3, 180]);
  assert.match(svc.countedVia!, /DNAT counters of its 2 endpoint chain/);
  assert.deepEqual(out.filter((c) => c.role === 'endpoint').map((c) => c.packets), [2, 1]);
  // a listing from before the counters (older agents): nothing to sum, the chain stays uncounted
  const old = nftServiceTotals(chainsOf(NFT.replace(/counter packets \d+ bytes \d+ /g, '')));
  assert.equal(old.find((c) => c.role === 'service')!.countedVia, undefined);
});

const BASE: SvcInspection = {
  namespace: 'default', name: 'w', type: 'ClusterIP', clusterIPs: ['10.97.242.12'],
  ports: [{ name: '', port: 80, protocol: 'TCP', targetPort: '8080', servicePortName: 'default/w' }],
  endpointsByNode: [{ node: 'node1', endpoints: [{ ip: '10.244.0.64', port: '8080', ready: true, pod: 'w-1' }] }],
  node: 'node1', proxyMode: 'nftables', rules: [],
};

test('inspect svc view: nft service chains say how they were counted', () => {
  const text = renderSvcInspection({ ...BASE, rules: [{ port: 'default/w', chains: nftServiceTotals(chainsOf(NFT)), mapElements: [] }] });
  assert.match(text, /^    service-ZA7FPMAM-default\/w\/tcp\/ \(service; entered 3 packets, 180 bytes, by the DNAT counters of its 2 endpoint chain\(s\)\)$/m);
  assert.match(text, /^    endpoint-TMIXWUJY-default\/w\/tcp\/__10\.244\.0\.64\/8080 \(endpoint; entered 2 packets, 120 bytes\)$/m);
});

test('inspect svc view: ipvs without ip_vs is a statement; with it, the virtual services and real servers', () => {
  const none = renderSvcInspection({ ...BASE, proxyMode: 'none', configuredProxyMode: 'ipvs', ipvs: { available: false, ports: [], statement: 'this kernel has no ip_vs (…)' } });
  assert.match(none, /^Rules on node node1 \(proxy mode none; the agent was started with ipvs\):$/m);
  assert.match(none, /^IPVS on node node1:\n  this kernel has no ip_vs \(…\)$/m);
  const some = renderSvcInspection({ ...BASE, proxyMode: 'ipvs', ipvs: { available: true, ports: [{ port: 'default/w', virtualServices: [
    { protocol: 'TCP', address: '10.97.242.12', port: 80, scheduler: 'rr', flags: [], realServers: [{ address: '10.244.0.64', port: 8080, forward: 'Masq', weight: 1, activeConns: 1, inactiveConns: 2 }] }] }] } });
  assert.match(some, /^    VIRTUAL SERVICE +SCHEDULER +REAL SERVER +FORWARD +WEIGHT +ACTIVE +INACTIVE$/m);
  assert.match(some, /^    TCP 10\.97\.242\.12:80 +rr +10\.244\.0\.64:8080 +Masq +1 +1 +2$/m);
});
