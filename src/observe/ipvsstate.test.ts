import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipvsServicesFor, parseIpvsProc } from './ipvsstate.js';

// What a kernel with ip_vs prints for a ClusterIP 10.96.0.10:53 (UDP, two DNS pods) and a NodePort
// service (ClusterIP 10.104.84.236:80, node 192.168.138.221:31909) as kube-proxy's ipvs mode programs them.
const PROC = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn
UDP  0A60000A:0035 rr
  -> 0AF40002:0035      Masq    1      0          3
  -> 0AF40103:0035      Masq    1      0          2
TCP  0A6854EC:0050 rr
  -> 0AF40003:1F90      Masq    1      1          0
  -> 0AF40102:1F90      Masq    1      0          4
TCP  C0A88ADD:7C85 rr persistent 10800
  -> 0AF40003:1F90      Masq    1      0          0
  -> 0AF40102:1F90      Masq    1      0          1
`;

test('/proc/net/ip_vs: virtual services with scheduler, flags and real servers, addresses and ports decoded from hex', () => {
  const v = parseIpvsProc(PROC);
  assert.equal(v.length, 3);
  assert.deepEqual(v[0], { protocol: 'UDP', address: '10.96.0.10', port: 53, scheduler: 'rr', flags: [], realServers: [
    { address: '10.244.0.2', port: 53, forward: 'Masq', weight: 1, activeConns: 0, inactiveConns: 3 },
    { address: '10.244.1.3', port: 53, forward: 'Masq', weight: 1, activeConns: 0, inactiveConns: 2 }] });
  assert.deepEqual([v[1]!.address, v[1]!.port, v[1]!.realServers.map((r) => `${r.address}:${r.port}`)], ['10.104.84.236', 80, ['10.244.0.3:8080', '10.244.1.2:8080']]);
  assert.deepEqual([v[2]!.address, v[2]!.port, v[2]!.flags], ['192.168.138.221', 31877, ['persistent', '10800']]);
  assert.deepEqual(parseIpvsProc('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n'), []);
});

test('a Service port\'s virtual services: its ClusterIP on the port, node addresses on its NodePort, by protocol', () => {
  const v = parseIpvsProc(PROC);
  assert.deepEqual(ipvsServicesFor(v, { protocol: 'TCP', vips: ['10.104.84.236'], port: 80, nodePort: 31877 }).map((x) => `${x.address}:${x.port}`), ['10.104.84.236:80', '192.168.138.221:31877']);
  assert.deepEqual(ipvsServicesFor(v, { protocol: 'TCP', vips: ['10.96.0.10'], port: 53 }), [], 'DNS over TCP is not programmed here');
  assert.equal(ipvsServicesFor(v, { protocol: 'udp', vips: ['10.96.0.10'], port: 53 }).length, 1);
});
