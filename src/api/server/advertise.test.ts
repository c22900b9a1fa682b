import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAdvertise, kubernetesServiceIP, servingSans } from './advertise.js';

test('the kubernetes ClusterIP is the first address of the Service CIDR', () => {
  assert.equal(kubernetesServiceIP('10.96.0.0/12'), '10.96.0.1');
  assert.equal(kubernetesServiceIP('10.10.0.0/16'), '10.10.0.1');
  assert.equal(kubernetesServiceIP('10.10.5.7/16'), '10.10.0.1');
});

test('serving SANs: the advertised address, the kubernetes ClusterIP and the Service names in the cluster domain', () => {
  assert.deepEqual(servingSans({ serviceClusterIpRange: '10.10.0.0/16', advertiseAddress: '192.168.138.224' }), {
    dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ips: ['10.10.0.1', '192.168.138.224'],
  });
  const s = servingSans({ serviceClusterIpRange: '10.96.0.0/12', clusterDomain: 'lab.example.' });
  assert.deepEqual(s.ips, ['10.96.0.1'], 'no advertised address, no extra IP');
  assert.equal(s.dns.at(-1), 'kubernetes.default.svc.lab.example');
});

test('advertise flags are checked', () => {
  checkAdvertise(undefined, undefined);
  checkAdvertise('192.168.138.224', 6443);
  assert.throws(() => checkAdvertise('master', 6443), (e: unknown) => (e as { code?: string }).code === 'EFLAG');
  assert.throws(() => checkAdvertise('192.168.138.224', 0), /advertise-port/);
  assert.throws(() => checkAdvertise('192.168.138.224', Number('x')), /advertise-port/);
});
