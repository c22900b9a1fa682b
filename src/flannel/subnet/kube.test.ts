import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANN, nodeLease } from './kube.js';

const node = (name: string, spec: Record<string, unknown>, annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, annotations }, spec });
const ann = { [ANN.backendType]: 'vxlan', [ANN.backendData]: '{"VNI":1,"VtepMAC":"6e:2f:00:00:00:02"}', [ANN.publicIP]: '192.168.138.222' };

test('kube leases: a Node with a podCIDR and flannel\'s annotations is a lease', () => {
  assert.equal(ANN.publicIP, 'flannel.alpha.coreos.com/public-ip');
  assert.deepEqual(nodeLease(node('k8s-node2', { podCIDR: '10.20.92.0/24' }, ann)), {
    subnet: '10.20.92.0/24', owner: 'k8s-node2',
    attrs: { PublicIP: '192.168.138.222', BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '6e:2f:00:00:00:02' } },
  });
  assert.equal(nodeLease(node('n', { podCIDRs: ['10.20.93.0/24'] }, ann))?.subnet, '10.20.93.0/24', 'podCIDRs[0] when podCIDR is unset');
  assert.equal(nodeLease(node('n', { podCIDR: '10.20.92.0/24' }, { ...ann, [ANN.backendData]: '' }))?.attrs.BackendData, null, 'host-gw has no backend data');
});

test('kube leases: no podCIDR, a missing annotation or unreadable backend data → not a lease', () => {
  assert.equal(nodeLease(node('n', {}, ann)), undefined);
  assert.equal(nodeLease(node('n', { podCIDR: '10.20.92.0/24' }, { [ANN.backendType]: 'vxlan' })), undefined);
  assert.equal(nodeLease(node('n', { podCIDR: '10.20.92.0/24' }, { [ANN.publicIP]: '1.2.3.4' })), undefined);
  assert.equal(nodeLease(node('n', { podCIDR: '10.20.92.0/24' }, { ...ann, [ANN.backendData]: '{broken' })), undefined);
});
