import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildEndpointsMap, buildServiceMap, categorizeEndpoints } from './tracker.js';

test('service map: ports, NodePort/LB/externalIPs, affinity, policies; headless and ExternalName skipped', () => {
  const m = buildServiceMap([
    { metadata: { namespace: 'n', name: 'lb' }, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.1', externalIPs: ['192.168.1.9'], externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP',
      ports: [{ name: 'http', port: 80, nodePort: 31000 }, { name: 'dns', port: 53, protocol: 'UDP' }, { name: 's', port: 9, protocol: 'SCTP' }] }, status: { loadBalancer: { ingress: [{ ip: '192.168.138.240' }] } } },
    { metadata: { namespace: 'n', name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
    { metadata: { namespace: 'n', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
  ] as Service[]);
  assert.deepEqual([...m.keys()], ['n/lb:http', 'n/lb:dns', 'n/lb:s']);
  const h = m.get('n/lb:http')!;
  assert.equal(h.nodePort, 31000); assert.deepEqual(h.loadBalancerIPs, ['192.168.138.240']); assert.deepEqual(h.externalIPs, ['192.168.1.9']);
  assert.equal(h.sessionAffinity.timeoutSeconds, 10800); assert.ok(h.externalPolicyLocal && h.internalPolicyLocal);
  assert.equal(m.get('n/lb:dns')!.protocol, 'UDP');
  assert.equal(m.get('n/lb:dns')!.nodePort, 0);
});

test('endpoints: ready/serving/terminating, locality, dedup across slices, terminating fallback', () => {
  const sl = (name: string, eps: NonNullable<EndpointSlice['endpoints']>): EndpointSlice => ({ addressType: 'IPv4', metadata: { namespace: 'n', name, labels: { 'kubernetes.io/service-name': 's' } }, ports: [{ name: 'p', port: 8080 }], endpoints: eps });
  const m = buildEndpointsMap([
    sl('a', [{ addresses: ['10.0.0.2'], nodeName: 'me', conditions: { ready: true } }, { addresses: ['10.0.0.1'], nodeName: 'other', conditions: { ready: false, serving: true, terminating: true } }]),
    sl('b', [{ addresses: ['10.0.0.2'], nodeName: 'me' }]),
  ], 'me');
  const eps = m.get('n/s:p')!;
  assert.deepEqual(eps.map((e) => [e.ip, e.ready, e.local]), [['10.0.0.1', false, false], ['10.0.0.2', true, true]]);
  const svc = buildServiceMap([{ metadata: { namespace: 'n', name: 's' }, spec: { clusterIP: '10.96.0.3', ports: [{ name: 'p', port: 80 }] } } as Service]).get('n/s:p')!;
  assert.deepEqual(categorizeEndpoints(svc, eps).cluster.map((e) => e.ip), ['10.0.0.2']);
  assert.deepEqual(categorizeEndpoints(svc, eps.filter((e) => !e.ready)).cluster.map((e) => e.ip), ['10.0.0.1'], 'serving+terminating used when nothing is ready');
});

test('TrackerCache: same maps as buildServiceMap/buildEndpointsMap, same objects for unchanged inputs', async () => {
  const { services, slices, NODE } = await import('./trace/scenarios.js');
  const { TrackerCache } = await import('./tracker.js');
  const svcs = services(), sl = slices();
  // one service port spread over two slices
  sl.push({ ...sl[0]!, metadata: { ...sl[0]!.metadata, name: 'web-y' }, endpoints: [{ addresses: ['10.244.9.9'], nodeName: 'node-b', conditions: { ready: true } }] });
  const c = new TrackerCache(NODE);
  const s1 = c.serviceMap(svcs), e1 = c.endpointsMap(sl);
  assert.deepEqual(s1, buildServiceMap(svcs));
  assert.deepEqual(e1, buildEndpointsMap(sl, NODE));
  const sl2 = [...sl]; sl2[2] = { ...sl[2]!, endpoints: [] };
  const s2 = c.serviceMap(svcs), e2 = c.endpointsMap(sl2);
  assert.equal(s2.get('ns/web:p'), s1.get('ns/web:p'));
  assert.equal(e2.get('ns/np:p'), e1.get('ns/np:p'));
  assert.notEqual(e2.get('ns/lb:p'), e1.get('ns/lb:p'));
  assert.deepEqual(e2.get('ns/lb:p'), []);
  assert.deepEqual(e2, buildEndpointsMap(sl2, NODE));
});
