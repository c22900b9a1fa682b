import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../meta/types.js';
import { bgpModel } from './model.js';
import { birdConf } from './birdconf.js';
import { torBirdConf } from './torconf.js';

const node = (name: string, ip: string, extra: Record<string, string> = {}, labels: Record<string, string> = {}): KObject =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels, annotations: { 'projectcalico.org/IPv4Address': `${ip}/24`, ...extra } } });
const cr = (kind: string, name: string, spec: Record<string, unknown>): KObject => ({ apiVersion: 'crd.projectcalico.org/v1', kind, metadata: { name }, spec });

/** `bird -p` parses a config without running anything. */
function birdParses(text: string): void {
  const d = mkdtempSync(join(tmpdir(), 'birdconf-'));
  try {
    writeFileSync(join(d, 'bird.conf'), text);
    execFileSync('bird', ['-p', '-c', join(d, 'bird.conf')], { stdio: 'pipe' });
  } finally { rmSync(d, { recursive: true, force: true }); }
}

test('mesh: every other node, iBGP in the default AS; blocks as blackholes; BIRD parses it', () => {
  const nodes = [node('n1', '192.168.138.221'), node('n2', '192.168.138.222'), node('n3', '192.168.138.223')];
  const m = bgpModel({ node: 'n1', nodes, configs: [cr('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: true, holdTime: 3 })], peers: [] })!;
  assert.deepEqual(m.peers.map((p) => [p.name, p.as, p.type]), [['Mesh_192_168_138_222', 64512, 'node-to-node mesh'], ['Mesh_192_168_138_223', 64512, 'node-to-node mesh']]);
  assert.equal(m.holdTime, 3);
  const text = birdConf({ model: m, blocks: ['10.244.0.0/26', '10.244.0.64/26'], pools: ['10.244.0.0/16'], connected: ['192.168.138.0/24'] });
  assert.match(text, /route 10\.244\.0\.0\/26 blackhole;/);
  assert.match(text, /protocol bgp Mesh_192_168_138_222 from bgp_template \{\n  neighbor 192\.168\.138\.222 as 64512;/);
  assert.match(text, /hold time 3;/);
  birdParses(text);
  assert.equal(bgpModel({ node: 'n9', nodes, configs: [], peers: [] }), undefined, 'no address yet: no model');
});

test('mesh off: per-rack eBGP to the ToR by nodeSelector, global peers, route reflector clients', () => {
  const nodes = [node('n1', '10.0.1.11', { 'projectcalico.org/ASNumber': '64601' }, { rack: 'r1' }), node('n2', '10.0.2.11', { 'projectcalico.org/ASNumber': '64602' }, { rack: 'r2' })];
  const configs = [cr('BGPConfiguration', 'default', { nodeToNodeMeshEnabled: false, asNumber: 64512 })];
  const peers = [cr('BGPPeer', 'tor-r1', { nodeSelector: 'rack == "r1"', peerIP: '10.0.1.1', asNumber: 65001 }), cr('BGPPeer', 'tor-r2', { nodeSelector: 'rack == "r2"', peerIP: '10.0.2.1', asNumber: 65002 })];
  const m = bgpModel({ node: 'n1', nodes, configs, peers })!;
  assert.equal(m.as, 64601);
  assert.deepEqual(m.peers.map((p) => [p.name, p.ip, p.as, p.type]), [['Node_10_0_1_1', '10.0.1.1', 65001, 'node specific']]);
  const eb = birdConf({ model: m, blocks: [], pools: ['10.244.0.0/16'], connected: ['10.0.1.0/24'] });
  assert.match(eb, /neighbor 10\.0\.1\.1 as 65001;\n  source address 10\.0\.1\.11;\n  direct;\n  allow local as;/);
  birdParses(eb);
  birdParses(torBirdConf({ name: 'tor1', routerId: '192.168.138.201', as: 65001, nodes: [{ ip: '10.0.1.11', as: 64601 }], tors: [{ ip: '192.168.138.202', as: 65002 }], holdTime: 3 }));
  // route reflector: n1 reflects for n2 (peerSelector)
  const rrNodes = [node('n1', '10.0.1.11', { 'projectcalico.org/RouteReflectorClusterID': '224.0.0.1' }, { rr: 'true' }), node('n2', '10.0.1.12')];
  const rrPeers = [cr('BGPPeer', 'to-rr', { peerSelector: 'has(rr)' }), cr('BGPPeer', 'rr-to-all', { nodeSelector: 'has(rr)', peerSelector: '!has(rr)' })];
  const rr = bgpModel({ node: 'n1', nodes: rrNodes, configs, peers: rrPeers })!;
  assert.deepEqual(rr.peers.map((p) => [p.ip, p.rrClient]), [['10.0.1.12', true]]);
  const text = birdConf({ model: rr, blocks: ['10.244.1.0/26'], pools: ['10.244.0.0/16'], connected: ['10.0.1.0/24'] });
  assert.match(text, /rr client;\n  rr cluster id 224\.0\.0\.1;/);
  birdParses(text);
  const client = bgpModel({ node: 'n2', nodes: rrNodes, configs, peers: rrPeers })!;
  assert.deepEqual(client.peers.map((p) => [p.ip, p.type, p.rrClient]), [['10.0.1.11', 'global', false]]);
  // a global peer
  const g = bgpModel({ node: 'n1', nodes, configs, peers: [cr('BGPPeer', 'edge', { peerIP: '10.9.9.9', asNumber: 65500 })] })!;
  assert.deepEqual(g.peers.map((p) => [p.name, p.type]), [['Global_10_9_9_9', 'global']]);
  assert.match(birdConf({ model: g, blocks: [], pools: [], connected: ['10.0.1.0/24'] }), /neighbor 10\.9\.9\.9 as 65500;\n  source address 10\.0\.1\.11;\n  multihop;/);
});
