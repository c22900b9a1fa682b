import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dnsAddonManifests } from './addon.js';

test('the add-on is a kube-dns Service and a Deployment running podnet dns with the lab upstream', () => {
  const [svc, deploy] = dnsAddonManifests({ serviceIP: '10.10.0.10', zone: 'cluster.local', podnetBin: '/opt/podnet/bin/podnet', kubeconfigPath: '/run/podnet/x/dns.kubeconfig', upstreams: ['192.168.138.200'] });
  assert.equal(svc!.metadata.name, 'kube-dns');
  assert.equal((svc as unknown as { spec: { clusterIP: string } }).spec.clusterIP, '10.10.0.10');
  const c = (deploy as unknown as { spec: { template: { spec: { containers: { command: string[]; args: string[] }[] } } } }).spec.template.spec.containers[0]!;
  assert.deepEqual(c.command, ['/opt/podnet/bin/podnet']);
  assert.ok(c.args.join(' ').includes('--upstream 192.168.138.200'));
  assert.ok(c.args.join(' ').includes('--dns-ip 10.10.0.10'));
  assert.ok(c.args.join(' ').includes('--udp-workers 1'), 'one batched UDP thread per replica');
});
