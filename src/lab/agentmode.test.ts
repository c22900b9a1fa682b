import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSpec, nodeHosts, MAX_NODES, UNDERLAY_NET } from './spec.js';
import { parseAgentMode, sharedAgentConfig, sharedModeRefusal } from './agentmode.js';
import { parseSharedAgentConfig } from '../node/multinode.js';

test('the shared agent config: each node as per-node mode starts it, plus its own netns and state dir', () => {
  const spec = labSpec({ name: 'big', nodes: 3, agentMode: 'shared', proxyMode: 'nftables' });
  assert.equal(spec.agentMode, 'shared');
  const cfg = sharedAgentConfig(spec);
  assert.deepEqual(cfg.nodes.map((n) => `${n.nodeName} ${n.nodeIP} ${n.netns}`), [
    'node1 192.168.138.221 /run/netns/pn-big-node1', 'node2 192.168.138.222 /run/netns/pn-big-node2', 'node3 192.168.138.223 /run/netns/pn-big-node3']);
  assert.ok(cfg.nodes.every((n) => n.stateDir.endsWith(`/nodes/${n.nodeName}/state`) && n.kubeconfig.endsWith(`/nodes/${n.nodeName}/kubeconfig`) && n.proxyMode === 'nftables'));
  // what the CLI reads back is what lab up wrote
  const back = parseSharedAgentConfig(JSON.stringify(cfg), () => true);
  assert.deepEqual(back, cfg);
  assert.equal(labSpec({ nodes: 2 }).agentMode, undefined, 'per-node is the default');
  assert.equal(cfg.nodes[0]!.proxyMinSyncPeriodMs, undefined, 'small labs keep the agent defaults');
  const big = sharedAgentConfig(labSpec({ name: 'big', nodes: 50, agentMode: 'shared' }));
  assert.ok(big.nodes.every((n) => n.proxyMinSyncPeriodMs === 1000 && n.netpolDebounceMs === 1000), 'big labs batch bursts: one sync per node per second');
});

test('agent mode flags and refusals', () => {
  assert.equal(parseAgentMode('shared'), 'shared');
  assert.throws(() => parseAgentMode('one'), /--agent-mode must be per-node or shared/);
  assert.match(sharedModeRefusal({ network: 'calico', backend: 'vxlan', proxyMode: 'iptables' }) ?? '', /calico/);
  assert.match(sharedModeRefusal({ network: 'flannel', backend: 'udp', proxyMode: 'iptables' }) ?? '', /udp/);
  assert.match(sharedModeRefusal({ network: 'flannel', backend: 'vxlan', proxyMode: 'userspace' }) ?? '', /userspace/);
  assert.equal(sharedModeRefusal({ network: 'flannel', backend: 'host-gw', proxyMode: 'nftables' }), undefined);
});

test('a shared agent config with a bad node is refused naming the field; the host netns never', () => {
  const ok = { nodeName: 'n1', nodeIP: '192.168.138.221', kubeconfig: '/k', stateDir: '/s', netns: '/run/netns/x', clusterCidr: '10.244.0.0/16', proxyMode: 'iptables' };
  assert.throws(() => parseSharedAgentConfig('{'), /not JSON/);
  assert.throws(() => parseSharedAgentConfig('{"nodes":[]}'), /non-empty array/);
  assert.throws(() => parseSharedAgentConfig(JSON.stringify({ nodes: [{ ...ok, nodeIP: '' }] }), () => true), /nodes\[0\]\.nodeIP/);
  assert.throws(() => parseSharedAgentConfig(JSON.stringify({ nodes: [ok, ok] }), () => true), /appears twice/);
  assert.throws(() => parseSharedAgentConfig(JSON.stringify({ nodes: [ok] }), () => false), /host's own is refused/);
  assert.throws(() => parseSharedAgentConfig(JSON.stringify({ nodes: [{ ...ok, network: 'calico' }] }), () => true), /per-node/);
});

test('50 nodes fit the underlay: distinct addresses, none on the master, the client or the LoadBalancer pool', () => {
  const hosts = nodeHosts(50);
  assert.equal(new Set(hosts).size, 50);
  for (const h of hosts) assert.ok(h !== 224 && h !== 100 && h < 240 && h > 0, `host .${h}`);
  assert.equal(nodeHosts(MAX_NODES).length, MAX_NODES);
  const s = labSpec({ nodes: 50 });
  assert.equal(s.nodes[49]!.name, 'node50');
  assert.ok(s.nodes.every((n) => n.ip.startsWith(`${UNDERLAY_NET}.`)));
  assert.throws(() => labSpec({ nodes: MAX_NODES + 1 }), /--nodes must be/);
});
