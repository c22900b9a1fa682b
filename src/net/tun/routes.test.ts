import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipToU32, u32ToIp } from './ipv4.js';
import { RouteReader, newRouteTable, writeRoutes } from './routes.js';
import { tunnelRoute } from './pump.js';

test('shared route table: the reader sees each write, longest prefix first, peers for the sender check', () => {
  const sab = newRouteTable();
  const r = new RouteReader(sab);
  r.refresh();
  assert.equal(r.lookup(ipToU32('10.244.2.5')), undefined);
  writeRoutes(sab, [
    tunnelRoute({ subnet: '10.244.2.0/24', peerIP: '192.168.138.222', peerPort: 8285 }),
    tunnelRoute({ subnet: '10.244.0.0/16', peerIP: '192.168.138.250', peerPort: 9000 }),
  ]);
  assert.equal(r.lookup(ipToU32('10.244.2.5')), undefined, 'not before refresh');
  r.refresh();
  const p = r.lookup(ipToU32('10.244.2.5'))!;
  assert.equal(u32ToIp(p.ip), '192.168.138.222');
  assert.equal(p.port, 8285);
  // the sockaddr_in the pump sends to: AF_INET, port and address in network order
  assert.equal(p.sockaddr.readUInt16LE(0), 2);
  assert.equal(p.sockaddr.readUInt16BE(2), 8285);
  assert.equal(u32ToIp(p.sockaddr.readUInt32BE(4)), '192.168.138.222');
  assert.equal(u32ToIp(r.lookup(ipToU32('10.244.7.1'))!.ip), '192.168.138.250', 'the shorter prefix catches the rest');
  assert.equal(r.lookup(ipToU32('10.245.0.1')), undefined);
  assert.ok(r.isPeer(ipToU32('192.168.138.222')));
  assert.ok(!r.isPeer(ipToU32('192.168.138.223')));
  assert.deepEqual(r.describe(), ['10.244.2.0/24 → 192.168.138.222:8285', '10.244.0.0/16 → 192.168.138.250:9000']);
  writeRoutes(sab, []);
  r.refresh();
  assert.equal(r.lookup(ipToU32('10.244.2.5')), undefined, 'removed');
  assert.ok(!r.isPeer(ipToU32('192.168.138.222')));
});

test('tunnel routes: bad subnets and ports are refused', () => {
  assert.throws(() => tunnelRoute({ subnet: '10.244.2.0', peerIP: '1.2.3.4', peerPort: 8285 }), /bad subnet/);
  assert.throws(() => tunnelRoute({ subnet: '10.244.2.0/33', peerIP: '1.2.3.4', peerPort: 8285 }), /bad subnet/);
  assert.throws(() => tunnelRoute({ subnet: '10.244.2.0/24', peerIP: '1.2.3.4', peerPort: 0 }), /bad peer port/);
  assert.throws(() => tunnelRoute({ subnet: '10.244.2.0/24', peerIP: 'x', peerPort: 1 }), /not an IPv4 address/);
});
