import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { ServiceAllocators } from './service.js';

const svc = (spec: Record<string, unknown>, name = 's'): Service => ({ metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80, protocol: 'TCP' }], ...spec } });
const clone = (s: Service): Service => JSON.parse(JSON.stringify(s)) as Service;

test('service allocators: create path', () => {
  const a = new ServiceAllocators('10.96.0.0/12', '30000-32767');
  assert.equal(a.kubernetesIP(), '10.96.0.1');
  const k = svc({ clusterIP: '10.96.0.1' }, 'kubernetes');
  assert.deepEqual(a.allocate(k).errors, []);
  assert.deepEqual(k.spec!.clusterIPs, ['10.96.0.1']);
  assert.deepEqual(k.spec!.ipFamilies, ['IPv4']);
  const s1 = svc({});
  assert.deepEqual(a.allocate(s1).errors, []);
  assert.ok(a.ips.has(s1.spec!.clusterIP!));
  const taken = svc({ clusterIP: s1.spec!.clusterIP });
  const r = a.allocate(taken);
  assert.equal(r.errors[0]!.field, 'spec.clusterIPs');
  assert.match(r.errors[0]!.message, /already allocated/);
  const out = svc({ clusterIP: '10.0.0.1' });
  assert.match(a.allocate(out).errors[0]!.message, /not in the valid range. The range of valid IPs is 10\.96\.0\.0\/12/);
  const headless = svc({ clusterIP: 'None' });
  assert.deepEqual(a.allocate(headless).errors, []);
  assert.deepEqual(headless.spec!.clusterIPs, ['None']);
  const ext = svc({ type: 'ExternalName', externalName: 'x.example' });
  const before = a.ips.free();
  assert.deepEqual(a.allocate(ext).errors, []);
  assert.equal(ext.spec!.clusterIP, undefined);
  assert.equal(a.ips.free(), before);
});

test('service allocators: nodePorts, duplicates, rollback leaves nothing allocated', () => {
  const a = new ServiceAllocators('10.96.0.0/24', '30000-30010');
  const np = svc({ type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30005 }, { port: 81, protocol: 'TCP' }] });
  assert.deepEqual(a.allocate(np).errors, []);
  assert.equal(np.spec!.ports![0]!.nodePort, 30005);
  assert.ok(a.ports.has(np.spec!.ports![1]!.nodePort!));
  const freeIPs = a.ips.free(), freePorts = a.ports.free();
  const dup = svc({ type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30005 }] });
  const r = a.allocate(dup);
  assert.equal(r.errors[0]!.field, 'spec.ports[0].nodePort');
  assert.match(r.errors[0]!.message, /Invalid value: 30005: provided port is already allocated/);
  assert.equal(a.ips.free(), freeIPs, 'the ClusterIP taken before the nodePort failure was rolled back');
  assert.equal(a.ports.free(), freePorts);
  const range = a.allocate(svc({ type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 40000 }] }));
  assert.match(range.errors[0]!.message, /not in the valid range. The range of valid ports is 30000-30010/);
  // store write failed → rollback
  const s = svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
  const res = a.allocate(s);
  assert.deepEqual(res.errors, []);
  assert.ok(s.spec!.healthCheckNodePort);
  res.rollback();
  assert.equal(a.ips.free(), freeIPs);
  assert.equal(a.ports.free(), freePorts);
  a.release(np);
  assert.equal(a.ports.free(), 11);
});

test('service allocators: update type changes, delete frees, restore', () => {
  const a = new ServiceAllocators('10.96.0.0/16');
  const s = svc({});
  a.allocate(s);
  const ip = s.spec!.clusterIP!;
  const np = clone(s); (np.spec as { type: string }).type = 'NodePort'; (np.spec as { clusterIP?: string }).clusterIP = undefined;
  const u = a.update(s, np);
  assert.deepEqual(u.errors, []);
  u.commit();
  assert.equal(np.spec!.clusterIP, ip);
  const port = np.spec!.ports![0]!.nodePort!;
  assert.ok(a.ports.has(port));
  const back = clone(np); (back.spec as { type: string }).type = 'ClusterIP';
  const u2 = a.update(np, back);
  assert.deepEqual(u2.errors, []);
  assert.equal(back.spec!.ports![0]!.nodePort, undefined);
  u2.commit();
  assert.ok(!a.ports.has(port));
  a.release(back);
  assert.ok(!a.ips.has(ip));
  const b = new ServiceAllocators('10.96.0.0/16');
  assert.deepEqual(b.restore([np]), []);
  assert.ok(b.ips.has(ip) && b.ports.has(port));
  assert.equal(b.restore([np]).length, 2, 'duplicates reported');
});
