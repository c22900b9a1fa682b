import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf, podResolvConf, renderHosts, renderResolvConf } from './render.js';

const node = '# node\nnameserver 192.168.138.1\nnameserver 192.168.138.2\nsearch lab.internal\noptions timeout:2\n';
const base = { namespace: 'hyjx--hyjx-group3', clusterDNS: ['10.10.0.10'], clusterDomain: 'cluster.local', nodeResolvConf: node };

test('ClusterFirst: cluster DNS, namespace search path (plus the node\'s), ndots:5', () => {
  assert.equal(renderResolvConf(podResolvConf(base)),
    'search hyjx--hyjx-group3.svc.cluster.local svc.cluster.local cluster.local lab.internal\nnameserver 10.10.0.10\noptions ndots:5\n');
});

test('Default: the node\'s resolv.conf; ClusterFirst with hostNetwork behaves as Default', () => {
  const d = renderResolvConf(podResolvConf({ ...base, dnsPolicy: 'Default' }));
  assert.equal(d, 'search lab.internal\nnameserver 192.168.138.1\nnameserver 192.168.138.2\noptions timeout:2\n');
  assert.equal(renderResolvConf(podResolvConf({ ...base, hostNetwork: true })), d);
  assert.match(renderResolvConf(podResolvConf({ ...base, hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' })), /nameserver 10\.10\.0\.10/);
});

test('None uses dnsConfig only; dnsConfig merges and options override by name', () => {
  const none = podResolvConf({ ...base, dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['ns1.svc.cluster-domain.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } });
  assert.equal(renderResolvConf(none), 'search ns1.svc.cluster-domain.example\nnameserver 1.2.3.4\noptions ndots:2 edns0\n');
  const merged = podResolvConf({ ...base, dnsConfig: { nameservers: ['10.10.0.10', '9.9.9.9'], options: [{ name: 'ndots', value: '1' }] } });
  assert.deepEqual(merged.nameservers, ['10.10.0.10', '9.9.9.9']);
  assert.deepEqual(merged.options, ['ndots:1']);
  // at most 3 nameservers, as glibc reads
  assert.equal(podResolvConf({ ...base, dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'] } }).nameservers.length, 3);
});

test('parseResolvConf: comments, last search wins', () => {
  assert.deepEqual(parseResolvConf('search a b\n; x\nsearch c\nnameserver 1.1.1.1 # c\n'), { nameservers: ['1.1.1.1'], searches: ['c'], options: [] });
});

test('hosts: localhost, pod IP with hostname (FQDN with subdomain), hostAliases', () => {
  const h = renderHosts({ podIPs: ['10.20.1.5'], hostname: 'mysql-demo', namespace: 'ns', clusterDomain: 'cluster.local', hostAliases: [{ ip: '10.1.1.1', hostnames: ['a', 'b'] }] });
  assert.match(h, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(h, /^10\.20\.1\.5\tmysql-demo$/m);
  assert.match(h, /^10\.1\.1\.1\ta\tb$/m);
  const s = renderHosts({ podIPs: ['10.20.1.5'], hostname: 'web-0', subdomain: 'web', namespace: 'ns', clusterDomain: 'cluster.local' });
  assert.match(s, /^10\.20\.1\.5\tweb-0\.web\.ns\.svc\.cluster\.local\tweb-0$/m);
});
