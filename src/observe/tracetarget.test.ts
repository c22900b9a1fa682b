import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDestination, parseProtocol, parseSource } from './tracetarget.js';

test('parseSource: pod/NAME and node/NAME (kubectl\'s aliases); anything else is an EARG error', () => {
  assert.deepEqual(parseSource('pod/a'), { kind: 'pod', name: 'a' });
  assert.deepEqual(parseSource('po/web-1'), { kind: 'pod', name: 'web-1' });
  assert.deepEqual(parseSource('node/node1'), { kind: 'node', name: 'node1' });
  for (const bad of ['a', 'svc/web', 'pod/', 'pod/UPPER', '10.0.0.1']) assert.throws(() => parseSource(bad), (e: Error & { code?: string }) => e.code === 'EARG', bad);
});

test('parseDestination: pod, svc with port number or name, node with a NodePort, bare IPs', () => {
  assert.deepEqual(parseDestination('pod/b'), { kind: 'pod', name: 'b' });
  assert.deepEqual(parseDestination('pod/b:8080'), { kind: 'pod', name: 'b', port: 8080 });
  assert.deepEqual(parseDestination('svc/web'), { kind: 'svc', name: 'web' });
  assert.deepEqual(parseDestination('svc/web:80'), { kind: 'svc', name: 'web', port: 80 });
  assert.deepEqual(parseDestination('service/web:http'), { kind: 'svc', name: 'web', portName: 'http' });
  assert.deepEqual(parseDestination('node/node2:30080'), { kind: 'node', name: 'node2', port: 30080 });
  assert.deepEqual(parseDestination('10.250.0.1'), { kind: 'ip', ip: '10.250.0.1' });
  assert.deepEqual(parseDestination('10.96.0.10:53'), { kind: 'ip', ip: '10.96.0.10', port: 53 });
  for (const bad of ['node/node2', 'pod/b:0', 'pod/b:70000', '300.1.1.1', 'deploy/x', 'svc/web:a:b', '']) {
    assert.throws(() => parseDestination(bad), (e: Error & { code?: string }) => e.code === 'EARG', bad);
  }
});

test('parseProtocol: defaults to tcp with a port and icmp without; tcp/udp need a port', () => {
  assert.equal(parseProtocol(undefined, true), 'tcp');
  assert.equal(parseProtocol(undefined, false), 'icmp');
  assert.equal(parseProtocol('UDP', true), 'udp');
  assert.equal(parseProtocol('icmp', true), 'icmp');
  assert.throws(() => parseProtocol('tcp', false), /needs a destination port/);
  assert.throws(() => parseProtocol('sctp', true), (e: Error & { code?: string }) => e.code === 'EFLAG');
});
