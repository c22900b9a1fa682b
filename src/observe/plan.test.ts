import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAddressSpace, PlanError } from './plan.js';
import { renderPlan } from './planview.js';

test('seed 003: --cluster-cidr=10.244.0.0/12 with --node-cidr-mask-size=16 gives 16 nodes (and the host bits are named)', () => {
  const p = planAddressSpace({ clusterCidr: '10.244.0.0/12', nodeCidrMaskSize: 16 });
  assert.equal(p.nodes, 16);
  assert.equal(p.clusterCidr, '10.240.0.0/12');
  assert.equal(p.firstNodeCidr, '10.240.0.0/16');
  assert.equal(p.lastNodeCidr, '10.255.0.0/16');
  assert.equal(p.addressesPerNode, '65536');
  assert.equal(p.podIPsPerNode, '65533'); // 65536 − network − gateway − broadcast
  assert.equal(p.podsPerNode, 110);       // the kubelet's --max-pods
  assert.equal(p.podsTotal, '1760');
  assert.ok(p.warnings.some((w) => /host bits set: it means 10\.240\.0\.0\/12/.test(w)), p.warnings.join('\n'));
  assert.deepEqual(p.overlaps, []);
});

test('seed example cluster: 10.20.0.0/16 with /24 per node, services 10.10.0.0/16', () => {
  const p = planAddressSpace({ clusterCidr: '10.20.0.0/16', nodeCidrMaskSize: 24, serviceClusterIpRange: '10.10.0.0/16' });
  assert.equal(p.nodes, 256);
  assert.equal(p.firstNodeCidr, '10.20.0.0/24');
  assert.equal(p.lastNodeCidr, '10.20.255.0/24');
  assert.equal(p.addressesPerNode, '256');
  assert.equal(p.podIPsPerNode, '253'); // .2 … .254: .0 network, .1 cni0's gateway, .255 broadcast
  assert.equal(p.podsPerNode, 110);
  assert.equal(p.podsTotal, String(256 * 110));
  assert.deepEqual(p.service, { range: '10.10.0.0/16', addresses: '65536', clusterIPs: '65534' });
  assert.deepEqual(p.overlaps, []);
  assert.deepEqual(p.warnings, []);
});

test('the lab default: 10.244.0.0/16 /24 and services 10.96.0.0/12 (2^20 addresses)', () => {
  const p = planAddressSpace({ clusterCidr: '10.244.0.0/16', nodeCidrMaskSize: 24, serviceClusterIpRange: '10.96.0.0/12' });
  assert.equal(p.service?.clusterIPs, String(2 ** 20 - 2));
  assert.deepEqual(p.warnings, []);
});

test('a service range inside the cluster CIDR is an overlap and a warning', () => {
  const p = planAddressSpace({ clusterCidr: '10.0.0.0/8', nodeCidrMaskSize: 24, serviceClusterIpRange: '10.96.0.0/12' });
  assert.deepEqual(p.overlaps, [{ a: 'cluster-cidr', b: 'service-cluster-ip-range', cidrA: '10.0.0.0/8', cidrB: '10.96.0.0/12' }]);
  assert.ok(p.warnings.some((w) => /overlaps/.test(w)));
  assert.equal(p.nodes, 65536);
});

test('small node subnets: /28 has 13 pod addresses, fewer than max-pods; /30 one; /31 none', () => {
  const p = planAddressSpace({ clusterCidr: '10.0.0.0/24', nodeCidrMaskSize: 28 });
  assert.equal(p.nodes, 16);
  assert.equal(p.podIPsPerNode, '13');
  assert.equal(p.podsPerNode, 13);
  assert.ok(p.warnings.some((w) => /only 13 pod addresses/.test(w)));
  assert.ok(p.warnings.some((w) => /fewer than --max-pods 110/.test(w)));
  assert.equal(planAddressSpace({ clusterCidr: '10.0.0.0/24', nodeCidrMaskSize: 30 }).podIPsPerNode, '1');
  const p31 = planAddressSpace({ clusterCidr: '10.0.0.0/24', nodeCidrMaskSize: 31 });
  assert.equal(p31.podsPerNode, 0);
  assert.ok(p31.warnings.some((w) => /leaves no pod address/.test(w)));
});

test('--max-pods below the subnet caps pods per node, without a warning', () => {
  const p = planAddressSpace({ clusterCidr: '10.244.0.0/16', nodeCidrMaskSize: 24, maxPods: 30 });
  assert.equal(p.podsPerNode, 30);
  assert.deepEqual(p.warnings, []);
});

test('a node mask not longer than the cluster prefix is warned about', () => {
  const p = planAddressSpace({ clusterCidr: '10.0.0.0/16', nodeCidrMaskSize: 12 });
  assert.equal(p.nodes, 0);
  assert.ok(p.warnings.some((w) => /shorter than the cluster CIDR \/16/.test(w)));
  const same = planAddressSpace({ clusterCidr: '10.0.0.0/16', nodeCidrMaskSize: 16 });
  assert.equal(same.nodes, 1);
  assert.ok(same.warnings.some((w) => /one node gets the whole cluster CIDR/.test(w)));
});

test('IPAM blocks: 192.168.0.0/16 in /26 blocks is 1024 blocks of 64', () => {
  const p = planAddressSpace({ clusterCidr: '192.168.0.0/16', nodeCidrMaskSize: 24, poolBlockSize: 26 });
  assert.deepEqual(p.pool, { blockSize: 26, blocks: 1024, addressesPerBlock: '64' });
});

test('IPv6: fd00::/48 with /64 per node; no broadcast to reserve', () => {
  const p = planAddressSpace({ clusterCidr: 'fd00::/48', nodeCidrMaskSize: 64, serviceClusterIpRange: 'fd00:1::/112' });
  assert.equal(p.nodes, 65536);
  assert.equal(p.podIPsPerNode, String(2n ** 64n - 2n));
  assert.equal(p.service?.clusterIPs, String(65535));
});

test('bad input is an EPLAN error', () => {
  assert.throws(() => planAddressSpace({ clusterCidr: 'nope', nodeCidrMaskSize: 24 }), (e: unknown) => e instanceof PlanError && e.code === 'EPLAN');
  assert.throws(() => planAddressSpace({ clusterCidr: '10.0.0.0/16', nodeCidrMaskSize: 33 }), PlanError);
  assert.throws(() => planAddressSpace({ clusterCidr: '10.0.0.0/16', nodeCidrMaskSize: 24, serviceClusterIpRange: 'fd00::/112' }), /IPv6/);
});

test('the human form names the numbers', () => {
  const out = renderPlan(planAddressSpace({ clusterCidr: '10.244.0.0/12', nodeCidrMaskSize: 16 }));
  assert.match(out, /^Node subnets: +\/16: 16 \(10\.240\.0\.0\/16 … 10\.255\.0\.0\/16\)$/m);
  assert.match(out, /^Pod IPs per node: +65,533 /m);
  assert.match(out, /^Warnings:\n  - --cluster-cidr 10\.244\.0\.0\/12 has host bits set/m);
});
